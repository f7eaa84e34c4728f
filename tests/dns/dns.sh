#!/usr/bin/env bash
# /dns against DNS that never leaves the machine: example.test signed at
# test time (sign.sh) and served in-process by libunbound through
# --dns-config — secure with its DS as the anchor, insecure unsigned
# without one, bogus with the DS of another key — and ldns-testns on
# 127.0.0.1 (through --resolver) for SERVFAIL, REFUSED and a resolver that strips
# DNSSEC.  Every record type, NXDOMAIN, NODATA, a followed CNAME, Null MX,
# an IDN name, a name with an escaped dot, PTR by address.  No test asks
# the system resolver or a name outside .test and 192.0.2.0/24; with strace
# present, that is checked too.  Skips (77) only when ldnsutils is missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
export SMTPSCOPE_HELPDIR=${SMTPSCOPE_HELPDIR:-$here/../../help}
for t in ldns-keygen ldns-signzone ldns-key2ds ldns-testns; do
	command -v "$t" >/dev/null || { echo "SKIP: $t missing (Debian package ldnsutils)"; exit 77; }
done
tmp=$(mktemp -d /tmp/smtpscope-dns.XXXXXX)
pids=
cleanup() {
	local p
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
fail=0 checks=0

"$here/sign.sh" "$here/example.test.zone" "$tmp" >"$tmp/sign.log" 2>&1 ||
	{ echo "FAIL: signing the test zone"; cat "$tmp/sign.log"; exit 1; }
cp "$here/reverse.zone" "$tmp/"

# run OUT INPUT ARGS...: smtpscope in line mode in $tmp (where the configs'
# relative paths point), the transcript in $tmp/OUT.
run() {
	local out=$1 input=$2
	shift 2
	(cd "$tmp" && printf '%b' "$input" | timeout 60 "$bin" --batch "$@" >"$out.txt" 2>&1)
	echo $? >"$tmp/$out.status"
}

. "$here/check-lib.sh"

# ---- secure: the signed zone and its DS -------------------------------
run secure '/dns MX example.test\n/dns A mx1.example.test\n/dns AAAA mx1.example.test\n/dns TXT example.test\n/dns TLSA _25._tcp.mx1.example.test\n/dns A www.example.test\n/dns CNAME www.example.test\n/dns NS example.test\n/dns MX nullmx.example.test\n/dns MX nosuch.example.test\n/dns MX nomail.example.test\n/dns PTR ptr.example.test\n/dns PTR 192.0.2.25\n/dns A b\xc3\xbccher.example.test\n/dns CNAME esc.example.test\n/dns TXT weird\\\\.label.example.test\n' \
	--dns-config "$here/secure.conf"
expect secure '=== MX example.test: secure (DNSSEC-validated), 2 records'
expect secure '===   MX 10 mx1.example.test. [secure]'
expect secure '===   MX 20 mx2.example.test. [secure]'
expect secure '===   A 127.0.0.2 [secure]'
expect secure '===   AAAA ::1 [secure]'
expect secure '===   TXT "v=spf1 ip4:127.0.0.2 -all" [secure]'
expect secure '===   TXT "a long record in two strings" [secure]'
expect secure '===   TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef [secure]'
expect secure '=== A www.example.test: an alias (CNAME) of mx1.example.test., followed'
expect secure '===   CNAME mx1.example.test. [secure]'
expect secure '===   NS ns1.example.test. [secure]'
expect secure '===   MX 0 . [secure]: Null MX (RFC 7505), this domain accepts no mail'
expect secure '=== MX nosuch.example.test: NXDOMAIN [secure]: the name does not exist; a permanent answer'
expect secure '=== MX nomail.example.test: NODATA [secure]: the name exists but has no MX records'
expect secure '=== PTR ptr.example.test: secure'
expect secure '=== PTR 192.0.2.25 (25.2.0.192.in-addr.arpa.): insecure (not signed, or no chain of trust), 1 record'
expect secure '===   PTR mx1.example.test. [insecure]'
expect secure "=== A b$(printf '\xc3\xbc')cher.example.test (xn--bcher-kva.example.test): secure"
expect secure '===   A 127.0.0.4 [secure]'
# the escaped dot inside a label (the transcript shows a backslash doubled)
expect secure '===   CNAME weird\\.label.example.test. [secure]'
expect secure '===   TXT "a label with a dot in it" [secure]'
refuse secure 'strip DNSSEC'
refuse secure '***'

# ---- insecure: the unsigned zone, no anchor ----------------------------
run insecure '/dns MX example.test\n/dns MX nosuch.example.test\n/dns TXT mx1.example.test\n/dns MX refused.test\n' \
	--dns-config "$here/insecure.conf"
expect insecure '=== MX example.test: insecure (not signed, or no chain of trust), 2 records'
expect insecure '===   MX 10 mx1.example.test. [insecure]'
expect insecure '=== MX nosuch.example.test: NXDOMAIN [insecure]'
expect insecure '=== TXT mx1.example.test: NODATA [insecure]'
expect insecure '*** MX refused.test: temporary failure (the resolver answered REFUSED)'

# ---- bogus: the signed zone, the DS of another key ----------------------
run bogus '/dns MX example.test\n/dns A mx1.example.test\n' --dns-config "$here/bogus.conf"
expect bogus '*** MX example.test: bogus: validation failure <example.test. MX IN>'
expect bogus 'the answer failed DNSSEC validation, so the resolver withholds it'
expect bogus '*** A mx1.example.test: bogus: '
refuse bogus '[secure]'

# ---- refusals ------------------------------------------------------------
run refused '/dns SOA example.test\n/dns A \xe2\x98\x83.example.test\n/dns MX\n' \
	--dns-config "$here/secure.conf"
expect refused '*** /dns: no type "SOA": one of A, AAAA, CNAME, MX, NS, PTR, TLSA, TXT'
expect refused 'is not a valid internationalised domain name (IDNA2008)'
expect refused '*** usage: /dns TYPE NAME'
run badconf '/dns MX example.test\n' --dns-config "$tmp/none.conf"
expect badconf "--dns-config $tmp/none.conf: cannot read the file"
run both '' --dns-config "$here/secure.conf" --resolver 127.0.0.1
expect both '--dns-config is the whole resolver set-up'
run badres '/dns MX example.test\n' --resolver 127.0.0.1@99999
expect badres '--resolver wants ADDR[@PORT]'

# ---- SERVFAIL from a fake server: a temporary failure -------------------
start_testns servfail.data
trust=()
[ -r /usr/share/dns/root.key ] || trust=(--trust-anchor "$tmp/ta.ds")
run servfail '/dns MX example.test\n/dns A mx1.example.test\n' --resolver "127.0.0.1@$port" "${trust[@]}"
expect servfail '*** MX example.test: temporary failure (the resolver answered SERVFAIL): no answer for now, which says nothing about whether the records exist; try again later'
expect servfail '*** A mx1.example.test: temporary failure'
refuse servfail 'NXDOMAIN'
refuse servfail 'bogus'
start_testns refused.data
run refusedrc '/dns TXT example.test\n' --resolver "127.0.0.1@$port" "${trust[@]}"
# (libunbound takes a forwarder's REFUSED as a failed server: SERVFAIL)
expect refusedrc '*** TXT example.test: temporary failure (the resolver answered SERVFAIL)'

# ---- a resolver that strips DNSSEC: said once, with the way out --------
if [ -r /usr/share/dns/root.key ]; then
	start_testns strip.data
	run strip '/dns MX example.test\n/dns A example.test\n' --resolver "127.0.0.1@$port"
	expect strip '!!! the resolver in use seems to strip DNSSEC'
	expect strip '--recursive iterates from the root without it'
	checks=$((checks + 1))
	if [ "$(grep -c 'strip DNSSEC' "$tmp/strip.txt")" != 1 ]; then
		echo "FAIL: strip: the stripping resolver should be said once"; fail=1
	fi
else
	echo "note: /usr/share/dns/root.key missing (dns-root-data): stripping case not run"
fi

# ---- nothing leaves the machine with --dns-config ----------------------
if command -v strace >/dev/null; then
	# (LeakSanitizer cannot run under ptrace: off for this run only)
	(cd "$tmp" && printf '/dns MX example.test\n/dns A nosuch.example.test\n' |
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -e trace=connect,sendto,sendmsg -o "$tmp/strace.txt" \
			"$bin" --batch --dns-config "$here/secure.conf" >"$tmp/strace-run.txt" 2>&1)
	expect strace-run '=== A nosuch.example.test: NXDOMAIN [secure]'
	checks=$((checks + 1))
	off=$(grep -oE 'inet_addr\("[0-9.]+"\)|inet_pton\(AF_INET6, "[^"]*"' "$tmp/strace.txt" |
		grep -vE '"127\.|"::1"' || true)
	if [ -n "$off" ]; then
		echo "FAIL: with --dns-config, addresses off loopback were used:"; echo "$off"; fail=1
	fi
fi

echo "dns.sh: $checks checks, $([ $fail = 0 ] && echo all passed || echo some FAILED)"
exit $fail
