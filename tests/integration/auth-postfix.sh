#!/usr/bin/env bash
# AUTH against a real Postfix whose SASL is a real Dovecot (both private
# instances on 127.0.0.1 / unix sockets under temporary directories):
# /auth with PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-1 and SCRAM-SHA-256 (the
# server signature verified), /auth alone (strongest first), the password
# from --password-env, --password-file and the next input line, a typed
# AUTH PLAIN line, and a wrong password (535, auth-failed, exit 28).  No
# file the runs wrote may hold the password, unless --show-secrets.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
pw='Tr0ub4dor&3-smtpscope'
user=alice@scope.test
DV_USERS="$user:$pw"
. "$here/dovecot-lib.sh"
PF_MAIN_EXTRA="smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $dv_auth
smtpd_sasl_security_options = noanonymous
broken_sasl_auth_clients = no"
. "$here/postfix-lib.sh"
trap 'cleanup; stop_dovecot' EXIT
. "$here/transcript-lib.sh"
export XDG_STATE_HOME=$tmp/state HOME=$tmp/home
mkdir -p "$XDG_STATE_HOME" "$HOME"
export SMTPSCOPE_TEST_PW=$pw

target=127.0.0.1:$port
for mech in PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256; do
	session "auth-$mech" "$target" "EHLO client.example
/auth $mech $user
QUIT
" --password-env SMTPSCOPE_TEST_PW
	case $mech in
	SCRAM-*) expect "auth-$mech" 0 "<-  235 2.7.0 Authentication successful" \
		"=== authenticated as \"$user\" with $mech; the server's SCRAM signature is right" \
		"!!! sending credentials WITHOUT TLS" ;;
	LOGIN) expect "auth-$mech" 0 " -> AUTH LOGIN" "<-  334 VXNlcm5hbWU6" '[base64: "Username:"]' \
		"<-  334 UGFzc3dvcmQ6" " -> <redacted: LOGIN response for user \"$user\">" \
		"<-  235 2.7.0 Authentication successful" ;;
	CRAM-MD5) expect "auth-$mech" 0 " -> AUTH CRAM-MD5" \
		" -> <redacted: CRAM-MD5 response for user \"$user\">" \
		"<-  235 2.7.0 Authentication successful" ;;
	*) expect "auth-$mech" 0 " -> AUTH PLAIN <redacted: user \"$user\">" \
		"<-  235 2.7.0 Authentication successful" "=== authenticated as \"$user\" with PLAIN" ;;
	esac
done

# /auth alone: the strongest mechanism the server lists.
session auth-best "$target" "EHLO client.example
/auth
QUIT
" --auth-user "$user" --password-env SMTPSCOPE_TEST_PW
expect auth-best 0 "=== /auth: the server offers SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN" \
	" -> AUTH SCRAM-SHA-256 <redacted: user \"$user\">" "<-  235 "

# The password from a file, and from the next input line.
printf '%s\n' "$pw" > "$tmp/pwfile"
chmod 600 "$tmp/pwfile"
session auth-file "$target" "EHLO client.example
/auth SCRAM-SHA-1 $user
QUIT
" --password-file "$tmp/pwfile"
expect auth-file 0 "<-  235 "
rm -f "$tmp/pwfile"
session auth-line "$target" "EHLO client.example
/auth PLAIN $user
$pw
QUIT
"
expect auth-line 0 "the next input line is taken as the password" "<-  235 " " -> QUIT"

# AUTH typed by hand: the transcript keeps the user, never the password.
b64=$(printf '\0%s\0%s' "$user" "$pw" | base64 -w0)
session auth-typed "$target" "EHLO client.example
AUTH PLAIN $b64
QUIT
"
expect auth-typed 0 " -> AUTH PLAIN <redacted: user \"$user\">" "<-  235 "

# A wrong password: 535 explained as auth-failed, exit 28.
export SMTPSCOPE_TEST_BAD="not-$pw"
session auth-wrong "$target" "EHLO client.example
/auth SCRAM-SHA-256 $user
QUIT
" --password-env SMTPSCOPE_TEST_BAD
expect auth-wrong 28 "<-  535 5.7.8 Error: authentication failed" "auth-failed" \
	"=== exit status 28: authentication failed"

# Nothing the runs wrote holds the password (nor its base64 forms).
n=$((n + 1))
pw64=$(printf '%s' "$pw" | base64 -w0)
leaks=$(grep -rlF -e "$pw" -e "$pw64" -e "$b64" "$tmp"/*.out "$XDG_STATE_HOME" "$HOME" 2>/dev/null)
if [ -z "$leaks" ]; then
	echo "ok   no-secret-on-disk ($(ls "$tmp"/*.out | wc -l) transcripts)"
else
	echo "FAIL no-secret-on-disk: the password is in: $leaks"; fail=$((fail + 1))
fi

# --show-secrets is the one way to see them.
session auth-show "$target" "EHLO client.example
/auth PLAIN $user
QUIT
" --password-env SMTPSCOPE_TEST_PW --show-secrets
expect auth-show 0 " -> AUTH PLAIN $b64"

elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if [ "$fail" -ne 0 ]; then
	show_log; dv_log
	echo "auth-postfix: $((n - fail))/$n passed, $fail failed (${elapsed} s)"
	exit 1
fi
echo "auth-postfix: $n/$n passed (Postfix + Dovecot $(/usr/sbin/dovecot --version | cut -d' ' -f1) SASL on 127.0.0.1:$port, ${elapsed} s)"
