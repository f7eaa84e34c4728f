#!/usr/bin/python3
"""An SMTP server on standard input and output, for --pipe tests.

Usage: pipe_server.py MODE [PIDFILE]
Greets, answers EHLO/HELO/LHLO, MAIL, RCPT, DATA (with its content up to
the lone "."), RSET, NOOP and QUIT, one line at a time.  It writes to its
standard error as it goes: "pipe_server: started", the descriptors it
holds ("fds: 0 1 2"), and a line with an escape sequence (ESC [31m) that
must reach the terminal escaped.  MODE says how it ends after QUIT:
  exit3    221, then exit status 3
  exit0    221, then exit status 0
  stubborn 221, then ignore SIGTERM and the end of its input, never exit
           (smtpscope must SIGKILL it)
  silent   never greet; exit at the end of input
  noise    as exit0, but 300 lines on standard error first
PIDFILE, when given, gets its process id.  Every wait is bounded: it
gives up after 30 seconds.
"""
import os
import signal
import sys
import time

DEADLINE = time.monotonic() + 30


def say(text):
    sys.stdout.write(text + "\r\n")
    sys.stdout.flush()


def err(text):
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def main():
    mode = sys.argv[1]
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w") as f:
            f.write("%d\n" % os.getpid())
    err("pipe_server: started")
    fds = sorted(int(x) for x in os.listdir("/proc/self/fd"))
    # the listing itself holds one descriptor while it runs; it is gone now
    fds = [fd for fd in fds if os.path.exists("/proc/self/fd/%d" % fd)]
    err("fds: " + " ".join(str(fd) for fd in fds))
    err("colour: \x1b[31mred\x1b[0m done")
    if mode == "noise":
        for i in range(300):
            err("noise line %d" % i)
    if mode == "silent":
        sys.stdin.read()
        return 0
    if mode == "stubborn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    say("220 pipe.test ESMTP pipe_server")
    in_data = False
    for line in sys.stdin:
        line = line.rstrip("\r\n")
        if in_data:
            if line == ".":
                in_data = False
                say("250 2.0.0 queued as PIPE1")
            continue
        verb = line.split(" ")[0].upper()
        if verb in ("EHLO", "LHLO"):
            say("250-pipe.test hello")
            say("250 8BITMIME")
        elif verb == "HELO":
            say("250 pipe.test")
        elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
            say("250 2.0.0 ok")
        elif verb == "DATA":
            say("354 go ahead")
            in_data = True
        elif verb == "QUIT":
            say("221 2.0.0 bye")
            err("pipe_server: quitting (%s)" % mode)
            break
        else:
            say("500 5.5.1 unknown command")
    if mode == "stubborn":
        sys.stdout.close()
        while time.monotonic() < DEADLINE:
            time.sleep(0.1)
        return 0
    return 3 if mode == "exit3" else 0


if __name__ == "__main__":
    sys.exit(main())
