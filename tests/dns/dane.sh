#!/usr/bin/env bash
# DANE for SMTP (RFC 7672) in `smtpscope probe` and in a session, with
# nothing leaving the machine: the demo servers, the signed zone with TLSA
# records made for the server's key and its unsigned copy come from
# dane-setup.sh, served in-process (--dns-config).  openssl s_client
# -dane_tlsa_rrdata is the reference for the match.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
export SMTPSCOPE_HELPDIR=${SMTPSCOPE_HELPDIR:-$here/../../help}
tmp=$(mktemp -d /tmp/smtpscope-dane.XXXXXX)
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0 checks=0
. "$here/check-lib.sh"

dns=$here
. "$here/dane-setup.sh"

# run OUT ARGS...: smtpscope probe in $tmp on the servers' port.
run() {
	local out=$1
	shift
	(cd "$tmp" && timeout 60 "$bin" probe "$@" -p "$port" >"$out.txt" 2>&1)
	echo $? >"$tmp/$out.status"
}
# run_json OUT ARGS...: the same with --json, stderr apart in OUT.err.
run_json() {
	local out=$1
	shift
	(cd "$tmp" && timeout 60 "$bin" probe "$@" -p "$port" --json >"$out.txt" 2>"$out.err")
	echo $? >"$tmp/$out.status"
}
# json OUT PYTHON-ASSERTION: $tmp/OUT.txt parsed as d, a = its first attempt
json() {
	checks=$((checks + 1))
	/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); a=d['attempts'][0]; assert $2, d" "$tmp/$1.txt" ||
		{ echo "FAIL: $1: $2"; fail=1; }
}
S="--dns-config secure.conf"

# ---- a matching 3 1 1: DANE verified, deliverable -----------------------------
run ok user@ok.example.test $S
status ok 0
expect ok "=== DANE: DANE applies to mx-ok.example.test: 1 usable DNSSEC-signed TLSA record (0 unusable)"
expect ok '[mx-ok.example.test 127.0.0.2] === DANE: TLSA 3 1 1 matched the server'"'"'s key'
expect ok 'DANE verified'
expect ok '=== verdict: deliverable (exit 0): deliverable via mx-ok.example.test (127.0.0.2, TLS authenticated by DANE: TLSA 3 1 1 matched the server'"'"'s key)'
refuse ok 'DANE FAILED'
run_json okj user@ok.example.test $S
json okj 'a["tls"]["auth"] == "dane-ok" and a["tls"]["verified"] is True and a["tls"]["dane"]["state"] == "usable" and a["tls"]["dane"]["result"] == "verified" and a["tls"]["dane"]["matched"] == "3 1 1" and a["tls"]["dane"]["depth"] == 0'
json okj 'd["verdict"]["name"] == "deliverable" and d["verdict"]["exit_status"] == 0'
# the reference: openssl's own DANE check agrees
checks=$((checks + 1))
timeout 20 openssl s_client -starttls smtp -connect "127.0.0.2:$port" -dane_tlsa_domain mx-ok.example.test \
	-dane_tlsa_rrdata "3 1 1 $spki" -dane_ee_no_namechecks </dev/null >"$tmp/ref-ok.txt" 2>&1
grep -q 'Verification: OK' "$tmp/ref-ok.txt" && grep -q 'DANE TLSA 3 1 1 .* matched EE certificate' "$tmp/ref-ok.txt" ||
	{ echo "FAIL: openssl s_client does not verify the 3 1 1 record"; sed 's/^/    /' "$tmp/ref-ok.txt" | head -30; fail=1; }

# ---- 3 0 2: the whole certificate, SHA-512 ------------------------------------
run full user@full.example.test $S
status full 0
expect full '=== DANE: TLSA 3 0 2 matched the server'"'"'s certificate'

# ---- a wrong hash: DANE fails, not delivered ----------------------------------
run wrong user@wrong.example.test $S
status wrong 56
expect wrong '!!! DANE FAILED, a DANE sender does not deliver here: no TLSA record matched the server'"'"'s certificate chain (1 usable record)'
expect wrong '  # DANE: no TLSA record matches the server'"'"'s certificate chain.'
expect wrong 'smtpscope tlsa MXHOST'
expect wrong 'DANE FAILED'
expect wrong '=== verdict: dane-failed (exit 56): a sender that checks DANE (RFC 7672) would not deliver to any MX of wrong.example.test: mx-wrong.example.test (127.0.0.2): no TLSA record matched'
checks=$((checks + 1))
timeout 20 openssl s_client -starttls smtp -connect "127.0.0.2:$port" -dane_tlsa_domain mx-wrong.example.test \
	-dane_tlsa_rrdata "3 1 1 $wrong" -dane_ee_no_namechecks </dev/null >"$tmp/ref-wrong.txt" 2>&1
grep -q 'Verification error: no matching DANE TLSA records' "$tmp/ref-wrong.txt" ||
	{ echo "FAIL: openssl s_client should refuse the wrong record"; sed 's/^/    /' "$tmp/ref-wrong.txt" | head -30; fail=1; }
run_json wrongj user@wrong.example.test $S
json wrongj 'a["tls"]["auth"] == "dane-failed" and a["tls"]["verified"] is False and a["tls"]["dane"]["result"] == "failed" and a["tls"]["dane"]["matched"] is None'
json wrongj 'd["verdict"]["name"] == "dane-failed" and d["verdict"]["exit_status"] == 56'

# ---- DANE-TA: 2 1 1 pins the CA, sent by the server at depth 1 ---------------
run ta user@ta.example.test $S
status ta 0
expect ta '[mx-ta.example.test 127.0.0.4] === DANE: TLSA 2 1 1 matched the issuer at depth 1'
run_json taj user@ta.example.test $S
json taj 'a["tls"]["dane"]["matched"] == "2 1 1" and a["tls"]["dane"]["depth"] == 1 and a["tls"]["auth"] == "dane-ok"'
# DANE-TA checks the name too: a certificate without mx-tawrong.example.test fails
run tawrong user@tawrong.example.test $S
status tawrong 56
expect tawrong '!!! DANE FAILED, a DANE sender does not deliver here'

# ---- two MX: the first fails DANE, the second matches: delivered there --------
run pair user@pair.example.test $S
status pair 0
expect pair '[mx-wrong.example.test 127.0.0.2] !!! DANE FAILED'
expect pair '[mx-ok.example.test 127.0.0.2] === DANE: TLSA 3 1 1 matched'
expect pair 'deliverable via mx-ok.example.test (127.0.0.2, TLS authenticated by DANE: TLSA 3 1 1 matched the server'"'"'s key), after 1 earlier address did not take it'

# ---- usages 0 and 1 only: unusable for SMTP, TLS without authentication -------
run pkix user@pkix.example.test $S
status pkix 0
expect pkix '!!! DANE: mx-pkix.example.test publishes 2 DNSSEC-signed TLSA records, none usable for SMTP (usage 2 or 3 needed)'
expect pkix '  # DANE: the TLSA records are all unusable for SMTP.'
expect pkix '=== verdict: deliverable (exit 0): deliverable via mx-pkix.example.test (127.0.0.2, TLS, but the certificate does not verify'
refuse pkix 'DANE FAILED'

# ---- a bogus TLSA RRset: the MX is unusable -----------------------------------
run bogus user@bogus.example.test $S
status bogus 56
expect bogus '!!! DANE: the TLSA lookup of mx-bogus.example.test fails DNSSEC validation'
expect bogus '  # DANE: the TLSA lookup failed, so a DANE sender will not use this MX.'
expect bogus 'DANE unusable'
expect bogus '=== verdict: dane-failed (exit 56)'

# ---- TLSA records, no STARTTLS: a DANE sender does not deliver -----------------
run notls user@notls.example.test $S
status notls 56
expect notls '!!! DANE FAILED, a DANE sender does not deliver here: the server does not offer STARTTLS, but its TLSA records require TLS (RFC 7672 2.2)'
expect notls '  # DANE: the MX publishes TLSA records but the session was not encrypted.'

# ---- the same zone unsigned: TLSA records ignored, TLS opportunistic ----------
run insecure user@wrong.example.test --dns-config insecure.conf
status insecure 0
expect insecure '!!! DANE: mx-wrong.example.test publishes TLSA records, but the domain'"'"'s MX records are not DNSSEC-validated, so senders ignore them'
expect insecure '  # DANE: TLSA records are published, but senders ignore them.'
refuse insecure 'DANE FAILED'
run_json insecurej user@wrong.example.test --dns-config insecure.conf
json insecurej 'a["tls"]["auth"] == "opportunistic" and a["tls"]["dane"]["state"] == "insecure"'

# ---- in a session: /mx shows whether DANE applies; /connect --mx verifies ----
# session OUT INPUT ARGS...: smtpscope --batch in $tmp on the servers' port
session() {
	local out=$1 input=$2
	shift 2
	(cd "$tmp" && printf '%b' "$input" | timeout 60 "$bin" --batch -p "$port" "$@" >"$out.txt" 2>&1)
	echo $? >"$tmp/$out.status"
}
session smx '/mx pkix.example.test\n/mx ok.example.test\n/mx bogus.example.test\n' $S
expect smx '!!!     DANE: mx-pkix.example.test publishes 2 DNSSEC-signed TLSA records, none usable'
expect smx '===     DANE: DANE applies to mx-ok.example.test: 1 usable DNSSEC-signed TLSA record'
expect smx '!!!     DANE: the TLSA lookup of mx-bogus.example.test fails DNSSEC validation'
session sok '/connect --mx user@ok.example.test\nEHLO client.example.test\n/starttls\nQUIT\n' $S
status sok 0
expect sok '~~~ DANE: TLSA 3 1 1 matched the server'"'"'s key'
expect sok '~~~ verification: OK by DANE (RFC 7672), for mx-ok.example.test as a host name'
refuse sok 'verification FAILED'
session swrong '/connect --mx user@wrong.example.test\nEHLO client.example.test\n/starttls\nQUIT\n' $S
expect swrong '~~~ DANE: FAILED: no TLSA record matched the server'"'"'s certificate chain (1 usable record)'
expect swrong '*** certificate verification FAILED: verify X509_V_ERR_DANE_NO_MATCH'
expect swrong '  # DANE: no TLSA record matches the server'"'"'s certificate chain.'
status swrong 27
# --dane on a named host (taken as the MX): TLSA first, then DANE at STARTTLS
to_ok="--connect-to mx-ok.example.test:$port:127.0.0.2:$port"
to_wrong="--connect-to mx-wrong.example.test:$port:127.0.0.2:$port"
session sdane 'EHLO client.example.test\n/starttls\nQUIT\n' $S --dane $to_ok mx-ok.example.test:$port
status sdane 0
expect sdane "=== DANE: looking up TLSA _$port._tcp.mx-ok.example.test before connecting"
expect sdane '=== DANE: DANE applies to mx-ok.example.test: 1 usable DNSSEC-signed TLSA record (0 unusable); a DANE sender delivers only if one matches; STARTTLS will verify the server with them'
expect sdane '~~~ DANE: TLSA 3 1 1 matched the server'"'"'s key'
before sdane 'DANE applies to mx-ok.example.test' '=== connecting to mx-ok.example.test'
session sdanew "/connect --dane mx-wrong.example.test:$port\nEHLO client.example.test\n/starttls\nQUIT\n" $S $to_wrong
status sdanew 27
expect sdanew '~~~ DANE: FAILED: no TLSA record matched the server'"'"'s certificate chain (1 usable record)'
session sdanebad '/connect --dane\n' $S
expect sdanebad '*** usage: /connect --dane HOST[:PORT]'
# a plain connection to the same host: no DANE, the usual verification
session splain 'EHLO client.example.test\n/starttls\nQUIT\n' --insecure 127.0.0.2
refuse splain 'DANE'

echo "dane.sh: $checks checks, $([ $fail = 0 ] && echo all passed || echo some FAILED)"
exit $fail
