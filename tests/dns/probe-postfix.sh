#!/usr/bin/env bash
# `smtpscope probe` against a real Postfix (tests/integration/postfix-lib.sh:
# a private instance on 127.0.0.1, delivering scope.test), the DNS from
# scope.conf (scope.test's MX is mx.scope.test, 127.0.0.1; in-process, no
# network).  A known mailbox: deliverable without TLS (exit 40), every step
# RCPT, RSET, QUIT and never DATA; an unknown one: Postfix's 550 5.1.1,
# recipient unknown (exit 48).  Postfix's log shows no message queued.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
export SMTPSCOPE_HELPDIR=${SMTPSCOPE_HELPDIR:-$here/../../help}
. "$here/../integration/postfix-lib.sh"
fail=0 checks=0
. "$here/check-lib.sh"
cp "$here/scope.conf" "$here/scope.test.zone" "$tmp/"
probe() {
	local out=$1
	shift
	(cd "$tmp" && timeout 60 "$bin" probe "$@" --dns-config scope.conf -p "$port" >"$out.txt" 2>&1)
	echo $? >"$tmp/$out.status"
}

probe known user@scope.test
status known 40
expect known '=== verdict: deliverable-no-tls (exit 40): deliverable via mx.scope.test (127.0.0.1'
expect known '<-  220 mx.scope.test ESMTP'
expect known ' -> RCPT TO:<user@scope.test>'
expect known '<-  250 2.1.5 Ok'
expect known ' -> RSET'
expect known ' -> QUIT'
refuse known '> DATA'

probe unknown nobody@scope.test
status unknown 48
expect unknown '=== verdict: recipient-unknown (exit 48): mx.scope.test says the recipient does not exist'
expect unknown '<-  550 5.1.1 <nobody@scope.test>: Recipient address rejected: User unknown'

# Postfix logged both sessions (so the log is read, not missing) and
# never ran cleanup, which every queued message goes through.
checks=$((checks + 1))
for i in $(seq 50); do
	[ "$(grep -c '/smtpd\[.*disconnect from' "$log" 2>/dev/null)" -ge 2 ] && break
	sleep 0.1
done
if [ "$(grep -c '/smtpd\[.*disconnect from' "$log" 2>/dev/null)" -lt 2 ]; then
	echo "FAIL: Postfix's log has not the two sessions' disconnect lines"; fail=1
elif grep -q '/cleanup\[' "$log"; then
	echo "FAIL: Postfix's log shows a message queued (cleanup ran)"; fail=1
fi
echo "probe-postfix.sh: $checks checks, $([ $fail = 0 ] && echo all passed || echo some FAILED)"
[ $fail = 0 ] || show_log
exit $fail
