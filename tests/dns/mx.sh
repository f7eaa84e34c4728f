#!/usr/bin/env bash
# /mx and /connect --mx against DNS that never leaves the machine (the
# zones of dns.sh: example.test signed at test time, loaded with
# --dns-config) and mail servers on loopback only: the demo server
# (`smtpscope serve`) on 127.0.0.3 and 127.0.0.7, nothing at 127.0.0.2,
# 127.0.0.5, 127.0.0.6.  Cases: two MX, equal preferences, the implicit
# MX, Null MX, NXDOMAIN, a CNAME, an MX without addresses, a temporary
# failure, an address's domain, insecure answers; the first MX down and
# the second used; equal preferences both tried; --connect-to sending an
# MX (and the HOST operand) to a loopback port while the name stays for
# SNI.  Skips (77) only when ldnsutils is missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
export SMTPSCOPE_HELPDIR=${SMTPSCOPE_HELPDIR:-$here/../../help}
for t in ldns-keygen ldns-signzone ldns-key2ds; do
	command -v "$t" >/dev/null || { echo "SKIP: $t missing (Debian package ldnsutils)"; exit 77; }
done
tmp=$(mktemp -d /tmp/smtpscope-mx.XXXXXX)
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
fail=0 checks=0
. "$here/check-lib.sh"

"$here/sign.sh" "$here/example.test.zone" "$tmp" >"$tmp/sign.log" 2>&1 ||
	{ echo "FAIL: signing the test zone"; cat "$tmp/sign.log"; exit 1; }
cp "$here/reverse.zone" "$tmp/"

# run OUT INPUT ARGS...: line mode in $tmp (the configs' relative paths),
# the transcript in $tmp/OUT.txt, the exit status in $tmp/OUT.status.
run() {
	(cd "$tmp" && printf '%b' "$2" | timeout 60 "$bin" --batch "${@:3}" >"$1.txt" 2>&1)
	echo $? >"$tmp/$1.status"
}
# serve ADDR [PORT]: the demo server on ADDR (a free port by default);
# sets $port.
serve() {
	local log=$tmp/serve-$1.log i
	"$bin" serve --listen "$1:${2:-0}" >"$log" 2>&1 &
	pids="$pids $!"
	port=
	for i in $(seq 100); do
		port=$(sed -n "s/.*listening on $1:\([0-9]*\).*/\1/p" "$log" | head -1)
		[ -n "$port" ] && return 0
		sleep 0.05
	done
	echo "FAIL: the demo server on $1 did not start"; cat "$log"; exit 1
}
status_is() {
	checks=$((checks + 1))
	if [ "$(cat "$tmp/$1.status")" != "$2" ]; then
		echo "FAIL: $1: exit status $(cat "$tmp/$1.status"), expected $2"; fail=1
		sed 's/^/    /' "$tmp/$1.txt"
	fi
}

# ---- /mx: every case, secure ------------------------------------------
run plans '/mx two.example.test\n/mx equal.example.test\n/mx implicit.example.test\n/mx nullmx.example.test\n/mx nosuch.example.test\n/mx alias.example.test\n/mx noaddr.example.test\n/mx someone@example.test\n/mx example.test.\n/mx b\xc3\xbccher.example.test\n' \
	--dns-config "$here/secure.conf"
expect plans '=== MX two.example.test: two.example.test has 2 MX hosts (DNSSEC-secure), tried in order of preference: first mx1.two.example.test'
expect plans '===   1. mx1.two.example.test: preference 10, try 1 of 2; 1 address (0 IPv6, 1 IPv4), DNSSEC-secure'
expect plans '===       A 127.0.0.2 [secure]'
expect plans '===   2. mx2.two.example.test: preference 20, try 2 of 2; 1 address (0 IPv6, 1 IPv4), DNSSEC-secure'
expect plans '===       A 127.0.0.3 [secure]'
before plans 'mx1.two.example.test: preference 10' 'mx2.two.example.test: preference 20'
# equal preferences: marked, in either order, before the preference 30
expect plans 'equal.example.test has 3 MX hosts (DNSSEC-secure), tried in order of preference, equal preferences in random order'
expect plans 'mxa.equal.example.test (equal preference): preference 10, try '
expect plans 'mxb.equal.example.test (equal preference): preference 10, try '
expect plans 'one of 2 hosts at this preference, in random order (RFC 5321 5.1)'
expect plans '===   3. mxc.equal.example.test: preference 30, try 3 of 3; 1 address'
refuse plans 'mxc.equal.example.test (equal preference)'
# no MX: the domain itself, both families
expect plans '=== MX implicit.example.test: implicit.example.test has no MX records (DNSSEC-secure): a sender delivers to the domain'"'"'s own addresses, the implicit MX implicit.example.test'
expect plans '===   1. implicit.example.test: implicit MX: implicit.example.test has no MX records, so its own A/AAAA addresses take mail (RFC 5321 5.1); 2 addresses (1 IPv6, 1 IPv4)'
expect plans '===       AAAA ::1 [secure]'
expect plans '=== MX nullmx.example.test: nullmx.example.test accepts no mail: its MX is the Null MX "." (RFC 7505, DNSSEC-secure); a sender bounces at once and does not fall back to its addresses'
expect plans '=== MX nosuch.example.test: nosuch.example.test does not exist (NXDOMAIN, DNSSEC-secure): that is permanent, a sender bounces the message'
expect plans '=== alias.example.test is an alias (CNAME) of two.example.test.: the answer is two.example.test.'"'"'s'
expect plans '=== MX alias.example.test: alias.example.test has 2 MX hosts'
expect plans '===   1. gone.example.test: preference 10, try 1 of 1; no address: gone.example.test does not exist (NXDOMAIN)'
expect plans '=== someone@example.test: mail to it goes where its domain'"'"'s MX records say: looking up example.test'
expect plans '===   1. mx1.example.test: preference 10, try 1 of 2; 2 addresses (1 IPv6, 1 IPv4), DNSSEC-secure'
expect plans '=== MX example.test.: example.test has 2 MX hosts'
refuse plans 'no MX records (DNSSEC-secure): a sender delivers to the domain'"'"'s own addresses, the implicit MX nullmx'
# a Unicode name: asked in its A-label form (IDNA2008), no MX there
expect plans "=== MX b$(printf '\xc3\xbc')cher.example.test (xn--bcher-kva.example.test): xn--bcher-kva.example.test has no MX records (DNSSEC-secure)"
expect plans '===       A 127.0.0.4 [secure]'
refuse plans '***'
status_is plans 0

# ---- /mx: insecure, and a temporary failure (never "no MX") -------------
run insecure '/mx two.example.test\n/mx refused.test\n/mx nosuch.example.test\n' --dns-config "$here/insecure.conf"
expect insecure '=== MX two.example.test: two.example.test has 2 MX hosts (not DNSSEC-validated)'
expect insecure '===       A 127.0.0.2 [insecure]'
expect insecure '*** MX refused.test: the MX lookup of refused.test failed temporarily (server failure or timeout): a sender retries later; it does not mean there is no MX'
expect insecure '=== MX nosuch.example.test: nosuch.example.test does not exist (NXDOMAIN, not DNSSEC-validated)'
refuse insecure 'implicit MX refused.test'

# ---- bogus ---------------------------------------------------------------
run bogus '/mx two.example.test\n' --dns-config "$here/bogus.conf"
expect bogus '*** MX two.example.test: the MX answer for two.example.test failed DNSSEC validation'
refuse bogus 'try 1 of'

# ---- refusals ----------------------------------------------------------
run usage '/mx\n/mx someone@\n/mx \xe2\x98\x83.example.test\n/connect --mx\n/connect a b\n' --dns-config "$here/secure.conf"
expect usage '*** usage: /mx DOMAIN|ADDRESS'
expect usage '*** /mx: "someone@" has no domain: give a domain (example.org) or an address (user@example.org)'
expect usage 'is not a valid internationalised domain name (IDNA2008)'
expect usage '*** usage: /connect --mx ADDRESS|DOMAIN'
expect usage '*** usage: /connect HOST[:PORT] | unix:PATH | --pipe COMMAND | --mx ADDRESS|DOMAIN'
run badmap '' --connect-to mx1.example.test:25:127.0.0.1
expect badmap 'smtpscope: --connect-to "mx1.example.test:25:127.0.0.1": expected HOST:PORT:ADDR:PORT'
status_is badmap 2

# ---- /connect --mx: the first MX down, the second up --------------------
# listening ADDR PORT: something accepts connections there.
listening() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
# The demo server on 127.0.0.3 at a port where nothing listens on
# 127.0.0.2, .5, .6 or .7 (other tests may run servers on loopback).
for try in 1 2 3 4 5; do
	serve 127.0.0.3
	p3=$port
	busy=
	for a in 127.0.0.2 127.0.0.5 127.0.0.6 127.0.0.7; do
		listening "$a" "$p3" && busy=$a
	done
	[ -z "$busy" ] && break
	kill "${pids##* }"
done
run connect "/connect --mx someone@two.example.test\nEHLO client.example\nQUIT\n" \
	--dns-config "$here/secure.conf" -p "$p3"
expect connect '=== MX 1 of 2: mx1.two.example.test [127.0.0.2]'
expect connect '=== connecting to mx1.two.example.test port '"$p3"' at 127.0.0.2 ...'
expect connect '!!! connection to 127.0.0.2 port '"$p3"' refused'
expect connect '=== MX 2 of 2: mx2.two.example.test [127.0.0.3], the last to try'
expect connect '=== connected to 127.0.0.3 port '"$p3"
expect connect '=== MX 2 of 2: mx2.two.example.test [127.0.0.3] answered: this session is on it'
expect connect '<-  250-demo.test Hello client.example'
expect connect '<-  221 2.0.0 Bye'
before connect 'MX 1 of 2' 'MX 2 of 2'
before connect 'this session is on it' ' -> EHLO client.example'
refuse connect '***'
status_is connect 0

# every MX down: said, and the exit status of a failed connect
run alldown "/connect --mx two.example.test\n" --dns-config "$here/secure.conf" -p 1
expect alldown '!!! connection to 127.0.0.2 port 1 refused'
expect alldown '*** connection to 127.0.0.3 port 1 refused'
expect alldown '*** /connect --mx two.example.test: no MX answered (2 attempts on port 1): a sender would queue the message and retry later'
status_is alldown 3

# no host to connect to
run nullconnect "/connect --mx nullmx.example.test\n/connect --mx noaddr.example.test\n" --dns-config "$here/secure.conf"
expect nullconnect '*** /connect --mx nullmx.example.test: no host to connect to'
expect nullconnect '*** /connect --mx noaddr.example.test: no MX host has an address to connect to'
status_is nullconnect 5

# ---- equal preferences: both tried (nothing at .5 and .6), then .7 -------
serve 127.0.0.7 "$p3"
run equal "/connect --mx equal.example.test\nQUIT\n" --dns-config "$here/secure.conf" -p "$p3"
expect equal 'refused'
expect equal ': mxa.equal.example.test [127.0.0.5]'
expect equal ': mxb.equal.example.test [127.0.0.6]'
expect equal '=== MX 3 of 3: mxc.equal.example.test [127.0.0.7] answered: this session is on it'
status_is equal 0

# ---- --connect-to: an MX to a loopback port, the name kept for SNI ------
run mapped "/connect --mx two.example.test\nEHLO client.example\n/starttls\nEHLO client.example\nQUIT\n" \
	--dns-config "$here/secure.conf" --connect-to "mx1.two.example.test:25:127.0.0.3:$p3" --insecure
expect mapped "=== MX 1 of 2: mx1.two.example.test [127.0.0.3 port $p3, --connect-to]"
expect mapped "=== connecting to mx1.two.example.test port 25 at 127.0.0.3 port $p3 (--connect-to mx1.two.example.test:25:127.0.0.3:$p3) ..."
expect mapped "=== MX 1 of 2: mx1.two.example.test [127.0.0.3 port $p3, --connect-to] answered: this session is on it"
expect mapped 'TLS handshake, verifying mx1.two.example.test'
expect mapped '<~  250-demo.test Hello client.example'
refuse mapped 'MX 2 of 2'
status_is mapped 0
# the HOST operand, and an empty HOST matching any
run operand "QUIT\n" --connect-to "mail.example.test:25:127.0.0.3:$p3" mail.example.test
expect operand "=== connecting to mail.example.test port 25 at 127.0.0.3 port $p3 (--connect-to"
expect operand '<-  220 demo.test'
run anyhost "/connect whatever.test:2525\nQUIT\n" --connect-to "::127.0.0.3:$p3"
expect anyhost "=== connecting to whatever.test port 2525 at 127.0.0.3 port $p3"
expect anyhost '<-  221 2.0.0 Bye'

echo "mx.sh: $checks checks, $([ $fail = 0 ] && echo all passed || echo some FAILED)"
exit $fail
