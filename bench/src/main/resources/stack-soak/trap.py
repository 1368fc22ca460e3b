# Traps its stop signal (counts each delivery, then takes 0.3 s to finish); on request exits 3 or
# spawns an escapee in a session of its own. argv: svc=trap DIR
import os, signal, subprocess, sys, time
d = sys.argv[2]
def stop(signum, frame):
    with open(os.path.join(d, "signals"), "a") as f:
        f.write("%d %d\n" % (os.getpid(), signum))
    time.sleep(0.3)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print("READY", flush=True)
while True:
    time.sleep(0.05)
    for name in ("exit", "escape"):
        path = os.path.join(d, name)
        if os.path.exists(path):
            os.remove(path)
            if name == "exit":
                sys.exit(3)
            subprocess.Popen(["sleep", "1001"], start_new_session=True, env={})
