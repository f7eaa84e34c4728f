#!/usr/bin/env bash
# `smtpscope tlsa HOST[:PORT]` and /tlsa (RFC 7672, RFC 6698), with nothing
# leaving the machine: the demo server on 127.0.0.2 (STARTTLS, a
# certificate made at its start) and on 127.0.0.3 (no STARTTLS); the test
# reads the server's key with openssl s_client, computes its 3 1 1 hash
# with the openssl CLI, writes TLSA records (a match next to a wrong one,
# a wrong hash only, usages 0 and 1 only, a full-certificate SHA-512, a
# short digest, none) into a copy of example.test, signs it at test time
# (sign.sh) and serves it in-process (--dns-config): secure with its DS,
# insecure unsigned, bogus with the DS of another key.  Every server is
# reached through --connect-to, so no name is looked up outside the zone.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
export SMTPSCOPE_HELPDIR=${SMTPSCOPE_HELPDIR:-$here/../../help}
for t in ldns-keygen ldns-signzone ldns-key2ds openssl python3; do
	command -v "$t" >/dev/null || { echo "SKIP: $t missing (ldnsutils, openssl, python3)"; exit 77; }
done
tmp=$(mktemp -d /tmp/smtpscope-tlsa.XXXXXX)
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0 checks=0
. "$here/check-lib.sh"

start_demos 127.0.0.2:happy 127.0.0.3:"$here/tlsa-notls.scn"

# The server's key's 3 1 1 data and the whole certificate's SHA-512
# (3 0 2), from openssl (check-lib.sh).
server_tlsa_data 127.0.0.2 "$port"
wrong=$(printf '%064d' 0)

{
	cat "$here/example.test.zone"
	cat <<ZONE
; ---- tlsa.sh, written at test time for port $port ----
_$port._tcp.mx-ok	IN TLSA	3 1 1 $spki
_$port._tcp.mx-ok	IN TLSA	3 1 1 $wrong
_$port._tcp.mx-wrong	IN TLSA	3 1 1 $wrong
_$port._tcp.mx-pkix	IN TLSA	1 1 1 $spki
_$port._tcp.mx-pkix	IN TLSA	0 0 1 $spki
_$port._tcp.mx-full	IN TLSA	3 0 2 $full512
_$port._tcp.mx-short	IN TLSA	3 1 1 ${spki:0:40}
mx-none		IN A	127.0.0.2
_$port._tcp.mx-notls	IN TLSA	3 1 1 $spki
ZONE
} >"$tmp/tlsa-src.zone"
"$here/sign.sh" "$tmp/tlsa-src.zone" "$tmp" >"$tmp/sign.log" 2>&1 ||
	{ echo "FAIL: signing the test zone"; cat "$tmp/sign.log"; exit 1; }
cp "$tmp/tlsa-src.zone" "$tmp/unsigned.zone"
# conf NAME ANCHOR ZONEFILE: an in-process set-up answering for example.test
conf() {
	{
		echo 'server:'
		echo '    local-zone: "test." nodefault'
		[ -n "$2" ] && echo "    trust-anchor-file: \"$2\""
		echo 'auth-zone:'
		echo '    name: "example.test."'
		echo "    zonefile: \"$3\""
		echo '    for-upstream: yes'
		echo '    for-downstream: no'
		echo '    fallback-enabled: no'
	} >"$tmp/$1.conf"
}
conf secure ta.ds example.test.zone.signed
conf bogus wrong.ds example.test.zone.signed
conf insecure "" unsigned.zone

to2=":$port:127.0.0.2:$port"
# tlsa OUT HOST CONF [ARGS...]: smtpscope tlsa HOST.example.test:$port in
# $tmp; an OUT ending in "j" runs it with --json, stdout alone in OUT.txt
tlsa() {
	local out=$1 host=$2 cf=$3
	shift 3
	case $out in *j) set -- --json "$@" ;; esac
	(cd "$tmp" && timeout 120 "$bin" tlsa "$host.example.test:$port" --dns-config "$cf.conf" \
		"$@" >"$out.txt" 2>"$out.err" </dev/null)
	echo $? >"$tmp/$out.status"
	case $out in *j) ;; *) cat "$tmp/$out.err" >>"$tmp/$out.txt" ;; esac
}
# json OUT EXPR: the JSON in $tmp/OUT.txt parses and EXPR (of d) holds
json() {
	checks=$((checks + 1))
	if ! python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" \
		"$tmp/$1.txt"; then
		echo "FAIL: $1: JSON without: $2"; fail=1
		sed 's/^/    /' "$tmp/$1.txt"
	fi
}

# ---- a matching 3 1 1 next to a wrong one: secure, exit 0 ------------------
tlsa ok mx-ok secure --connect-to "$to2"
status ok 0
expect ok "_$port._tcp.mx-ok.example.test IN TLSA 3 1 1 $spki"   # = openssl's own
expect ok "recommended: pins the server's own key (DANE-EE"
expect ok "key rollover: publish the new key's 3 1 1 next to the current one"
expect ok "=== DNS publishes 2 TLSA records at _$port._tcp.mx-ok.example.test [secure]"
expect ok "===   3 1 1 $spki: matches the server's key (depth 0)"
expect ok "!!!   3 1 1 $wrong: does not match the current chain"
expect ok '=== DNSSEC: secure: a DANE sender uses these records'
expect ok "=== conclusion: DNS publishes 2 records; 3 1 1 $spki matches the server's key: a DANE sender will authenticate this server"
expect ok '220 '        # the transcript: greeting, STARTTLS, QUIT
expect ok 'STARTTLS'
expect ok 'QUIT'
tlsa okj mx-ok secure --connect-to "$to2"
status okj 0
json okj 'd["exit"] == 0 and d["tls"] and d["dns"]["dnssec"] == "secure" and d["dns"]["result"] == "records"'
json okj 'd["publish"][0]["record"] == "3 1 1 '"$spki"'" and d["chain"][0]["spki_sha256"] == "'"$spki"'"'
json okj 'sorted(r["verdict"] for r in d["records"]) == ["match", "no-match"] and d["matching"] == 1'
json okj '[r["depths"] for r in d["records"] if r["verdict"] == "match"] == [[0]]'

# ---- a full-certificate SHA-512 (3 0 2) --------------------------------------
tlsa full mx-full secure --connect-to "$to2"
status full 0
expect full "3 0 2 ${full512:0:64}... (64 bytes): matches the server's certificate (depth 0)"

# ---- a wrong hash only: 71 ---------------------------------------------------
tlsa wrong mx-wrong secure --connect-to "$to2"
status wrong 71
expect wrong "!!!   3 1 1 $wrong: does not match the current chain"
expect wrong '*** conclusion: no published record matches the current chain: DANE senders will refuse to deliver here'
tlsa wrongj mx-wrong secure --connect-to "$to2"
json wrongj 'd["exit"] == 71 and d["records"][0]["verdict"] == "no-match" and d["matching"] == 0'

# ---- usages 0 and 1 only: unusable, their data still compared ----------------
tlsa pkix mx-pkix secure --connect-to "$to2"
status pkix 71
expect pkix "!!!   1 1 1 $spki: unusable for SMTP: usage 1 (PKIX-EE, RFC 7672 3.1.3); its data would match the server's key (depth 0)"
expect pkix "!!!   0 0 1 $spki: unusable for SMTP: usage 0 (PKIX-TA, RFC 7672 3.1.3); its data matches nothing in the chain"
expect pkix 'none usable for SMTP: DANE senders encrypt but do not authenticate this server'

# ---- a digest cut short: malformed ------------------------------------------
tlsa short mx-short secure --connect-to "$to2"
status short 71
expect short "!!!   3 1 1 ${spki:0:40}: malformed: the data does not have the digest's length"

# ---- no TLSA: 70 -------------------------------------------------------------
tlsa none mx-none secure --connect-to "$to2"
status none 70
expect none "TLSA _$port._tcp.mx-none.example.test: NXDOMAIN [secure]: no TLSA records"
expect none 'DANE does not apply and senders use opportunistic TLS'

# ---- the zone unsigned: 72 ---------------------------------------------------
tlsa insecure mx-ok insecure --connect-to "$to2"
status insecure 72
expect insecure "=== DNS publishes 2 TLSA records at _$port._tcp.mx-ok.example.test [insecure]"
expect insecure "===   3 1 1 $spki: matches the server's key (depth 0)"
expect insecure '!!! DNSSEC: insecure'
expect insecure 'but not DNSSEC-signed: DANE senders ignore them'

# ---- the DS of another key: bogus, 73 ----------------------------------------
tlsa bogus mx-ok bogus --connect-to "$to2"
status bogus 73
expect bogus "*** TLSA _$port._tcp.mx-ok.example.test: bogus: "
expect bogus 'a DANE sender treats this host as unusable and does not deliver to it (RFC 7672 2.2.2)'
tlsa bogusj mx-ok bogus --connect-to "$to2"
json bogusj 'd["exit"] == 73 and d["dns"]["result"] == "bogus" and d["dns"]["why_bogus"]'

# ---- no STARTTLS: 74, DNS's side still shown ---------------------------------
tlsa notls mx-notls secure --connect-to ":$port:127.0.0.3:$port"
status notls 74
expect notls '*** no TLS: the server does not offer STARTTLS'
expect notls "===   3 1 1 $spki: usable (no chain to compare it with)"
expect notls 'DANE senders will refuse to deliver here (RFC 7672 2.2)'
refuse notls 'IN TLSA 3 1 1'
# the JSON's texts follow the language; its keys and ids stay English
LANGUAGE=fr tlsa notlsj mx-notls secure --connect-to ":$port:127.0.0.3:$port"
status notlsj 74
json notlsj 'd["tls_error"] == "le serveur ne propose pas STARTTLS" and d["records"][0]["verdict"] == "no-match"'
json notlsj '"pas de TLS à vérifier (le serveur ne propose pas STARTTLS)" in d["conclusion"]'

# ---- usage errors: 2, saying what would be right ------------------------------
"$bin" tlsa >"$tmp/u1.txt" 2>&1; echo $? >"$tmp/u1.status"
status u1 2
expect u1 'which server? smtpscope tlsa HOST[:PORT]'
"$bin" tlsa 127.0.0.2:25 >"$tmp/u2.txt" 2>&1; echo $? >"$tmp/u2.status"
status u2 2
expect u2 'not an address (use --connect-to HOST:PORT:ADDR:PORT'
"$bin" tlsa mx.example.test --dns-config x.conf --recursive >"$tmp/u3.txt" 2>&1; echo $? >"$tmp/u3.status"
status u3 2
expect u3 '--dns-config is the whole resolver set-up'
"$bin" tlsa mx.example.test --connect-to nonsense >"$tmp/u4.txt" 2>&1; echo $? >"$tmp/u4.status"
status u4 2
"$bin" tlsa --help >"$tmp/help.txt" 2>&1; echo $? >"$tmp/help.status"
status help 0
expect help '70 no TLSA'

# ---- /tlsa in a session, after /starttls with --insecure ---------------------
(cd "$tmp" && printf 'EHLO client.example.test\n/tlsa\n/starttls\n/tlsa\n/tlsa mx-wrong.example.test\n/tlsa 127.0.0.2\nQUIT\n' |
	timeout 120 "$bin" --batch --insecure --connect-to "$to2" --dns-config secure.conf \
		"mx-ok.example.test:$port" >"$tmp/session.txt" 2>&1)
echo $? >"$tmp/session.status"
expect session '*** no TLS connection: /starttls (or connect with --tls) first'
# the refused /tlsa lines make it exit 5 (a local command failed)
status session 5
expect session "===   _$port._tcp.mx-ok.example.test IN TLSA 3 1 1 $spki"
expect session "===   3 1 1 $spki: matches the server's key (depth 0)"
expect session "=== conclusion: DNS publishes 2 records; 3 1 1 $spki matches the server's key"
expect session "=== DNS publishes 1 TLSA record at _$port._tcp.mx-wrong.example.test [secure]"
expect session '*** conclusion: no published record matches the current chain'
expect session '*** /tlsa: 127.0.0.2 is an address, and TLSA records live under a host name'
# QUIT ran after every lookup was answered: the queue waited
expect session '221 '

echo "tlsa.sh: $checks checks, $([ $fail = 0 ] && echo all passed || echo FAILURES)"
exit $fail
