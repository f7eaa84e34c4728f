#!/usr/bin/env bash
# `smtpscope probe` end to end, with nothing leaving the machine: the DNS
# is probe.test and the reverse zone of 127.0.0.0/24 served in-process by
# libunbound (--dns-config probe.conf, unsigned: insecure answers), or
# ldns-testns on 127.0.0.1 answering SERVFAIL or a malformed packet (--resolver); the MX hosts
# are demo servers (`smtpscope serve`) on 127.0.0.2 ... 127.0.0.7, all on
# one free port that the probe is given with -p.  Each case's verdict line
# and exit status; --json parsed with python3 and checked field by field;
# the steps, the table and a long wait's note in line mode.  Skips (77)
# only when ldns-testns is missing (the SERVFAIL case needs it).
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
export SMTPSCOPE_HELPDIR=${SMTPSCOPE_HELPDIR:-$here/../../help}
command -v ldns-testns >/dev/null || { echo "SKIP: ldns-testns missing (Debian package ldnsutils)"; exit 77; }
tmp=$(mktemp -d /tmp/smtpscope-probe.XXXXXX)
pids=
cleanup() {
	local p
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail=0 checks=0
. "$here/check-lib.sh"
cp "$here/probe.test.zone" "$here/probe-reverse.zone" "$here/probe.conf" "$here/reverse.zone" "$tmp/"

# The demo servers: address and scenario (a shipped name or a file here).
start_demos 127.0.0.2:"$here/probe-ok.scn" 127.0.0.3:"$here/probe-unknown.scn" \
	127.0.0.4:"$here/probe-grey.scn" 127.0.0.5:greeting-refused \
	127.0.0.6:"$here/probe-ok.scn" 127.0.0.7:"$here/probe-slow.scn" \
	127.0.0.10:"$here/probe-noehlo.scn" [::1]:"$here/probe-ok.scn"

# probe OUT ARGS...: smtpscope probe in $tmp; output in $tmp/OUT.txt,
# exit status in $tmp/OUT.status.
probe() {
	local out=$1
	shift
	(cd "$tmp" && timeout 60 "$bin" probe "$@" >"$out.txt" 2>&1)
	echo $? >"$tmp/$out.status"
}
# probe_json OUT ARGS...: the same with --json, stderr apart in $tmp/OUT.err.
probe_json() {
	local out=$1
	shift
	(cd "$tmp" && timeout 60 "$bin" probe "$@" --json >"$out.txt" 2>"$out.err")
	echo $? >"$tmp/$out.status"
}
# case NAME TARGET STATUS VERDICT-LINE-START [more probe options]
case_() {
	local name=$1 target=$2 st=$3 line=$4
	shift 4
	probe "$name" "$target" --dns-config probe.conf -p "$port" "$@"
	status "$name" "$st"
	expect "$name" "=== verdict: $line"
}

# ---- the first MX is down, the second takes the mail ------------------
case_ down user@down.probe.test 0 'deliverable (exit 0): deliverable via mx-ok.probe.test (127.0.0.2, TLS, but the certificate does not verify: self-signed certificate), after 1 earlier address did not take it'
expect down '===   1. mx-down.probe.test: preference 10, try 1 of 2'
expect down '[mx-down.probe.test 127.0.0.9] *** connection to 127.0.0.9 port '
expect down '[mx-ok.probe.test 127.0.0.2] (insecure)  ~> RCPT TO:<user@down.probe.test>'
expect down '[mx-ok.probe.test 127.0.0.2] === the certificate is checked for mx-ok.probe.test; a failed check is recorded'
expect down '[mx-ok.probe.test 127.0.0.2] ~~~ STARTTLS accepted: TLS handshake, verifying mx-ok.probe.test as a host name'
expect down '[mx-ok.probe.test 127.0.0.2] (insecure)  ~> RSET'
expect down '[mx-ok.probe.test 127.0.0.2] (insecure)  ~> QUIT'
expect down '  # 250 2.1.5 accepted: '
expect down '=== 1   mx-down.probe.test           127.0.0.9        refused'
expect down 'mx-ok.probe.test fcrdns =banner 250 2.1.5 (accepted)'
expect down '=== next step: '
refuse down '> DATA'
refuse down "=== the sender's side"

# ---- --connect-to: the MX host's name kept, the connection elsewhere ----
# (no -p: the rule maps port 25 of mx-down, which the DNS puts on the
# closed 127.0.0.9, to the demo server on 127.0.0.2)
probe connectto user@down.probe.test --dns-config probe.conf --parallel 1 \
	--connect-to "mx-down.probe.test:25:127.0.0.2:$port" --connect-to "::127.0.0.9:$port"
status connectto 0
expect connectto '=== verdict: deliverable (exit 0): deliverable via mx-down.probe.test (127.0.0.9, TLS, but the certificate does not verify'
expect connectto "[mx-down.probe.test 127.0.0.9] === connecting to mx-down.probe.test port 25 at 127.0.0.2 port $port (--connect-to mx-down.probe.test:25:127.0.0.2:$port) ..."
expect connectto '~~~ verification: FAILED: self-signed certificate (checked mx-down.probe.test as a host name)'
expect connectto '[mx-down.probe.test 127.0.0.9] (insecure)  ~> RCPT TO:<user@down.probe.test>'
probe badconnectto user@down.probe.test --dns-config probe.conf --connect-to mx-down.probe.test:25:127.0.0.2
status badconnectto 2
expect badconnectto 'smtpscope probe: --connect-to "mx-down.probe.test:25:127.0.0.2": expected HOST:PORT:ADDR:PORT'

# ---- equal preferences: both hosts tried --------------------------------
case_ equal user@equal.probe.test 0 'deliverable (exit 0): deliverable via mx-ok'
expect equal 'one of 2 hosts at this'
expect equal '[mx-ok.probe.test 127.0.0.2] (insecure) <~  250 2.1.5 <user@equal.probe.test>: Recipient ok'
expect equal '[mx-ok2.probe.test 127.0.0.6] (insecure) <~  250 2.1.5 <user@equal.probe.test>: Recipient ok'
# the order of equal preferences is random: two seeds give the two orders,
# and the verdict rests on whichever was tried first
case_ equal1 user@equal.probe.test 0 'deliverable (exit 0): deliverable via mx-ok.probe.test (127.0.0.2' --seed 1
expect equal1 '===   1. mx-ok.probe.test: preference 10, try 1 of 2; one of 2 hosts at this preference, in random order'
case_ equal3 user@equal.probe.test 0 'deliverable (exit 0): deliverable via mx-ok2.probe.test (127.0.0.6' --seed 3
expect equal3 '===   1. mx-ok2.probe.test: preference 10, try 1 of 2'
expect equal3 '[mx-ok.probe.test 127.0.0.2] (insecure)  ~> RCPT TO:<user@equal.probe.test>'

# ---- implicit MX ---------------------------------------------------------
case_ implicit user@implicit.probe.test 0 'deliverable (exit 0): deliverable via implicit.probe.test (127.0.0.2'
expect implicit 'implicit MX: implicit.probe.test has no MX records'

# ---- a domain alone: RCPT asks for its postmaster -----------------------
case_ domain unknown.probe.test 0 'deliverable (exit 0): deliverable via mx-unknown.probe.test'
expect domain 'RCPT TO asks for postmaster@unknown.probe.test'
expect domain '(insecure)  ~> RCPT TO:<postmaster@unknown.probe.test>'

# ---- Null MX, NXDOMAIN ---------------------------------------------------
case_ nullmx user@nullmx.probe.test 41 'null-mx (exit 41): the domain nullmx.probe.test accepts no mail (Null MX)'
refuse nullmx 'attempt 1 of'
case_ nxdomain user@nosuch.probe.test 42 'no-such-domain (exit 42): the domain nosuch.probe.test does not exist (NXDOMAIN)'

# ---- recipient unknown; PTR missing ---------------------------------------
case_ unknown user@unknown.probe.test 48 'recipient-unknown (exit 48): mx-unknown.probe.test says the recipient does not exist, at the recipient (RCPT TO): 550 5.1.1'
expect unknown '(mailbox-unknown)'
expect unknown '[mx-unknown.probe.test 127.0.0.3] === reverse DNS: no PTR record for this address'
expect unknown '=== 1   mx-unknown.probe.test        127.0.0.3        yes'
expect unknown 'no PTR                     550 5.1.1 (mailbox-unknown)'
expect unknown '=== next step: check the spelling of the part before the @'

# ---- greylisted ------------------------------------------------------------
case_ grey user@grey.probe.test 50 'greylisted (exit 50): mx-grey.probe.test greylisted the recipient'
expect grey '450 4.7.1 (greylisted)'

# ---- a 554 greeting; a PTR that does not point back ------------------------
case_ refused user@refused.probe.test 52 'policy-refused (exit 52): mx-refused.probe.test refused this sending host, at the connection (greeting): 554'
expect refused '[mx-refused.probe.test 127.0.0.5] <-  554 '
expect refused '[mx-refused.probe.test 127.0.0.5]  -> QUIT'
expect refused '=== reverse DNS: mx-ok.probe.test is NOT forward-confirmed'
expect refused 'mx-ok.probe.test NOT fcrdns greeting 554 5.7.1'
refuse refused 'EHLO'

# ---- a long wait is said, with what and how long; attempts run at once -------
t0=$(date +%s%N)
case_ slow user@slow.probe.test 0 'deliverable (exit 0): deliverable via mx-slow.probe.test'
t1=$(date +%s%N)
# (the note comes with the first 1 s tick past 5 s: 5 or 6 s on a loaded machine)
expect slow '[mx-slow.probe.test 127.0.0.7] === still waiting for the greeting: '
expect slow ' s so far (gives up after 30 s)'
expect slow '[mx-slow2.probe.test 127.0.0.7] === still waiting for the greeting: '
expect slow '[mx-slow.probe.test 127.0.0.7] === the greeting took 6 s: a deliberate delay'
checks=$((checks + 1))
ms=$(( (t1 - t0) / 1000000 ))
# (under valgrind, SMTPSCOPE_TEST_SLOW, the start-up alone takes seconds)
if [ "$ms" -ge 11000 ] && [ -z "${SMTPSCOPE_TEST_SLOW:-}" ]; then
	echo "FAIL: slow: two 6 s greetings took $ms ms: the attempts did not run at once"; fail=1
fi
probe_json slow1 user@slow.probe.test --dns-config probe.conf -p "$port" --parallel 1
status slow1 0
checks=$((checks + 1))
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["elapsed_ms"] >= 12000, d["elapsed_ms"]' "$tmp/slow1.txt" ||
	{ echo "FAIL: slow1: --parallel 1 should take the sum of the waits"; fail=1; }
# with --json the long waits go to stderr
checks=$((checks + 1))
grep -qF 'smtpscope probe: [mx-slow2.probe.test 127.0.0.7] === still waiting for the greeting: ' "$tmp/slow1.err" ||
	{ echo "FAIL: slow1: no wait note on stderr"; cat "$tmp/slow1.err"; fail=1; }

# ---- every connection times out: port 25 blocked -----------------------------
# a listener on 127.0.0.8 that never accepts, its backlog full: SYNs go
# unanswered, as when a network drops outbound port 25
exec 3< <(/usr/bin/python3 -c '
import socket, sys, time
port = int(sys.argv[1])
s = socket.socket(); s.bind(("127.0.0.8", port)); s.listen(0)
fill = []
for i in range(3):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(("127.0.0.8", port))
    except BlockingIOError: pass
    fill.append(c)
print("ready", flush=True); time.sleep(30)' "$port")
pids="$pids $!"
if read -r -t 10 ready <&3 && [ "$ready" = ready ]; then
	case_ blocked user@blocked.probe.test 47 'port25-blocked (exit 47): ' --connect-timeout 1
	expect blocked '[mx-blocked.probe.test 127.0.0.8] *** connection to 127.0.0.8 port '
	expect blocked 'mx-blocked.probe.test        127.0.0.8        timeout'
else
	echo "FAIL: blocked: the listener on 127.0.0.8 did not start"; fail=1
fi
exec 3<&-

# ---- EHLO refused: HELO, so no STARTTLS ------------------------------------
case_ helo user@helo.probe.test 40 'deliverable-no-tls (exit 40): '
expect helo '=== EHLO refused: trying HELO'
expect helo '[mx-helo.probe.test 127.0.0.10]  -> HELO smtpscope.invalid'
expect helo '[mx-helo.probe.test 127.0.0.10]  -> RCPT TO:<user@helo.probe.test>'
refuse helo '-> STARTTLS'

# ---- STARTTLS offered, the handshake breaks: again without TLS ----------------
# a peer on 127.0.0.11 whose first connection answers STARTTLS with 220 and
# closes; the second takes the mail
exec 3< <(/usr/bin/python3 -c '
import socket, sys
port = int(sys.argv[1])
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.11", port)); s.listen(2); s.settimeout(30)
print("ready", flush=True)
for n in (1, 2):
    c, _ = s.accept(); c.settimeout(10); f = c.makefile("rb")
    c.sendall(b"220 mx-badtls.probe.test ESMTP\r\n")
    while True:
        line = f.readline().strip().upper()
        if not line:
            break
        if line.startswith(b"EHLO"):
            c.sendall(b"250-mx-badtls.probe.test\r\n250 STARTTLS\r\n")
        elif line == b"STARTTLS":
            c.sendall(b"220 go ahead\r\n"); break
        elif line == b"QUIT":
            c.sendall(b"221 bye\r\n"); break
        else:
            c.sendall(b"250 2.0.0 ok\r\n")
    f.close(); c.close()' "$port")
pids="$pids $!"
if read -r -t 10 ready <&3 && [ "$ready" = ready ]; then
	case_ badtls user@badtls.probe.test 40 'deliverable-no-tls (exit 40): deliverable via mx-badtls.probe.test'
	expect badtls '=== the TLS handshake failed: connecting again without STARTTLS'
	expect badtls '[mx-badtls.probe.test 127.0.0.11]  -> RCPT TO:<user@badtls.probe.test>'
	expect badtls 'mx-badtls.probe.test         127.0.0.11       yes'
	expect badtls ' failed '
else
	echo "FAIL: badtls: the peer on 127.0.0.11 did not start"; fail=1
fi
exec 3<&-

# ---- an MX on IPv6 (::1) -------------------------------------------------
case_ v6 user@v6.probe.test 0 'deliverable (exit 0): deliverable via mx-v6.probe.test (::1'
expect v6 '=== mx-v6.probe.test: 1 address (1 IPv6, 0 IPv4)'
expect v6 '[mx-v6.probe.test ::1] === connected to ::1 port '

# ---- SERVFAIL: a temporary failure, never "no MX" ---------------------------
# tempfail NAME DATA: the probe of user@down.probe.test through ldns-testns
# answering from DATA is a temporary DNS failure (43), no attempt made.
tempfail() {
	local smtp_port=$port tport
	start_testns "$2"
	tport=$port port=$smtp_port
	probe "$1" user@down.probe.test --resolver "127.0.0.1@$tport" -p "$port"
	status "$1" 43
	expect "$1" '=== verdict: dns-tempfail (exit 43): the MX lookup of down.probe.test failed temporarily'
	refuse "$1" 'no-such-domain'
	refuse "$1" 'attempt 1 of'
}
tempfail servfail servfail.data
# a malformed answer (an MX rdata cut short): the resolver library drops
# it, the lookup is a temporary failure, never a verdict drawn from it
tempfail malformed malformed.data

# ---- DNSSEC: the signed example.test of dns.sh ------------------------------
if command -v ldns-signzone >/dev/null && "$here/sign.sh" "$here/example.test.zone" "$tmp" >"$tmp/sign.log" 2>&1; then
	# the DS of another key as the anchor: the MX answer is bogus, unusable
	probe bogus user@example.test --dns-config "$here/bogus.conf"
	status bogus 44
	expect bogus '=== verdict: dns-bogus (exit 44): '
	refuse bogus 'attempt 1 of'
	# its own DS: the MX lookup is secure, and said so
	probe_json secure example.test --dns-config "$here/secure.conf" -p "$port" --from a@example.test
	checks=$((checks + 1))
	/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); m=d["mx"]; assert m["secure"] is True and m["outcome"]=="hosts" and [h["host"] for h in m["hosts"]]==["mx1.example.test","mx2.example.test"], m' "$tmp/secure.txt" ||
		{ echo "FAIL: secure: the MX plan of the signed zone"; fail=1; }
	# the sender's SPF record is secure too; no DMARC record, provably
	checks=$((checks + 1))
	/usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["sender"]; f=s["spf"]; d=s["dmarc"]; assert s["domain"]=="example.test" and f["dnssec"]=="secure" and f["lookup"]=="answer" and f["record"]=="v=spf1 ip4:127.0.0.2 -all" and f["defects"]==[] and d["dnssec"]=="secure" and d["lookup"]=="nxdomain" and d["record"] is None, s' "$tmp/secure.txt" ||
		{ echo "FAIL: secure: the sender SPF and DMARC of the signed zone"; fail=1; }
else
	echo "FAIL: signing the test zone"; cat "$tmp/sign.log"; fail=1
fi

# ---- usage ------------------------------------------------------------------
probe noarg
status noarg 2
expect noarg 'smtpscope probe: which address or domain?'
probe badport user@down.probe.test -p 99999
status badport 2
expect badport '--port wants a number from 1 to 65535 (got "99999")'
probe both user@down.probe.test --dns-config probe.conf --resolver 127.0.0.1
status both 2
probe nodomain user@
status nodomain 2
expect nodomain 'has no domain'

# ---- --json, field by field -------------------------------------------------
probe_json json user@down.probe.test --dns-config probe.conf -p "$port"
status json 0
checks=$((checks + 1))
if ! PORT=$port /usr/bin/python3 - "$tmp/json.txt" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
port = os.environ["PORT"]
def eq(path, got, want):
    if got != want:
        sys.exit("%s: %r, expected %r" % (path, got, want))
eq("target", d["target"], "user@down.probe.test")
eq("address", d["address"], "user@down.probe.test")
eq("domain", d["domain"], "down.probe.test")
eq("rcpt_to", d["rcpt_to"], "user@down.probe.test")
eq("from", d["from"], "")
eq("port", d["port"], port)
eq("mx.outcome", d["mx"]["outcome"], "hosts")
eq("mx.secure", d["mx"]["secure"], False)
eq("mx.hosts", [(h["host"], h["preference"], h["group"], h["implicit"], h["shuffled"])
                for h in d["mx"]["hosts"]],
   [("mx-down.probe.test", 10, 0, False, False), ("mx-ok.probe.test", 20, 1, False, False)])
eq("mx.notes", d["mx"]["notes"], [])
a0, a1 = d["attempts"]
eq("attempts[0].host", a0["host"], "mx-down.probe.test")
eq("attempts[0].address", a0["address"], "127.0.0.9")
eq("attempts[0].ipv6", a0["ipv6"], False)
eq("attempts[0].connection", a0["connection"], "refused")
eq("attempts[0].connect_ms", a0["connect_ms"], None)
eq("attempts[0].connect_error refused", "refused" in a0["connect_error"], True)
eq("attempts[0].greeting", a0["greeting"], None)
eq("attempts[0].rcpt", a0["rcpt"], None)
eq("attempts[0].ptr.name", a0["ptr"]["name"], None)
eq("attempts[1].host", a1["host"], "mx-ok.probe.test")
eq("attempts[1].address", a1["address"], "127.0.0.2")
eq("attempts[1].connection", a1["connection"], "connected")
eq("attempts[1].connect_ms is int", isinstance(a1["connect_ms"], int), True)
eq("attempts[1].greeting_ms is int", isinstance(a1["greeting_ms"], int), True)
eq("attempts[1].greeting.code", a1["greeting"]["code"], 220)
eq("attempts[1].greeting.diagnosis", a1["greeting"]["diagnosis"], "accepted")
eq("attempts[1].banner_name", a1["banner_name"], "mx-ok.probe.test")
eq("attempts[1].ehlo.code", a1["ehlo"]["code"], 250)
eq("attempts[1].ehlo_name", a1["ehlo_name"], "mx-ok.probe.test")
eq("attempts[1].tls", a1["tls"], {"offered": True, "ok": True, "verified": False,
   "error": "self-signed certificate", "auth": "opportunistic", "auth_text": None,
   "dane": {"state": "none", "why": "no DANE for mx-ok.probe.test: the MX records are not "
            "DNSSEC-validated", "records": 0, "usable": 0, "result": "off", "matched": None,
            "depth": None}, "mta_sts": None})
eq("attempts[1].ptr", a1["ptr"], {"name": "mx-ok.probe.test", "fcrdns": True,
   "matches_banner": True, "matches_ehlo": True, "temporary_failure": False})
eq("attempts[1].mail", a1["mail"], {"code": 250, "enhanced": "2.1.0", "text": "Sender <> ok",
   "diagnosis": "accepted"})
eq("attempts[1].rcpt", a1["rcpt"], {"code": 250, "enhanced": "2.1.5",
   "text": "<user@down.probe.test>: Recipient ok", "diagnosis": "accepted"})
eq("attempts[1].lost", a1["lost"], False)
v = d["verdict"]
eq("verdict.name", v["name"], "deliverable")
eq("verdict.exit_status", v["exit_status"], 0)
eq("verdict.attempt", v["attempt"], 1)
eq("verdict.host", v["host"], "mx-ok.probe.test")
eq("verdict.conclusion", v["conclusion"].startswith("deliverable via mx-ok.probe.test"), True)
eq("verdict.next_step is text", bool(v["next_step"]), True)
eq("elapsed_ms is int", isinstance(d["elapsed_ms"], int), True)
PY
then
	echo "FAIL: json: the fields above"; fail=1
	sed 's/^/    /' "$tmp/json.txt"
fi
# a case without attempts, in JSON too
probe_json jsonnull user@nullmx.probe.test --dns-config probe.conf
status jsonnull 41
checks=$((checks + 1))
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["attempts"]==[] and d["mx"]["outcome"]=="null-mx" and d["verdict"]["name"]=="null-mx", d' "$tmp/jsonnull.txt" ||
	{ echo "FAIL: jsonnull"; fail=1; }

# ---- the sender's side: --from's SPF and DMARC records ----------------------
case_ sender user@down.probe.test 0 'deliverable (exit 0): ' --from alice@sender.probe.test
expect sender "=== the sender's side: the SPF record (TXT at sender.probe.test) and the DMARC record (TXT at _dmarc.sender.probe.test)"
expect sender '=== sender SPF of sender.probe.test (insecure): v=spf1 ip4:127.0.0.0/8 mx -all'
expect sender '=== sender DMARC of sender.probe.test (_dmarc.sender.probe.test, insecure): v=DMARC1; p=reject;'
expect sender '=== sender DMARC policy: p=reject, aggregate reports (rua) to mailto:dmarc@sender.probe.test, failure reports (ruf) to mailto:ruf@sender.probe.test'
expect sender '[mx-ok.probe.test 127.0.0.2] (insecure)  ~> MAIL FROM:<alice@sender.probe.test>'
expect sender '=== sender sender.probe.test: SPF (insecure, answer) 1 record, all -all, 0 defects'
expect sender '=== sender sender.probe.test: DMARC (insecure, answer) 1 record, p=reject, 0 defects'
refuse sender '!!! sender'
# two SPF records, an invalid DMARC policy and a rua that is no URI: named
case_ badsender user@nullmx.probe.test 41 'null-mx (exit 41)' --from bob@badsender.probe.test
expect badsender '!!! sender SPF: spf-multiple: 2 SPF records: there must be exactly one'
expect badsender '!!! sender DMARC: dmarc-bad-policy: "p=maybe": the policy must be none, quarantine or reject'
expect badsender '!!! sender DMARC: dmarc-bad-uri: rua= "reports@badsender.probe.test" is not a mailto: URI'
expect badsender '=== sender badsender.probe.test: SPF (insecure, answer) 2 records, all '
expect badsender '=== sender badsender.probe.test: DMARC (insecure, answer) 1 record, p=maybe (invalid), 2 defects'
case_ nosender user@nullmx.probe.test 41 'null-mx (exit 41)' --from carol@nosender.probe.test
expect nosender '=== sender SPF of nosender.probe.test (insecure): no SPF record'
expect nosender '=== sender DMARC of nosender.probe.test (_dmarc.nosender.probe.test, insecure): no DMARC record'
expect nosender 'SPF (insecure, nodata) 0 records, all -, 0 defects'
expect nosender 'DMARC (insecure, nxdomain) 0 records, p=-, 0 defects'
# the null sender has no domain: nothing looked up
case_ nullsender user@nullmx.probe.test 41 'null-mx (exit 41)' --from ''
refuse nullsender '=== sender'
probe_json senderjson user@nullmx.probe.test --dns-config probe.conf --from bob@badsender.probe.test
status senderjson 41
checks=$((checks + 1))
if ! /usr/bin/python3 - "$tmp/senderjson.txt" "$tmp/json.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["sender"]
def eq(path, got, want):
    if got != want:
        sys.exit("%s: %r, expected %r" % (path, got, want))
eq("sender.domain", s["domain"], "badsender.probe.test")
f, m = s["spf"], s["dmarc"]
eq("spf.lookup", f["lookup"], "answer")
eq("spf.dnssec", f["dnssec"], "insecure")
eq("spf.why_bogus", f["why_bogus"], None)
eq("spf.records", f["records"], 2)
eq("spf.record is one of them", f["record"] in ("v=spf1 a foo:bar +all", "v=spf1 mx ~all"), True)
eq("spf.defects[0].id", f["defects"][0]["id"], "spf-multiple")
eq("spf.defects[0].text", f["defects"][0]["text"].startswith("2 SPF records"), True)
eq("spf fields", sorted(f), sorted(["lookup", "dnssec", "why_bogus", "records", "record", "all",
   "all_qualifier", "redirect", "terms", "dns_lookups", "defects"]))
eq("dmarc.lookup", m["lookup"], "answer")
eq("dmarc.dnssec", m["dnssec"], "insecure")
eq("dmarc.records", m["records"], 1)
eq("dmarc.record", m["record"], "v=DMARC1; p=maybe; rua=reports@badsender.probe.test")
eq("dmarc.p", m["p"], "maybe")
eq("dmarc.p_valid", m["p_valid"], False)
eq("dmarc.sp", m["sp"], None)
eq("dmarc.pct", m["pct"], None)
eq("dmarc.rua", m["rua"], "reports@badsender.probe.test")
eq("dmarc.ruf", m["ruf"], None)
eq("dmarc.defects", [x["id"] for x in m["defects"]], ["dmarc-bad-policy", "dmarc-bad-uri"])
# without --from: null
eq("no --from: sender", json.load(open(sys.argv[2]))["sender"], None)
PY
then
	echo "FAIL: senderjson: the fields above"; fail=1
	sed 's/^/    /' "$tmp/senderjson.txt"
fi

# ---- a real server: aiosmtpd (python3-aiosmtpd) as the implicit MX ------
# reached with --connect-to: the DNS says implicit.probe.test is 127.0.0.2,
# the rule sends port 25 of that name to aiosmtpd on 127.0.0.1 (no
# STARTTLS there: deliverable without TLS; a mailbox it does not know:
# 550 5.1.1, recipient unknown).
aio=$here/../integration/aiosmtpd_server.py
if /usr/bin/python3 -c 'import aiosmtpd.smtp' 2>/dev/null; then
	mkdir "$tmp/aio-store"
	/usr/bin/python3 "$aio" "$tmp/aio-port" "$tmp/aio-store" --lifetime 120 \
		--accept user@implicit.probe.test >"$tmp/aio.log" 2>&1 &
	pids="$pids $!"
	for i in $(seq 100); do [ -s "$tmp/aio-port" ] && break; sleep 0.1; done
	aport=$(cat "$tmp/aio-port" 2>/dev/null)
	probe aio user@implicit.probe.test --dns-config probe.conf --connect-to "implicit.probe.test:25:127.0.0.1:$aport"
	status aio 40
	expect aio '=== verdict: deliverable-no-tls (exit 40): deliverable via implicit.probe.test'
	expect aio '<-  220 aio.scope.test smtpscope-test aiosmtpd'
	expect aio '<-  250 2.1.5 Ok'
	probe aiounknown nobody@implicit.probe.test --dns-config probe.conf --connect-to "implicit.probe.test:25:127.0.0.1:$aport"
	status aiounknown 48
	expect aiounknown '=== verdict: recipient-unknown (exit 48): implicit.probe.test says the recipient does not exist'
	expect aiounknown '550 5.1.1 <nobody@implicit.probe.test>: Recipient address rejected: User unknown'
	refuse aiounknown '> DATA'
else
	echo "FAIL: aio: /usr/bin/python3 cannot import aiosmtpd (Debian package python3-aiosmtpd; scripts/quickstart test installs it)"; fail=1
fi

echo "probe.sh: $checks checks, $([ $fail = 0 ] && echo all passed || echo some FAILED)"
exit $fail
