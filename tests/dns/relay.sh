#!/usr/bin/env bash
# `smtpscope probe --relay-test` and `--blocklists`, with nothing leaving
# the machine: relay.test and the blocklists dnsbl.test and clean.test
# served in-process by libunbound (--dns-config relay.conf), the test list
# blocklists.txt (--blocklists-file; only zones under .test), and two demo
# servers on one free port: 127.0.0.2 relays for nobody, 127.0.0.12 is an
# open relay.  The probe's connections on loopback come from 127.0.0.1,
# which dnsbl.test lists.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
export SMTPSCOPE_HELPDIR=${SMTPSCOPE_HELPDIR:-$here/../../help}
tmp=$(mktemp -d /tmp/smtpscope-relay.XXXXXX)
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0 checks=0
. "$here/check-lib.sh"
cp "$here"/relay.test.zone "$here"/dnsbl.test.zone "$here"/clean.test.zone \
	"$here"/probe-reverse.zone "$here"/probe.test.zone "$here"/relay.conf "$here"/blocklists.txt "$tmp/"

start_demos 127.0.0.2:"$here/probe-relay-closed.scn" 127.0.0.12:"$here/probe-relay-open.scn"

# run OUT ARGS...: smtpscope probe in $tmp with the test zones and port;
# with --json, stderr apart in $tmp/OUT.err (a slow run, as under
# valgrind, writes "still waiting" notes there), else in $tmp/OUT.txt too.
run() {
	local out=$1 a
	shift
	for a; do
		[ "$a" = --json ] || continue
		(cd "$tmp" && timeout 60 "$bin" probe "$@" --dns-config relay.conf -p "$port" >"$out.txt" 2>"$out.err")
		echo $? >"$tmp/$out.status"
		return
	done
	(cd "$tmp" && timeout 60 "$bin" probe "$@" --dns-config relay.conf -p "$port" >"$out.txt" 2>&1)
	echo $? >"$tmp/$out.status"
}
# json OUT PYTHON-ASSERTION: $tmp/OUT.txt parsed as d
json() {
	checks=$((checks + 1))
	/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert $2, d" "$tmp/$1.txt" ||
		{ echo "FAIL: $1: $2"; fail=1; }
}

# ---- relay test refused: not an open relay -----------------------------------
run closed user@closed.relay.test --relay-test
status closed 0
expect closed '[mx-closed.relay.test 127.0.0.2] === relay test: RCPT TO a domain this server must not accept'
expect closed '~> RCPT TO:<relay-test@smtpscope-'
expect closed '[mx-closed.relay.test 127.0.0.2] === relay test: refused as relaying (554): not an open relay'
expect closed 'RCPT                       relay test'
expect closed '250 2.1.5 (accepted)       refused 554 5.7.1'
expect closed '=== relay test: 1 server tried, none accepted RCPT TO:<relay-test@smtpscope-'
refuse closed 'OPEN RELAY'
# every name is answered by the test zones: nothing waits for the network
expect closed '=== reverse DNS: mx-ok.probe.test is forward-confirmed (its name points back to the address)'
# the recipient is under .invalid, whatever the seed
checks=$((checks + 1))
grep -qE 'RCPT TO:<relay-test@smtpscope-[0-9a-f]{8}\.invalid>' "$tmp/closed.txt" ||
	{ echo "FAIL: closed: the relay recipient is not relay-test@smtpscope-HEX.invalid"; fail=1; }

# ---- relay test accepted: an open relay, said loudly; the verdict stays ------
run open user@open.relay.test --relay-test
status open 0
expect open '[mx-open.relay.test 127.0.0.12] !!! relay test: OPEN RELAY: the server accepted a recipient'
expect open '250 2.1.5 (accepted)       OPEN RELAY 250 2.1.5'
expect open '=== verdict: deliverable (exit 0): deliverable via mx-open.relay.test'
expect open '!!! OPEN RELAY: 1 of 1 relay test accepted RCPT TO:<relay-test@smtpscope-'
run openjson user@open.relay.test --relay-test --json
status openjson 0
json openjson 'd["open_relay"] is True and d["relay_to"].startswith("relay-test@smtpscope-") and d["relay_to"].endswith(".invalid")'
json openjson 'd["attempts"][0]["relay_test"] == {"reply": {"code": 250, "enhanced": "2.1.5", "text": "<%s>: Recipient ok" % d["relay_to"], "diagnosis": "accepted"}, "open_relay": True}'
# without --relay-test: no second RCPT, null fields
run norelay user@open.relay.test --json
json norelay 'd["open_relay"] is None and d["relay_to"] is None and d["attempts"][0]["relay_test"] is None and d["blocklists"] is None'
run norelay2 user@open.relay.test
refuse norelay2 'relay test'

# ---- blocklists: the local address of the connection, listed ----------------
run listed user@closed.relay.test --blocklists-file blocklists.txt
status listed 0
expect listed '=== blocklists: 1 address in the 2 zones of blocklists.txt (RFC 5782)'
expect listed '!!! blocklist dnsbl.test: 127.0.0.1 LISTED (127.0.0.4): listed for the test: a spam trap hit'
expect listed '=== blocklist clean.test: 127.0.0.1 not listed'
expect listed '!!! blocklists: the sending address is listed in 1 of 2 lookups'
# the given address: the RFC 5782 test point, listed, in JSON
run given user@closed.relay.test --blocklists 127.0.0.2 --blocklists-file blocklists.txt --json
status given 0
json given 'd["blocklists"]["file"] == "blocklists.txt"'
json given 'd["blocklists"]["checks"][0] == {"address": "127.0.0.2", "zone": "dnsbl.test", "query": "2.0.0.127.dnsbl.test", "status": "listed", "listed": True, "codes": "127.0.0.2", "reason": "test point: see http://dnsbl.test/lookup?127.0.0.2", "error": None}'
json given 'd["blocklists"]["checks"][1]["status"] == "not-listed" and d["blocklists"]["checks"][1]["listed"] is False'
# not listed anywhere (NXDOMAIN), with --blocklists=IP
run clean user@closed.relay.test --blocklists=192.0.2.1 --blocklists-file blocklists.txt
expect clean '=== blocklist dnsbl.test: 192.0.2.1 not listed'
expect clean '=== blocklists: not listed in any of the 2 lookups'
refuse clean 'LISTED'
# 127.255.255.254: the list refused the query, never "listed"
run refusedq user@closed.relay.test --blocklists 127.0.0.3 --blocklists-file blocklists.txt
expect refusedq '=== blocklist dnsbl.test: 127.0.0.3 query refused by the list (127.255.255.254): NOT a listing'
expect refusedq '=== blocklists: not listed in any of the 2 lookups'
refuse refusedq 'LISTED'
run refusedj user@closed.relay.test --blocklists 127.0.0.3 --blocklists-file blocklists.txt --json
json refusedj 'd["blocklists"]["checks"][0]["status"] == "refused" and d["blocklists"]["checks"][0]["listed"] is False'
# IPv6: reversed nibbles
run v6 user@closed.relay.test --blocklists ::1 --blocklists-file blocklists.txt --json
json v6 'd["blocklists"]["checks"][0]["query"] == "1." + "0." * 31 + "dnsbl.test" and d["blocklists"]["checks"][0]["status"] == "listed"'
# no connection and no IP: nothing to look up, said
run nothing user@nosuch.relay.test --blocklists-file blocklists.txt
expect nothing '=== blocklists: no connection was made, so no sending address to look up'
# a bad list, a bad IP
printf 'dnsbl.test ok\nbad..zone x\n' >"$tmp/bad.txt"
run badlist user@closed.relay.test --blocklists-file bad.txt
status badlist 2
expect badlist 'smtpscope probe: --blocklists: bad.txt:2: not a DNS zone name: "bad..zone"'
run badip user@closed.relay.test --blocklists=not-an-ip
status badip 2
expect badip '--blocklists wants an IPv4 or IPv6 address (got "not-an-ip")'

# --help names both options
(cd "$tmp" && "$bin" probe --help >help.txt 2>&1)
expect help '--relay-test          after RCPT, also RCPT TO:<relay-test@LABEL.invalid>'
expect help '--blocklists [IP]     look the sending address'
expect help '--blocklists-file FILE'

echo "relay.sh: $checks checks, $([ $fail = 0 ] && echo all passed || echo some FAILED)"
exit $fail
