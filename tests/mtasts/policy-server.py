#!/usr/bin/python3
"""The HTTPS policy server of mtasts.sh, on loopback only.

policy-server.py CERT KEY WRONGCERT WRONGKEY PORTFILE

Two TLS listeners on 127.0.0.1 and one on ::1 (when it can bind): "good"
with CERT (valid for every mta-sts.CASE.sts.test), "wrong" with WRONGCERT
(valid for another name only), and "six" (CERT, on ::1).  Each answers by
the Host header's case (mta-sts.CASE.sts.test): the policy, a 404, a
redirect, text/html, a body over 64 KiB, a hostile policy.  The ports go
to PORTFILE ("good wrong six", six 0 when ::1 is missing) once all listen."""
import http.server
import socket
import ssl
import sys
import threading

ENFORCE = "version: STSv1\r\nmode: enforce\r\nmx: mx1.enforce.sts.test\r\nmx: *.mx.sts.test\r\nmax_age: 86400\r\n"
CASES = {
    "enforce": (200, "text/plain", ENFORCE),
    "testing": (200, "text/plain; charset=utf-8",
                "version: STSv1\nmode: testing\nmx: mx.testing.sts.test\nmax_age: 604800\n"),
    "modenone": (200, "text/plain", "version: STSv1\nmode: none\nmax_age: 86400\n"),
    "nomx": (200, "text/plain", "version: STSv1\nmode: enforce\nmax_age: 86400\n"),
    "badmaxage": (200, "text/plain",
                  "version: STSv1\nmode: enforce\nmx: mx.badmaxage.sts.test\nmax_age: forever\n"),
    "badmode": (200, "text/plain",
                "version: STSv1\nmode: strict\nmx: mx.badmode.sts.test\nmax_age: 86400\n"),
    "hostile": (200, "text/plain",
                "version: STSv1\nmode: \x1b[31menforce\x07\nmx: mx.hostile.sts.test\nmax_age: 86400\n"),
    "wrongcert": (200, "text/plain", ENFORCE),
    "refused": (200, "text/plain", ENFORCE),
    "six": (200, "text/plain", "version: STSv1\nmode: enforce\nmx: mx.six.sts.test\nmax_age: 3600\n"),
    "notfound": (404, "text/html", "<h1>Not Found</h1>"),
    "status": (503, "text/plain", "try later\n"),
    "html": (200, "text/html", "<pre>" + ENFORCE + "</pre>"),
    "big": (200, "text/plain", ENFORCE + "# padding\n" * 7000),
    # probe-sts.sh: its MX unlisted.stsbad.sts.test matches no mx line
    "stsbad": (200, "text/plain", ENFORCE),
    # probe-sts.sh: its MX is listed but has a self-signed certificate
    "stscert": (200, "text/plain",
                "version: STSv1\nmode: enforce\nmx: mx.stscert.sts.test\nmax_age: 86400\n"),
}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("policy-server: %s %s\n" % (self.headers.get("Host"), fmt % args))

    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        case = host[len("mta-sts."):-len(".sts.test")] if host.startswith("mta-sts.") else ""
        if self.path != "/.well-known/mta-sts.txt":
            self.reply(404, "text/plain", "no such path\n")
        elif case == "redirect":
            self.send_response(302)
            self.send_header("Location", "https://www.redirect.sts.test/mta-sts.txt")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif case == "bigstream":
            # no Content-Length: the body ends when the connection closes,
            # so only the client's own count can stop it
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"# padding padding padding padding\n" * 100)
            except OSError:
                pass
            self.close_connection = True
        elif case in CASES:
            self.reply(*CASES[case])
        else:
            self.reply(404, "text/plain", "unknown case\n")

    def reply(self, status, ctype, body):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Server6(http.server.HTTPServer):
    address_family = socket.AF_INET6


def listen(cls, addr, cert, key):
    srv = cls((addr, 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv.server_address[1]


def main():
    cert, key, wcert, wkey, portfile = sys.argv[1:6]
    good = listen(http.server.HTTPServer, "127.0.0.1", cert, key)
    wrong = listen(http.server.HTTPServer, "127.0.0.1", wcert, wkey)
    try:
        six = listen(Server6, "::1", cert, key)
    except OSError:
        six = 0
    with open(portfile + ".new", "w") as f:
        f.write("%d %d %d\n" % (good, wrong, six))
    import os
    os.rename(portfile + ".new", portfile)
    threading.Event().wait()


main()
