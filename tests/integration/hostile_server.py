#!/usr/bin/python3
"""A scripted hostile SMTP server for the tests of issue 12, on 127.0.0.1.

Usage:
  hostile_server.py PORTFILE SCENARIO   serve ONE connection playing SCENARIO
  hostile_server.py list                the scenario names, one a line
  hostile_server.py rawcheck FILE       exit 1 if FILE holds a byte no
                                        terminal should get raw (see below)
  hostile_server.py instep FILE         exit 1 if the transcript in FILE
                                        matched a reply to the wrong command
                                        without saying it is out of step

The server listens on a free port of 127.0.0.1 and writes the port to
PORTFILE (atomically) once it listens.  Every line it reads is appended to
PORTFILE.log as "CMD <line>" (read as a command) or "DATA <line>" (read as
message content after it sent 354), escaped with Python's repr rules, so a
test can tell what reached the server and as what.

It speaks enough SMTP to be driven through a whole session: it answers each
command by its verb, and a scenario replaces the answer at one position
(greeting, EHLO, MAIL, RCPT, DATA, after the dot, STARTTLS, AUTH) or the
way bytes are sent (paced, cut short, never).  The first line of every
reply carries a tag naming what it answers, "{MAIL}", "{DOT}",
"{greeting}", or "{NONE}" for a reply sent before any command, so that
"instep" can compare it with the transcript's "[reply to ...]".

Everything is bounded in time: each read waits at most 15 s, and the whole
process exits (status 3) after HOSTILE_DEADLINE seconds (default 40), even
in the middle of a scenario.  Python 3 standard library only.
"""
import os
import re
import signal
import socket
import sys
import time

DEADLINE = float(os.environ.get("HOSTILE_DEADLINE", "40"))

# Invalid reply codes, cycled through every position (issue 12): none of
# them is three digits with the first 2-5 and the second 0-5.
BAD_CODES = ["099", "600", "25O", "2500", "25", "ABC", "none", "199", "999"]
POSITIONS = ["greeting", "ehlo", "mail", "rcpt", "data", "dot"]

# Hostile terminal bytes: clear screen, cursor home, OSC 0 title, OSC 52
# clipboard (BEL- and ST-terminated), DCS, raw C1 CSI / OSC (single bytes:
# invalid UTF-8), C1 CSI as UTF-8 (U+009B), BEL, BS, VT, FF, DEL, bidi
# override U+202E, and a bare CR that would overwrite the line start.
ESCAPES = (b"\x1b[2J\x1b[H \x1b]0;pwned\x07 \x1b]52;c;ZXZpbA==\x07 "
           b"\x1b]52;p;ZXZpbA==\x1b\\ \x1bP1$r0m\x1b\\ \x9b31m \x9d0;t\x07 "
           b"\xc2\x9b32m \x07\x08\x0b\x0c\x7f \xe2\x80\xae evil")


class Conn:
    def __init__(self, sock, log):
        self.sock = sock
        self.buf = b""
        self.log = log
        self.closed = False

    def send(self, data, pace=0.0):
        if self.closed:
            return
        try:
            if pace:
                for i in range(len(data)):
                    self.sock.sendall(data[i:i + 1])
                    time.sleep(pace)
            else:
                self.sock.sendall(data)
        except OSError:
            self.closed = True

    def readline(self, mode="CMD", wait=15.0):
        """One line without its line ending, or None (closed or timed out)."""
        end = time.monotonic() + wait
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0 or self.closed:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            except OSError:
                chunk = b""
            if not chunk:
                self.closed = True
                if self.buf:  # a last line without LF
                    line, self.buf = self.buf, b""
                    self.note(mode, line)
                    return line
                return None
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        line = line[:-1] if line.endswith(b"\r") else line
        self.note(mode, line)
        return line

    def read_raw(self, wait):
        """Whatever arrives within WAIT seconds (a TLS ClientHello ...)."""
        self.sock.settimeout(wait)
        try:
            data = self.sock.recv(65536)
        except (socket.timeout, OSError):
            data = b""
        if data:
            self.note("RAW", data)
        return data

    def note(self, mode, line):
        with open(self.log, "a") as f:
            f.write("%s %s\n" % (mode, repr(line)[2:-1]))

    def close(self):
        if not self.closed:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.sock.close()
        self.closed = True


def tag(verb):
    return b" {" + verb.encode() + b"}"


def bad_line(code, verb, text=b"hostile"):
    """One reply line with an invalid code (or none) and the tag."""
    if code == "none":
        return text + tag(verb) + b"\r\n"
    return code.encode() + b" " + text + tag(verb) + b"\r\n"


EHLO_DEFAULT = (b"250-hostile.test greets you" + tag("EHLO") + b"\r\n"
                b"250-PIPELINING\r\n250-SIZE 10240000\r\n250-AUTH PLAIN LOGIN\r\n"
                b"250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n")


class Scenario:
    """The default, well-behaved answers; a scenario overrides some."""

    def __init__(self):
        self.greeting = b"220 hostile.test ESMTP" + tag("greeting") + b"\r\n"
        self.greeting_pace = 0.0
        self.greeting_close = False   # close right after the greeting
        self.silent = False           # accept, never send anything
        self.ehlo = EHLO_DEFAULT
        self.replies = {}             # VERB -> bytes or callable(conn, line)
        self.dot = b"250 2.0.0 queued as HOSTILE" + tag("DOT") + b"\r\n"
        self.dot_delay = 0.0
        self.after_reply = {}         # VERB -> bytes sent right after the reply
        self.after_reply_delay = 0.0

    def answer(self, verb, line):
        if verb in self.replies:
            return self.replies[verb]
        if verb in ("EHLO", "LHLO"):
            return self.ehlo
        if verb == "HELO":
            return b"250 hostile.test" + tag("HELO") + b"\r\n"
        if verb == "MAIL":
            return b"250 2.1.0 sender ok" + tag("MAIL") + b"\r\n"
        if verb == "RCPT":
            return b"250 2.1.5 recipient ok" + tag("RCPT") + b"\r\n"
        if verb == "DATA":
            return b"354 end data with <CR><LF>.<CR><LF>" + tag("DATA") + b"\r\n"
        if verb in ("RSET", "NOOP"):
            return b"250 2.0.0 ok" + tag(verb) + b"\r\n"
        if verb == "QUIT":
            return b"221 2.0.0 bye" + tag("QUIT") + b"\r\n"
        if verb == "STARTTLS":
            return b"454 4.7.0 TLS not available" + tag("STARTTLS") + b"\r\n"
        if verb == "AUTH":
            return b"504 5.5.4 mechanism not available" + tag("AUTH") + b"\r\n"
        return b"500 5.5.1 command unrecognized" + tag(verb or "EMPTY") + b"\r\n"


# ---- the scenarios ------------------------------------------------------

SCENARIOS = {}


def scenario(name):
    def reg(fn):
        SCENARIOS[name] = fn
        return fn
    return reg


def make_badcode(pos, code):
    def fn(s):
        if pos == "greeting":
            s.greeting = bad_line(code, "greeting", b"hostile.test ESMTP")
        elif pos == "dot":
            s.dot = bad_line(code, "DOT", b"queued")
        else:
            s.replies[pos.upper()] = bad_line(code, pos.upper())
    return fn


for _p in POSITIONS:
    for _c in BAD_CODES:
        SCENARIOS["badcode-%s-%s" % (_p, _c)] = make_badcode(_p, _c)


@scenario("normal")
def _(s):
    pass  # the baseline: every check must pass against it


@scenario("premature-greeting")
def _(s):
    # A final line, then more lines of "the same" greeting: two replies.
    s.greeting = (b"220 hostile.test first" + tag("greeting") + b"\r\n"
                  b"220-hostile.test premature" + tag("NONE") + b"\r\n"
                  b"220 hostile.test end\r\n")


@scenario("premature-ehlo")
def _(s):
    s.ehlo = (b"250 hostile.test" + tag("EHLO") + b"\r\n"
              b"250-X-PREMATURE" + tag("NONE") + b"\r\n250 8BITMIME\r\n")


@scenario("long-line")
def _(s):
    # A 100 KiB line in the middle of the EHLO reply; the capability is
    # on the final line.
    s.ehlo = (b"250-hostile.test" + tag("EHLO") + b"\r\n"
              b"250-X-LONG " + b"L" * (100 * 1024) + b"\r\n250 8BITMIME\r\n")


@scenario("long-line-mail")
def _(s):
    s.replies["MAIL"] = (b"250 2.1.0" + tag("MAIL") + b" " + b"M" * (100 * 1024) + b"\r\n")


@scenario("many-lines")
def _(s):
    # 10 000 lines: the greeting line, 9 998 filler lines, 250 8BITMIME.
    lines = [b"250-hostile.test" + tag("EHLO")]
    lines += [b"250-X-FILLER-%d" % i for i in range(2, 10000)]
    lines.append(b"250 8BITMIME")
    s.ehlo = b"\r\n".join(lines) + b"\r\n"


@scenario("many-bytes")
def _(s):
    # 300 lines of 1000 octets: over the bytes cap long before the lines cap.
    lines = [b"250-hostile.test" + tag("EHLO")]
    lines += [b"250-X-WIDE-%03d " % i + b"W" * 984 for i in range(2, 300)]
    lines.append(b"250 8BITMIME")
    s.ehlo = b"\r\n".join(lines) + b"\r\n"


@scenario("unsolicited-idle")
def _(s):
    # After the EHLO reply, while the client has nothing pending (its
    # next input line comes later), a reply nobody asked for.
    s.after_reply["EHLO"] = b"250 2.0.0 nobody asked" + tag("NONE") + b"\r\n"
    s.after_reply_delay = 0.3


@scenario("unsolicited-burst")
def _(s):
    # The same, in the same write as the EHLO reply.
    s.after_reply["EHLO"] = b"250 2.0.0 nobody asked" + tag("NONE") + b"\r\n"


@scenario("nocrlf-greeting")
def _(s):
    s.greeting = b"220 hostile.test no line end" + tag("greeting")
    s.greeting_close = True


@scenario("nocrlf-ehlo")
def _(s):
    def fn(c, line):
        c.send(b"250-hostile.test" + tag("EHLO") + b"\r\n250 8BITMIME")
        c.close()
    s.replies["EHLO"] = fn


@scenario("silence")
def _(s):
    s.silent = True


@scenario("silence-ehlo")
def _(s):
    s.replies["EHLO"] = lambda c, line: time.sleep(12)


@scenario("slow-bytes")
def _(s):
    # The greeting at one byte per second (8 s for 8 bytes).
    s.greeting = b"220 ok\r\n"
    s.greeting_pace = 1.0


@scenario("slow-dot")
def _(s):
    s.dot_delay = 4.0


@scenario("starttls-garbage")
def _(s):
    s.replies["STARTTLS"] = b"\x00\x01\xfe garbage \x1b[31m" + tag("STARTTLS") + b"\r\n"
    s.ehlo = EHLO_DEFAULT.replace(b"250-PIPELINING", b"250-STARTTLS")


@scenario("starttls-plaintext")
def _(s):
    # 220 to STARTTLS, then no TLS: the ClientHello is answered in clear.
    def fn(c, line):
        c.send(b"220 2.0.0 ready to start TLS" + tag("STARTTLS") + b"\r\n")
        if c.read_raw(5):
            c.send(b"500 5.5.1 what is this" + tag("NONE") + b"\r\n")
        # then plain SMTP again, as if nothing happened
    s.replies["STARTTLS"] = fn
    s.ehlo = EHLO_DEFAULT.replace(b"250-PIPELINING", b"250-STARTTLS")


@scenario("starttls-silent")
def _(s):
    # 220 to STARTTLS, then the ClientHello is read and never answered.
    def fn(c, line):
        c.send(b"220 2.0.0 ready to start TLS" + tag("STARTTLS") + b"\r\n")
        c.read_raw(5)
        time.sleep(12)
    s.replies["STARTTLS"] = fn
    s.ehlo = EHLO_DEFAULT.replace(b"250-PIPELINING", b"250-STARTTLS")


@scenario("starttls-close")
def _(s):
    s.replies["STARTTLS"] = lambda c, line: c.close()
    s.ehlo = EHLO_DEFAULT.replace(b"250-PIPELINING", b"250-STARTTLS")


@scenario("utf8")
def _(s):
    # Invalid UTF-8: a cut sequence, lone continuation and 0xff/0xfe,
    # an overlong "/", a UTF-16 surrogate, a cut 4-byte sequence; and one
    # valid "é" among them.
    s.greeting = b"220 hostile.test caf\xc3 \x80\xff\xfe" + tag("greeting") + b"\r\n"
    s.ehlo = (b"250-hostile.test" + tag("EHLO") + b" caf\xc3\xa9\r\n"
              b"250-X-\xff\xfe\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
    s.replies["MAIL"] = b"250 2.1.0 overlong \xc0\xaf surrogate \xed\xa0\x80" + tag("MAIL") + b"\r\n"
    s.replies["RCPT"] = b"250 2.1.5 cut \xf0\x9f\x98" + tag("RCPT") + b"\r\n"
    s.dot = b"250 2.0.0 queued \xe2\x82" + tag("DOT") + b"\r\n"


@scenario("escapes")
def _(s):
    s.greeting = b"220 " + ESCAPES + tag("greeting") + b"\r\n"
    s.ehlo = (b"250-hostile.test " + ESCAPES + tag("EHLO") + b"\r\n"
              b"250-X-\x1b[2J\x9b\r\n250-AUTH PLAIN LOGIN X\x1b]52;c;ZXZpbA==\x07\r\n"
              b"250 8BITMIME\r\n")
    s.replies["MAIL"] = b"250 2.1.0 " + ESCAPES + tag("MAIL") + b"\r\n"
    s.replies["RCPT"] = b"550 5.1.1 " + ESCAPES + tag("RCPT") + b"\r\n"
    s.replies["NOOP"] = b"250 2.0.0 bare\rCR" + tag("NOOP") + b"\r\n"
    # A 334 whose base64 decodes to escapes ("\x1b[2J\x1b]52;c;ZXZpbA==\x07"),
    # then the AUTH is refused.
    def auth(c, line):
        c.send(b"334 G1syShtdNTI7YztaWFpwYkE9PQc=\r\n")
        c.readline()
        c.send(b"535 5.7.8 " + ESCAPES + tag("AUTH") + b"\r\n")
    s.replies["AUTH"] = auth
    s.replies["QUIT"] = b"221 " + ESCAPES + tag("QUIT") + b"\r\n"


def auth_250(step):
    """AUTH LOGIN/PLAIN answered with Postfix smtp-sink's "250 2.0.0 Ok"
    instead of 235: at once (STEP 0) or after the SASL exchange."""
    def fn(c, line):
        words = line.split()
        mech = words[1].upper() if len(words) > 1 else b""
        if step and mech == b"LOGIN":
            c.send(b"334 VXNlcm5hbWU6\r\n")
            c.readline()
            c.send(b"334 UGFzc3dvcmQ6\r\n")
            c.readline()
        elif step and mech == b"PLAIN" and len(words) == 2:
            c.send(b"334 \r\n")
            c.readline()
        c.send(b"250 2.0.0 Ok" + tag("AUTH") + b"\r\n")
    return fn


@scenario("auth-250-at-once")
def _(s):
    s.replies["AUTH"] = auth_250(0)


@scenario("auth-250-after-exchange")
def _(s):
    s.replies["AUTH"] = auth_250(1)


def data_refused(reply):
    def fn(s):
        s.replies["DATA"] = reply
    return fn


SCENARIOS["data-refused-554"] = data_refused(b"554 5.5.1 no valid recipients" + tag("DATA") + b"\r\n")
SCENARIOS["data-refused-451"] = data_refused(b"451 4.3.0 try again later" + tag("DATA") + b"\r\n")
SCENARIOS["data-refused-503"] = data_refused(b"503 5.5.1 bad sequence of commands" + tag("DATA") + b"\r\n")
SCENARIOS["data-answered-250"] = data_refused(b"250 2.0.0 ok" + tag("DATA") + b"\r\n")


@scenario("data-refused-slow")
def _(s):
    # The refusal comes late, so that the message lines are typed (TUI)
    # or read (line mode) before it arrives.
    def fn(c, line):
        time.sleep(1.0)
        c.send(b"554 5.5.1 no valid recipients" + tag("DATA") + b"\r\n")
    s.replies["DATA"] = fn


# ---- serving ------------------------------------------------------------

def serve(portfile, name):
    s = Scenario()
    SCENARIOS[name](s)
    log = portfile + ".log"
    open(log, "w").close()
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    srv.settimeout(DEADLINE)
    try:
        sock, _ = srv.accept()
    except socket.timeout:
        return
    srv.close()
    c = Conn(sock, log)
    if s.silent:
        time.sleep(DEADLINE)
        return
    c.send(s.greeting, s.greeting_pace)
    if s.greeting_close:
        c.close()
        return
    while not c.closed:
        line = c.readline()
        if line is None:
            break
        word = line.split(b" ", 1)[0]
        verb = re.sub(r"[^\x21-\x7e]|[{}]", "", word.upper().decode("latin-1"))
        ans = s.answer(verb, line)
        if callable(ans):
            ans(c, line)
        else:
            extra = s.after_reply.get(verb)
            if extra and not s.after_reply_delay:
                c.send(ans + extra)
            else:
                c.send(ans)
                if extra:
                    time.sleep(s.after_reply_delay)
                    c.send(extra)
        if verb == "DATA" and not callable(ans) and ans.startswith(b"354"):
            while True:
                dl = c.readline("DATA")
                if dl is None or dl == b".":
                    break
            if dl is None:
                break
            time.sleep(s.dot_delay)
            c.send(s.dot)
        if verb == "QUIT":
            break
    c.close()


# ---- checks on what smtpscope printed -----------------------------------

BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))


def rawcheck(path):
    """Bytes that must never reach a terminal raw: C0 controls but TAB and
    LF, DEL, C1 (raw or as UTF-8), invalid UTF-8, bidi controls, U+FFFD
    (a terminal's replacement for a raw byte: seen in a pane capture)."""
    data = open(path, "rb").read()
    bad = []
    text = data.decode("utf-8", errors="surrogateescape")
    for i, ch in enumerate(text):
        o = ord(ch)
        if (o < 0x20 and ch not in "\t\n") or o == 0x7f or 0x80 <= o <= 0x9f \
                or o in BIDI or 0xdc80 <= o <= 0xdcff or o == 0xfffd:
            bad.append((i, "\\x%02x" % (o - 0xdc00) if o >= 0xdc80 and o <= 0xdcff else "U+%04X" % o))
    if bad:
        lines = text[:bad[0][0]].count("\n") + 1
        print("%d raw byte(s) no terminal should get, the first at line %d: %s"
              % (len(bad), lines, ", ".join(b for _, b in bad[:8])))
        return 1
    return 0


TAG = re.compile(r" \{([A-Za-z.:][^{}\s]*)\}")
REPLY_TO = re.compile(r"\[reply to ([^\]]*)\]")
SAYS_OUT_OF_STEP = re.compile(r"out of step|not in step|unsolicited|no command (was )?waiting|"
                              r"without a command waiting|more replies than commands|"
                              r"nothing was waiting|before any command", re.I)
NAMES = {"greeting": {"greeting"}, "NONE": {"(unsolicited)"},
         "AUTH": {"AUTH", "AUTH response"},
         "DOT": {"DOT", "message", "end of data", "final dot", "the message", ".", "DATA (dot)"}}


def instep(path):
    """Each "[reply to X]" against the tag of the reply above it."""
    text = open(path, "rb").read().decode("utf-8", errors="replace")
    last_tag = None
    wrong = []
    for line in text.split("\n"):
        if line.startswith(("<-  ", "<~  ")) or re.match(r"^(\(insecure\) )?<[-~]  ", line):
            if last_tag is None or last_tag == "":
                m = TAG.search(line)
                last_tag = m.group(1) if m else ""
        elif line.startswith("  # ") and last_tag is not None:
            m = REPLY_TO.search(line)
            if m and last_tag:
                said = m.group(1)
                if said not in NAMES.get(last_tag, {last_tag}):
                    wrong.append("{%s} shown as [reply to %s]" % (last_tag, said))
            last_tag = None
    if wrong and not SAYS_OUT_OF_STEP.search(text):
        print("out of step without saying so: " + "; ".join(wrong[:5]))
        return 1
    return 0


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "list":
        print("\n".join(SCENARIOS))
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "rawcheck":
        return rawcheck(sys.argv[2])
    if len(sys.argv) == 3 and sys.argv[1] == "instep":
        return instep(sys.argv[2])
    if len(sys.argv) != 3 or sys.argv[2] not in SCENARIOS:
        sys.stderr.write(__doc__)
        return 2
    # The hard bound: whatever the scenario is doing, stop.
    signal.signal(signal.SIGALRM, lambda *_: os._exit(3))
    signal.alarm(int(DEADLINE) + 5)
    serve(sys.argv[1], sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
