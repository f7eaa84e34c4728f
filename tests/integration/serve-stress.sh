#!/usr/bin/env bash
# `smtpscope serve --scenario greylisting` under 50 concurrent clients on
# 127.0.0.1: every session completes (greylisted once, then accepted,
# message queued), each is logged from "connected" to "closed", and the
# server stops cleanly on SIGTERM with no client left (under ASan its exit
# status also says nothing leaked).  Every wait is bounded.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; tail -20 "$tmp/serve.log" | sed 's/^/    /'; exit 1; }
clients=50

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --scenario greylisting --listen "127.0.0.1:$port" > "$tmp/serve.log" 2>&1 &
server=$!
for i in $(seq 1 100); do grep -q "listening on 127.0.0.1:$port" "$tmp/serve.log" && break; sleep 0.05; done
grep -q "listening on 127.0.0.1:$port, scenario \"greylisting\"" "$tmp/serve.log" || fail "server did not start"

timeout 60 /usr/bin/python3 - "$port" "$clients" > "$tmp/clients.out" 2>&1 <<'PY' || fail "clients: $(tail -5 "$tmp/clients.out")"
import socket, sys, threading
port, n = int(sys.argv[1]), int(sys.argv[2])
ok, errors = [], []
barrier = threading.Barrier(n, timeout=20)

def reply(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            raise EOFError("connection closed")
        lines.append(line.decode())
        if line[3:4] != b'-':
            return lines[-1][:3], lines

def client(i):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=20)
        f = s.makefile("rb")
        barrier.wait()  # all connected at once
        want = [("220", None), ("250", b"EHLO c%d.example" % i),
                ("250", b"MAIL FROM:<t%d@example.org>" % i),
                ("450", b"RCPT TO:<s%d@demo.test>" % i),
                ("250", b"RCPT TO:<s%d@demo.test>" % i), ("354", b"DATA"),
                ("250", b"Subject: %d\r\n\r\nhello\r\n." % i), ("221", b"QUIT")]
        for code, cmd in want:
            if cmd is not None:
                s.sendall(cmd + b"\r\n")
            got, lines = reply(f)
            if got != code:
                raise ValueError("client %d: %r answered %s, expected %s" % (i, cmd, lines, code))
        if f.read(1) != b"":
            raise ValueError("client %d: not closed after 221" % i)
        s.close()
        ok.append(i)
    except Exception as e:
        errors.append("client %d: %r" % (i, e))

threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
for t in threads: t.start()
for t in threads: t.join(40)
print("\n".join(errors))
print("%d of %d sessions completed" % (len(ok), n))
sys.exit(0 if len(ok) == n else 1)
PY
grep -q "^$clients of $clients sessions completed" "$tmp/clients.out" || fail "$(cat "$tmp/clients.out")"
for i in $(seq 1 100); do
	[ "$(grep -c '\] closed (' "$tmp/serve.log")" -ge "$clients" ] && break; sleep 0.05
done
[ "$(grep -c '\] connected$' "$tmp/serve.log")" -eq "$clients" ] || fail "expected $clients connections logged"
[ "$(grep -c '\] closed (' "$tmp/serve.log")" -eq "$clients" ] || fail "expected $clients closes logged"
[ "$(grep -c 'message of .* bytes received' "$tmp/serve.log")" -eq "$clients" ] || fail "expected $clients messages"

kill -TERM "$server"
for i in $(seq 1 200); do kill -0 "$server" 2>/dev/null || break; sleep 0.05; done
kill -0 "$server" 2>/dev/null && fail "server ignored SIGTERM"
wait "$server"; rc=$?
[ "$rc" -eq 0 ] || fail "server exit status $rc after SIGTERM (a sanitizer report?)"
grep -q "demo server stopped (0 clients were still connected)" "$tmp/serve.log" || fail "clients left at stop"
grep -q "Sanitizer" "$tmp/serve.log" && fail "sanitizer report"
echo "serve-stress: ok ($clients concurrent sessions)"
