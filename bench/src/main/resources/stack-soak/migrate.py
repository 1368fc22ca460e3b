# A one-shot: counts its runs, takes 3 s, records when it completed. argv: svc=migrate DIR
import os, sys, time
d = sys.argv[2]
with open(os.path.join(d, "migrate-runs"), "a") as f:
    f.write("%d %d\n" % (os.getpid(), time.time_ns()))
time.sleep(3)
with open(os.path.join(d, "migrate-done"), "w") as f:
    f.write("%d\n" % time.time_ns())
print("migrated", flush=True)
