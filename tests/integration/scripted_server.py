#!/usr/bin/python3
"""A scripted SMTP peer for error-path tests, on 127.0.0.1 only.

Usage: scripted_server.py PORTFILE SCRIPT
Serves ONE connection, then exits. Writes its port to PORTFILE once it
listens. SCRIPT lines:
  send TEXT      send TEXT (Python escapes: \\r \\n \\x1b ...)
  recv           read one line from the client (bounded wait)
  sleep SECONDS  pause
  close          close the connection
  hang           keep the connection open, never answer (bounded)
  starttls CERT KEY  the server side of a TLS handshake (PEM files); what
                 follows is sent and read inside TLS
  nolisten N     do not accept; fill the backlog so connects stall (N s)
Every wait is bounded; the whole server gives up after 30 seconds.
"""
import socket
import ssl
import sys
import time

DEADLINE = time.monotonic() + 30


def main():
    portfile, script = sys.argv[1], sys.argv[2]
    steps = [l.rstrip("\n") for l in open(script) if l.strip() and not l.startswith("#")]
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    if steps and steps[0].startswith("nolisten"):
        srv.listen(0)
        fillers = []
        for _ in range(8):  # fill the accept queue; later SYNs are dropped
            f = socket.socket()
            f.setblocking(False)
            try:
                f.connect(("127.0.0.1", srv.getsockname()[1]))
            except BlockingIOError:
                pass
            fillers.append(f)
        write_port(portfile, srv)
        time.sleep(min(float(steps[0].split()[1]), 20))
        return
    srv.listen(4)
    write_port(portfile, srv)
    srv.settimeout(max(0.1, DEADLINE - time.monotonic()))
    conn, _ = srv.accept()
    conn.settimeout(10)
    rfile = conn.makefile("rb")
    for step in steps:
        verb, _, arg = step.partition(" ")
        if verb == "send":
            conn.sendall(arg.encode("latin-1").decode("unicode_escape").encode("latin-1"))
        elif verb == "recv":
            try:
                rfile.readline(65536)
            except socket.timeout:
                pass
        elif verb == "sleep":
            time.sleep(float(arg))
        elif verb == "close":
            conn.close()
            return
        elif verb == "starttls":
            cert, key = arg.split()
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            conn = ctx.wrap_socket(conn, server_side=True)
            rfile = conn.makefile("rb")
        elif verb == "hang":
            time.sleep(min(float(arg or 10), max(0, DEADLINE - time.monotonic())))
    conn.close()


def write_port(portfile, srv):
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    import os
    os.rename(portfile + ".tmp", portfile)


if __name__ == "__main__":
    main()
