#!/usr/bin/env bash
# MTA-STS (RFC 8461) in `smtpscope probe`: the recipient domain's policy
# (sts-setup.sh: the test CA, policy-server.py on loopback, the sts.test
# zone in-process) applied to each MX, the demo server as the MX on
# 127.0.0.2 (serve --cert: a certificate of the test CA for the MX names)
# and on 127.0.0.3 (its own self-signed one).  enforce and listed: the
# MX authenticated by MTA-STS; enforce and unlisted, or a certificate that
# does not verify: mtasts-failed (57); testing: delivered, the failure
# said.  --cafile and --connect-to serve the MX check and the policy fetch.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
export SMTPSCOPE_HELPDIR=${SMTPSCOPE_HELPDIR:-$here/../../help}
command -v openssl >/dev/null || { echo "SKIP: the openssl CLI is missing"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 is missing"; exit 77; }
tmp=$(mktemp -d /tmp/smtpscope-probe-sts.XXXXXX)
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0 checks=0
. "$here/../dns/check-lib.sh"
cp "$here/sts.test.zone" "$here/mtasts.conf" "$tmp/"
. "$here/sts-setup.sh"
start_demos "127.0.0.2:$here/sts-mx.scn|--cert $tmp/mx.pem --key $tmp/mx.key" \
	127.0.0.3:"$here/sts-mx.scn"

# run OUT ARGS...: smtpscope probe with the zone, the CA and the routes.
run() {
	local out=$1
	shift
	(cd "$tmp" && timeout 90 "$bin" probe "$@" -p "$port" --dns-config mtasts.conf --cafile ca.pem \
		"${routes[@]}" >"$out.txt" 2>&1)
	echo $? >"$tmp/$out.status"
}
run_json() {
	local out=$1
	shift
	(cd "$tmp" && timeout 90 "$bin" probe "$@" -p "$port" --dns-config mtasts.conf --cafile ca.pem \
		"${routes[@]}" --json >"$out.txt" 2>"$out.err")
	echo $? >"$tmp/$out.status"
}
json() {
	checks=$((checks + 1))
	/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); a=d['attempts'][0]; assert $2, d" "$tmp/$1.txt" ||
		{ echo "FAIL: $1: $2"; fail=1; }
}

# ---- enforce, the MX listed and verified: authenticated by MTA-STS ---------
run enforce user@enforce.sts.test
status enforce 0
expect enforce "=== MTA-STS: enforce: enforce.sts.test's MTA-STS policy is in force in mode enforce"
expect enforce "[mx1.enforce.sts.test 127.0.0.2] ~~~ verification: OK, trusted chain, name matches mx1.enforce.sts.test"
expect enforce "[mx1.enforce.sts.test 127.0.0.2] === MTA-STS (enforce): "
expect enforce "verified, MTA-STS ok"
expect enforce "=== verdict: deliverable (exit 0): deliverable via mx1.enforce.sts.test (127.0.0.2, TLS authenticated by MTA-STS: "
refuse enforce "MTA-STS FAILED"
run_json enforcej user@enforce.sts.test
json enforcej 'a["tls"]["auth"] == "mtasts-ok" and a["tls"]["mta_sts"] == {"verdict": "ok", "refused": False, "reported": False}'
json enforcej 'd["mta_sts"]["state"] == "enforce" and d["verdict"]["name"] == "deliverable"'

# ---- enforce, an MX the policy does not list: not delivered ----------------
run stsbad user@stsbad.sts.test
status stsbad 57
expect stsbad "!!! MTA-STS (enforce): FAILED, a sender that enforces the policy does not deliver here: "
expect stsbad "MTA-STS FAILED"
expect stsbad "=== verdict: mtasts-failed (exit 57): a sender that enforces the domain's MTA-STS policy (RFC 8461) would not deliver to any MX of stsbad.sts.test: unlisted.stsbad.sts.test (127.0.0.2): "
run_json stsbadj user@stsbad.sts.test
json stsbadj 'a["tls"]["auth"] == "mtasts-failed" and a["tls"]["mta_sts"]["verdict"] == "not-listed" and a["tls"]["mta_sts"]["refused"] is True'
json stsbadj 'd["verdict"]["name"] == "mtasts-failed" and d["verdict"]["exit_status"] == 57'

# ---- enforce, listed, but a self-signed certificate: not delivered ---------
run stscert user@stscert.sts.test
status stscert 57
expect stscert "[mx.stscert.sts.test 127.0.0.3] !!! MTA-STS (enforce): FAILED"
run_json stscertj user@stscert.sts.test
json stscertj 'a["tls"]["mta_sts"]["verdict"] == "certificate" and a["tls"]["verified"] is False'

# ---- testing, an unlisted MX: delivered, the failure reported --------------
run testing user@testing.sts.test
status testing 0
expect testing "!!! MTA-STS (testing): would fail (mode testing: delivered, and reported): "
expect testing "MTA-STS fails (testing)"
expect testing "; MTA-STS (mode testing) would fail: "
run_json testingj user@testing.sts.test
json testingj 'a["tls"]["auth"] == "mtasts-testing-failed" and a["tls"]["mta_sts"]["reported"] is True and d["verdict"]["exit_status"] == 0'

# ---- no MTA-STS: TLS stays opportunistic, nothing applied ------------------
run notxt user@notxt.sts.test
expect notxt "=== MTA-STS: none: "
refuse notxt "MTA-STS (enforce)"

# ---- in a session: /connect --mx, then /starttls: the policy applied -------
# session OUT INPUT: smtpscope --batch with the zone, the CA and the routes
session() {
	(cd "$tmp" && printf '%b' "$2" | timeout 90 "$bin" --batch -p "$port" --dns-config mtasts.conf \
		--cafile ca.pem "${routes[@]}" >"$1.txt" 2>&1)
	echo $? >"$tmp/$1.status"
}
session sok '/connect --mx user@enforce.sts.test\nEHLO client.example.test\n/starttls\nQUIT\n'
status sok 0
expect sok "=== MTA-STS of enforce.sts.test: enforce: enforce.sts.test's MTA-STS policy is in force in mode enforce"
expect sok "(applied to the MX after /starttls; /mtasts shows the whole check)"
expect sok "=== MTA-STS (enforce): mx1.enforce.sts.test matches the policy's mx mx1.enforce.sts.test, TLS 1.3 with a certificate valid for it"
before sok "~~~ verification: OK, trusted chain" "=== MTA-STS (enforce): "
session sbad '/connect --mx user@stsbad.sts.test\nEHLO client.example.test\n/starttls\nQUIT\n'
expect sbad "!!! MTA-STS (enforce): FAILED, a sender that enforces the policy does not deliver to this MX: "
# a plain connection: no MTA-STS looked up
session splain 'EHLO client.example.test\nQUIT\n' 127.0.0.2
refuse splain 'MTA-STS'

echo "probe-sts.sh: $checks checks, $([ $fail = 0 ] && echo all passed || echo some FAILED)"
exit $fail
