# A TCP service: accepts and closes. argv: svc=db PORT
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[2])))
s.listen(64)
while True:
    c, _ = s.accept()
    c.close()
