#!/usr/bin/python3
"""A real aiosmtpd server on 127.0.0.1 for batch-aiosmtpd.sh.

usage: aiosmtpd_server.py PORTFILE STOREDIR [--accept ADDR]... [--lifetime S]
                          [--auth USER:PASSWORD] [--xoauth2 USER:TOKEN] [--lmtp]

Binds a free port of 127.0.0.1, writes it to PORTFILE once listening, and
stores every accepted message as STOREDIR/msg-N.env (the envelope: a
"mail_from: ..." line and one "rcpt_to: ..." line per recipient) and
STOREDIR/msg-N.eml (the content exactly as aiosmtpd received it, after
un-stuffing).  With --auth, AUTH PLAIN and LOGIN are offered (without
TLS) and only USER:PASSWORD succeeds (535 otherwise).  With --xoauth2,
AUTH XOAUTH2 is offered too: the client's base64 of
"user=USER\x01auth=Bearer TOKEN\x01\x01" succeeds (235); any other token
gets Google's error challenge (334 and base64 JSON), the client's empty
line, then 535 5.7.8.  Recipients not given with --accept are refused with 550
5.1.1.  With --lmtp it speaks LMTP (LHLO; after the dot one reply per
recipient).  Stops on SIGTERM, or by itself after --lifetime seconds.
"""
import argparse
import asyncio
import base64
import logging
import os
import signal
import sys

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import MISSING, SMTP, AuthResult, LoginPassword


class Store:
    def __init__(self, directory, accept):
        self.directory = directory
        self.accept = {a.lower() for a in accept}
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() not in self.accept:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, "msg-%d" % self.count)
        content = envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        with open(base + ".eml.tmp", "wb") as f:
            f.write(content)
        with open(base + ".env.tmp", "w", encoding="utf-8") as f:
            f.write("mail_from: %s\n" % envelope.mail_from)
            for rcpt in envelope.rcpt_tos:
                f.write("rcpt_to: %s\n" % rcpt)
            f.write("peer: %s\n" % (session.peer[0],))
            f.write("helo: %s\n" % session.host_name)
        # The .env file appears last, complete: the test waits for it.
        os.rename(base + ".eml.tmp", base + ".eml")
        os.rename(base + ".env.tmp", base + ".env")
        ok = "250 2.0.0 Ok: queued as AIO%05d" % self.count
        if isinstance(server, LMTP):  # RFC 2033 4.2: one per recipient
            return "\r\n".join([ok] * len(envelope.rcpt_tos))
        return ok


class XOAuth2Store(Store):
    """Store with AUTH XOAUTH2 (the handler's auth_XOAUTH2 is picked up by
    aiosmtpd as a mechanism)."""

    def __init__(self, directory, accept, spec):
        super().__init__(directory, accept)
        user, _, token = spec.partition(":")
        self.xoauth2 = b"user=%s\x01auth=Bearer %s\x01\x01" % (user.encode(), token.encode())
        self.xoauth2_user = user.encode()

    async def auth_XOAUTH2(self, server, args):
        if len(args) == 1:
            blob = await server.challenge_auth("")
            if blob is MISSING:  # challenge_auth has answered already
                return AuthResult(success=False, handled=True)
        else:
            try:
                blob = base64.b64decode(args[1].encode(), validate=True)
            except Exception:
                await server.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        if blob == self.xoauth2:
            return AuthResult(success=True, auth_data=LoginPassword(self.xoauth2_user, b""))
        # As Gmail does: an error challenge, the client answers with an
        # empty line, then the failure.
        err = b'{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}'
        await server.challenge_auth(err)
        return AuthResult(success=False, handled=False,
                          message="535 5.7.8 Username and Password not accepted")


def make_authenticator(spec):
    user, _, password = spec.partition(":")

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and
              auth_data.login == user.encode() and
              auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False)
    return authenticator


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("portfile")
    p.add_argument("storedir")
    p.add_argument("--accept", action="append", default=[])
    p.add_argument("--lifetime", type=float, default=300)
    p.add_argument("--auth")
    p.add_argument("--xoauth2")
    p.add_argument("--lmtp", action="store_true")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(message)s")

    if args.xoauth2:
        handler = XOAuth2Store(args.storedir, args.accept, args.xoauth2)
    else:
        handler = Store(args.storedir, args.accept)
    loop = asyncio.get_running_loop()
    extra = {}
    if args.auth:
        extra = dict(authenticator=make_authenticator(args.auth),
                     auth_require_tls=False)
    server = await loop.create_server(
        lambda: (LMTP if args.lmtp else SMTP)(handler, hostname="aio.scope.test",
                     ident="smtpscope-test aiosmtpd", enable_SMTPUTF8=True,
                     **extra),
        host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]
    with open(args.portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(args.portfile + ".tmp", args.portfile)

    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), args.lifetime)
    except asyncio.TimeoutError:
        print("aiosmtpd_server: lifetime over, stopping", file=sys.stderr)
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
