#!/usr/bin/env bash
# /auth in the terminal UI against a real aiosmtpd with an authenticator:
# the password is typed at a masked prompt (never on the screen), the 334
# is shown decoded, 235 follows, and neither the history nor the screen
# ever holds the password.
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
"$py" -c 'import aiosmtpd.smtp' 2>/dev/null ||
	{ echo "SKIP: /usr/bin/python3 cannot import aiosmtpd"; exit 77; }
pw='S3cr3t-tui-pa55'
"$py" "$here/../integration/aiosmtpd_server.py" "$tmp/port" "$tmp" --lifetime 120 \
	--auth "carol:$pw" > "$tmp/server.log" 2>&1 &
for i in $(seq 1 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || { echo "FAIL aiosmtpd did not start"; exit 1; }

start 120 40 "127.0.0.1:$(cat "$tmp/port")"
expect "started" "<-  220 aio.scope.test"
type_line "EHLO me.example";   expect "EHLO" "<-  250 HELP"
type_line "/auth LOGIN carol"; expect "masked prompt" "password (hidden):"
tm send-keys -l "$pw"
expect "typed password masked" "password (hidden): ********"
if screen | grep -qF "$pw"; then
	echo "FAIL the password is on the screen"; fails=$((fails + 1))
else
	echo "ok   password not on the screen"
fi
tm send-keys Enter
expect "334 decoded (aiosmtpd ends it with NUL)" '[base64: "Password\x00"]'
expect "authenticated" "<-  235 2.7.0 Authentication successful"
expect "redacted response" ' -> <redacted: LOGIN response for user "carol">'
expect_not "prompt back to normal" "password (hidden)"
if screen | grep -qF "$pw"; then
	echo "FAIL the password is on the screen after AUTH"; fails=$((fails + 1))
else
	echo "ok   password not on the screen after AUTH"
fi
quit_and_check_restored
hist=$tmp/state/smtpscope/history
if grep -qF "$pw" "$hist" 2>/dev/null; then
	echo "FAIL the password is in the history:"; sed 's/^/    | /' "$hist"; fails=$((fails + 1))
elif grep -qF "/auth LOGIN carol" "$hist" 2>/dev/null; then
	echo "ok   history keeps /auth, not the password"
else
	echo "FAIL /auth LOGIN carol not in the history"; fails=$((fails + 1))
fi
finish
