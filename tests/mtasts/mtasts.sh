#!/usr/bin/env bash
# `smtpscope mtasts DOMAIN` end to end, with nothing leaving the machine:
# the DNS is sts.test served in-process by libunbound (--dns-config
# mtasts.conf, unsigned: insecure answers), one domain per case; the
# policies come from policy-server.py, HTTPS on 127.0.0.1 (and ::1) with
# certificates made here with the openssl CLI (a throwaway CA, one for
# every mta-sts.CASE.sts.test, one for another name), reached through
# --connect-to and trusted through --cafile.  Each case's lines and exit
# status; --json parsed with python3; a SERVFAIL resolver (ldns-testns,
# when installed) for the DNS failure; the usage errors.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
export SMTPSCOPE_HELPDIR=${SMTPSCOPE_HELPDIR:-$here/../../help}
command -v openssl >/dev/null || { echo "SKIP: the openssl CLI is missing"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 is missing"; exit 77; }
tmp=$(mktemp -d /tmp/smtpscope-mtasts.XXXXXX)
pids=
cleanup() {
	local p
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail=0 checks=0
. "$here/../dns/check-lib.sh"
cp "$here/sts.test.zone" "$here/mtasts.conf" "$tmp/"

. "$here/sts-setup.sh"

# mtasts OUT DOMAIN [options]: smtpscope mtasts in $tmp with the zone, the
# CA and the routes to the server; $tmp/OUT.txt (stdout and stderr) and
# $tmp/OUT.status.  mtasts_json: --json, stderr apart in $tmp/OUT.err.
mtasts() {
	local out=$1
	shift
	(cd "$tmp" && timeout 60 "$bin" mtasts "$@" --dns-config mtasts.conf --cafile ca.pem \
		"${routes[@]}" >"$out.txt" 2>&1)
	echo $? >"$tmp/$out.status"
}
mtasts_json() {
	local out=$1
	shift
	(cd "$tmp" && timeout 60 "$bin" mtasts "$@" --json --dns-config mtasts.conf --cafile ca.pem \
		"${routes[@]}" >"$out.txt" 2>"$out.err")
	echo $? >"$tmp/$out.status"
}
# json OUT PYTHON-EXPR...: each expression on the parsed object j is true.
json() {
	local out=$1 e
	shift
	for e in "$@"; do
		checks=$((checks + 1))
		if ! /usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
			"$tmp/$out.txt" "$e" 2>"$tmp/$out.pyerr"; then
			echo "FAIL: $out: --json: not true: $e"; fail=1
			sed 's/^/    /' "$tmp/$out.txt" "$tmp/$out.pyerr"
		fi
	done
}
# case_ NAME STATUS FINAL-LINE-START: mtasts NAME.sts.test, its status and
# the final line.
case_() {
	mtasts "$1" "$1.sts.test"
	status "$1" "$2"
	expect "$1" "$3"
}

# ---- policies in force -------------------------------------------------
case_ enforce 0 "=== MTA-STS: enforce: enforce.sts.test's MTA-STS policy is in force in mode enforce, for up to 86400 seconds: senders deliver only to MX hosts matching mx1.enforce.sts.test, *.mx.sts.test over TLS 1.2 or later with a certificate valid for the MX name"
expect enforce "=== TXT _mta-sts.enforce.sts.test (insecure): v=STSv1; id=20240101T000000 (id 20240101T000000)"
expect enforce "=== policy host mta-sts.enforce.sts.test: AAAA nodata (insecure); A 127.0.0.1 (insecure)"
expect enforce "=== fetching https://mta-sts.enforce.sts.test/.well-known/mta-sts.txt from 127.0.0.1 port $good (--connect-to mta-sts.enforce.sts.test:443::$good): "
expect enforce "=== policy fetched: HTTP 200, text/plain, 92 bytes"
expect enforce "=== policy: version STSv1, mode enforce, max_age 86400 s, mx mx1.enforce.sts.test, *.mx.sts.test: valid"
# TLS-RPT valid
expect enforce "=== TLS-RPT TXT _smtp._tls.enforce.sts.test (insecure): v=TLSRPTv1; rua=mailto:tlsrpt@sts.test; reports go to mailto:tlsrpt@sts.test"
refuse enforce "!!! "
case_ testing 0 "=== MTA-STS: testing: testing.sts.test's MTA-STS policy is in force in mode testing, for up to 604800 seconds: senders deliver as usual and report (TLS-RPT) when an MX does not match mx.testing.sts.test"
expect testing "Content-Type text/plain; charset=utf-8"
# TLS-RPT invalid: an ftp: rua
expect testing "!!! TLS-RPT TXT _smtp._tls.testing.sts.test (insecure): v=TLSRPTv1; rua=ftp://reports.sts.test/; reports go to ftp://reports.sts.test/: NOT VALID, senders send no reports"
expect testing "!!! TLS-RPT record: tlsrpt-bad-uri: a rua URI must be mailto: or https: (RFC 8460 3)"
case_ modenone 0 "=== MTA-STS: mode-none: modenone.sts.test's MTA-STS policy is in mode none: the domain has withdrawn MTA-STS"
expect modenone "=== policy: version STSv1, mode none, max_age 86400 s, mx (none): valid"
expect modenone "=== TLS-RPT TXT _smtp._tls.modenone.sts.test (insecure): NXDOMAIN, the name does not exist: TLS failures are not reported to the domain"
# over IPv6: the AAAA's ::1
if [ "$six" != 0 ]; then
	case_ six 0 "=== MTA-STS: enforce: six.sts.test's MTA-STS policy is in force in mode enforce, for up to 3600 seconds"
	expect six "=== policy host mta-sts.six.sts.test: AAAA ::1 (insecure); A nodata (insecure)"
	expect six "from ::1 port $six (--connect-to mta-sts.six.sts.test:443::$six)"
fi

# ---- policies that are not valid: as without MTA-STS -------------------
case_ nomx 63 "!!! MTA-STS: policy-invalid: the MTA-STS policy of nomx.sts.test is not valid (mode enforce without any mx line: no MX host could match): senders deliver as without MTA-STS (RFC 8461 3.2)"
expect nomx "!!! policy: version STSv1, mode enforce, max_age 86400 s, mx (none): NOT VALID"
expect nomx "!!! policy: policy-no-mx: "
case_ badmaxage 63 "!!! MTA-STS: policy-invalid: the MTA-STS policy of badmaxage.sts.test is not valid (line 4: max_age must be a number of seconds from 0 to 31557600: \"forever\")"
expect badmaxage "!!! policy: policy-bad-max-age: "
case_ badmode 63 "!!! MTA-STS: policy-invalid: the MTA-STS policy of badmode.sts.test is not valid (line 2: the mode must be enforce, testing or none: \"strict\")"
expect badmode "!!! policy: version STSv1, mode (none given), max_age 86400 s, mx mx.badmode.sts.test: NOT VALID"
# a hostile policy: its escape sequence and bell shown, never sent
case_ hostile 63 "!!! MTA-STS: policy-invalid: "
expect hostile '!!! policy: policy-bad-mode: line 2: the mode must be enforce, testing or none: "\x1b[31menforce\x07"'
checks=$((checks + 1))
if grep -q "$(printf '\033')" "$tmp/hostile.txt" || grep -q "$(printf '\007')" "$tmp/hostile.txt"; then
	echo "FAIL: hostile: a raw control byte reached the output"; fail=1
fi

# ---- records that are not valid: no MTA-STS -----------------------------
case_ twotxt 61 "!!! MTA-STS: record-invalid: the MTA-STS record of twotxt.sts.test is not valid (more than one v=STSv1 record): senders treat the domain as having no MTA-STS (RFC 8461 3.1)"
expect twotxt "!!! MTA-STS record: sts-txt-several: 2 records start with \"v=STSv1\""
refuse twotxt "fetching"
case_ noid 61 "!!! MTA-STS: record-invalid: the MTA-STS record of noid.sts.test is not valid (the record has no id= field (RFC 8461 3.1))"
expect noid "!!! MTA-STS record: sts-txt-no-id: "
refuse noid "fetching"

# ---- no record at all ----------------------------------------------------
case_ notxt 60 "=== MTA-STS: none: notxt.sts.test publishes no MTA-STS record (TXT _mta-sts.notxt.sts.test does not exist): senders deliver with opportunistic TLS, as without MTA-STS"
expect notxt "=== TXT _mta-sts.notxt.sts.test (insecure): NXDOMAIN, the name does not exist"
refuse notxt "fetching"
case_ othertxt 60 "=== MTA-STS: none: othertxt.sts.test publishes no MTA-STS record (TXT _mta-sts.othertxt.sts.test holds no v=STSv1 string)"
# an IDN domain goes out in its A-label form
mtasts idn "bücher.sts.test"
status idn 60
expect idn "=== MTA-STS of bücher.sts.test (xn--bcher-kva.sts.test): TXT _mta-sts.xn--bcher-kva.sts.test"

# ---- the policy cannot be fetched: as without MTA-STS ---------------------
fetch_failed="senders deliver as without MTA-STS (RFC 8461 3.3), so the policy protects nothing until it is served"
case_ notfound 62 "!!! MTA-STS: fetch-failed: notfound.sts.test has a valid MTA-STS record, but its policy could not be fetched (not-found: HTTP 404 at https://mta-sts.notfound.sts.test/.well-known/mta-sts.txt: there is no policy, although the record announces one): $fetch_failed"
case_ redirect 62 "!!! policy fetch failed: redirect: HTTP 302, a redirect to https://www.redirect.sts.test/mta-sts.txt: redirects are never followed (RFC 8461 3.3)"
expect redirect "$fetch_failed"
checks=$((checks + 1))
if grep -q "www.redirect" "$tmp/server.log"; then echo "FAIL: redirect: the redirect was followed"; fail=1; fi
case_ html 62 "!!! policy fetch failed: not-text-plain: HTTP 200, but served as text/html, not text/plain (RFC 8461 3.3)"
case_ status 62 "!!! policy fetch failed: status: HTTP 503: only a 200 answer is a policy (RFC 8461 3.3)"
case_ big 62 "!!! policy fetch failed: too-big: the policy is over 65536 bytes (64 KiB, RFC 8461 3.3): the transfer was stopped"
case_ bigstream 62 "!!! policy fetch failed: too-big: the policy is over 65536 bytes"
case_ wrongcert 62 "!!! policy fetch failed: certificate: the certificate is not valid for mta-sts.wrongcert.sts.test under the Web PKI (RFC 8461 3.3): SSL: no alternative certificate subject name matches target host name 'mta-sts.wrongcert.sts.test'"
case_ refused 62 "!!! policy fetch failed: connect: no connection to 127.0.0.1 port $closed: "
case_ noaddr 62 "!!! policy fetch failed: no-address: mta-sts.noaddr.sts.test has no address (A nxdomain, AAAA nxdomain), so there is nowhere to fetch the policy from"
expect noaddr "!!! policy host mta-sts.noaddr.sts.test: AAAA nxdomain (insecure); A nxdomain (insecure)"
# without --cafile the test CA is unknown: a certificate failure too
(cd "$tmp" && timeout 60 "$bin" mtasts enforce.sts.test --dns-config mtasts.conf "${routes[@]}" >nocafile.txt 2>&1)
echo $? >"$tmp/nocafile.status"
status nocafile 62
expect nocafile "!!! policy fetch failed: certificate: the certificate is not valid for mta-sts.enforce.sts.test under the Web PKI (RFC 8461 3.3): "

# ---- --json: one object on stdout ------------------------------------------
mtasts_json jenforce enforce.sts.test
status jenforce 0
json jenforce 'j["state"] == "enforce" and j["exit_status"] == 0' \
	'j["domain"] == "enforce.sts.test" and j["policy_host"] == "mta-sts.enforce.sts.test"' \
	'j["lookups"]["sts"]["outcome"] == "answer" and j["lookups"]["sts"]["dnssec"] == "insecure"' \
	'j["lookups"]["a"]["addresses"] == ["127.0.0.1"] and j["lookups"]["aaaa"]["outcome"] == "nodata"' \
	'j["record"]["valid"] and j["record"]["id"] == "20240101T000000" and j["record"]["defects"] == []' \
	'j["fetch"]["result"] == "ok" and j["fetch"]["status"] == 200 and j["fetch"]["content_type"] == "text/plain"' \
	'j["fetch"]["connect_addr"] == "127.0.0.1" and j["fetch"]["peer"].startswith("127.0.0.1 port ")' \
	'j["policy"]["mode"] == "enforce" and j["policy"]["max_age"] == 86400 and j["policy"]["mx"] == ["mx1.enforce.sts.test", "*.mx.sts.test"]' \
	'j["tlsrpt"]["valid"] and j["tlsrpt"]["rua"] == "mailto:tlsrpt@sts.test"' \
	'j["summary"].startswith("enforce.sts.test")'
mtasts_json jredirect redirect.sts.test
status jredirect 62
json jredirect 'j["state"] == "fetch-failed" and j["exit_status"] == 62' \
	'j["fetch"]["result"] == "redirect" and j["fetch"]["status"] == 302' \
	'j["fetch"]["location"] == "https://www.redirect.sts.test/mta-sts.txt" and j["policy"] is None'
mtasts_json jhostile hostile.sts.test
status jhostile 63
json jhostile 'j["state"] == "policy-invalid" and not j["policy"]["valid"]' \
	'any(d["id"] == "policy-bad-mode" and "\\x1b[31m" in d["text"] for d in j["policy"]["defects"])'
mtasts_json jtwotxt twotxt.sts.test
status jtwotxt 61
json jtwotxt 'j["record"]["records"] == 2 and not j["record"]["valid"] and j["fetch"]["result"] == "not-tried"' \
	'j["record"]["defects"][0]["id"] == "sts-txt-several"'
mtasts_json jnotxt notxt.sts.test
status jnotxt 60
json jnotxt 'j["state"] == "none" and j["lookups"]["sts"]["outcome"] == "nxdomain" and j["fetch"]["status"] is None'
mtasts_json jtesting testing.sts.test
json jtesting 'j["state"] == "testing" and not j["tlsrpt"]["valid"] and j["tlsrpt"]["defects"][0]["id"] == "tlsrpt-bad-uri"'
# the JSON's texts follow the language; its keys and ids stay English
LANGUAGE=ko mtasts_json jbadmodeko badmode.sts.test
status jbadmodeko 63
json jbadmodeko 'j["state"] == "policy-invalid" and j["policy"]["defects"][0]["id"] == "policy-bad-mode"' \
	'j["policy"]["defects"][0]["text"].startswith("2번째 줄: mode는 enforce, testing, none 중 하나여야 합니다")' \
	'j["summary"].startswith("badmode.sts.test의 MTA-STS 정책이 유효하지 않습니다")' \
	'j["fetch"]["text"] == "HTTP 200, text/plain, 67바이트"'

# ---- a resolver that answers SERVFAIL: nothing known ------------------------
if command -v ldns-testns >/dev/null; then
	# (start_testns reads DATA from $here: dns.sh's servfail.data)
	here=$here/../dns start_testns servfail.data
	(cd "$tmp" && timeout 60 "$bin" mtasts enforce.sts.test --resolver "127.0.0.1@$port" \
		--cafile ca.pem >servfail.txt 2>&1)
	echo $? >"$tmp/servfail.status"
	status servfail 64
	expect servfail "!!! TXT _mta-sts.enforce.sts.test (insecure): temporary failure: "
	expect servfail "!!! MTA-STS: dns-failed: the lookup of TXT _mta-sts.enforce.sts.test failed temporarily ("
	refuse servfail "fetching"
else
	echo "note: ldns-testns missing (ldnsutils): the SERVFAIL case is skipped"
fi

# ---- /mtasts in a session (line mode, the built-in demo server) ------------
printf '/mtasts enforce.sts.test\n/mtasts user@x.test\n/quit\n' >"$tmp/session.in"
(cd "$tmp" && timeout 60 "$bin" --batch --dns-config mtasts.conf --cafile ca.pem "${routes[@]}" \
	<session.in >session.txt 2>&1)
echo $? >"$tmp/session.status"
status session 5
expect session "=== MTA-STS of enforce.sts.test: the DNS lookups ..."
expect session "=== policy fetched: HTTP 200, text/plain, 92 bytes"
expect session "=== MTA-STS: enforce: enforce.sts.test's MTA-STS policy is in force in mode enforce"
expect session "/mtasts wants a DOMAIN, not an address: /mtasts x.test"
expect session " -> QUIT"

# ---- usage ---------------------------------------------------------------------
(cd "$tmp" && timeout 20 "$bin" mtasts >nodomain.txt 2>&1); echo $? >"$tmp/nodomain.status"
status nodomain 2
expect nodomain "smtpscope mtasts: which domain?"
(cd "$tmp" && timeout 20 "$bin" mtasts user@enforce.sts.test >address.txt 2>&1); echo $? >"$tmp/address.status"
status address 2
expect address 'smtpscope mtasts: a DOMAIN, not an address: smtpscope mtasts enforce.sts.test (got "user@enforce.sts.test")'
(cd "$tmp" && timeout 20 "$bin" mtasts a.test --connect-to mta-sts.a.test:443:127.0.0.1 >badrule.txt 2>&1); echo $? >"$tmp/badrule.status"
status badrule 2
expect badrule 'smtpscope mtasts: --connect-to "mta-sts.a.test:443:127.0.0.1": expected HOST:PORT:ADDR:PORT'
(cd "$tmp" && timeout 20 "$bin" mtasts a.test --timeout 0 >badtimeout.txt 2>&1); echo $? >"$tmp/badtimeout.status"
status badtimeout 2
expect badtimeout 'smtpscope mtasts: --timeout wants seconds from 1 to 3600 (got "0")'
(cd "$tmp" && timeout 20 "$bin" mtasts a.test --dns-config mtasts.conf --recursive >badmix.txt 2>&1); echo $? >"$tmp/badmix.status"
status badmix 2
expect badmix "smtpscope mtasts: --dns-config is the whole resolver set-up: not with --resolver or --recursive"
(cd "$tmp" && timeout 20 "$bin" mtasts "bad..name" --dns-config mtasts.conf >badname.txt 2>&1); echo $? >"$tmp/badname.status"
status badname 2
expect badname "smtpscope mtasts: \"bad..name\" is no domain name: labels of 1 to 63 bytes"

if [ $fail = 0 ]; then
	echo "ok   smtpscope mtasts: $checks checks"
fi
exit $fail
