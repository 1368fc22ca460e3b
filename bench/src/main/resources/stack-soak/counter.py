# Prints "PID N" lines, N counting up, ~500 a second; on request a flood of 200,000 at once.
import os, sys, time
d = sys.argv[2]
pid, n = os.getpid(), 0
out = sys.stdout
while True:
    burst = 1
    if os.path.exists(os.path.join(d, "flood")):
        try:
            os.remove(os.path.join(d, "flood"))
            burst = 200000
        except FileNotFoundError:
            pass
    for _ in range(burst):
        n += 1
        out.write("%d %d\n" % (pid, n))
    out.flush()
    time.sleep(0.002)
