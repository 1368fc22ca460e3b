# An HTTP service that records when it started (to check it never starts before its conditions). argv: svc=api PORT DIR
import http.server, os, sys, time
with open(os.path.join(sys.argv[3], "api-starts"), "a") as f:
    f.write("%d\n" % time.time_ns())
os.chdir(sys.argv[3])
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), http.server.SimpleHTTPRequestHandler).serve_forever()
