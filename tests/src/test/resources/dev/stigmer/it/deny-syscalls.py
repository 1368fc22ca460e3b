"""deny-syscalls.py ERRNO NR[,NR...] COMMAND [ARG...]

Runs COMMAND under a seccomp filter that fails the given system calls (by number) with ERRNO,
as a container runtime's profile or an old kernel would; everything else is allowed. The filter
is inherited by every descendant. Needs no privileges (it sets no_new_privs first).
"""
import ctypes
import os
import platform
import struct
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
BPF_LD_W_ABS = 0x20
BPF_JEQ_K = 0x15
BPF_RET_K = 0x06
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}[platform.machine()]


def stmt(code, k):
    return struct.pack("HBBI", code, 0, 0, k)


def jump(code, k, if_true, if_false):
    return struct.pack("HBBI", code, if_true, if_false, k)


errno = int(sys.argv[1])
numbers = [int(n) for n in sys.argv[2].split(",")]
# seccomp_data: nr at offset 0, arch at offset 4. Another architecture's calls are let through.
program = stmt(BPF_LD_W_ABS, 4) + jump(BPF_JEQ_K, AUDIT_ARCH, 1, 0) + stmt(BPF_RET_K, SECCOMP_RET_ALLOW)
program += stmt(BPF_LD_W_ABS, 0)
for number in numbers:
    program += jump(BPF_JEQ_K, number, 0, 1) + stmt(BPF_RET_K, SECCOMP_RET_ERRNO | errno)
program += stmt(BPF_RET_K, SECCOMP_RET_ALLOW)


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


buffer = ctypes.create_string_buffer(program)
fprog = SockFprog(len(program) // 8, ctypes.addressof(buffer))
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
    sys.exit("deny-syscalls: prctl(PR_SET_NO_NEW_PRIVS): errno %d" % ctypes.get_errno())
if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
    sys.exit("deny-syscalls: prctl(PR_SET_SECCOMP): errno %d" % ctypes.get_errno())
os.execvp(sys.argv[3], sys.argv[3:])
