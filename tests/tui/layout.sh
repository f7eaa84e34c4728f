#!/usr/bin/env bash
# The terminal UI at 120x40 (side by side) and 80x24 (stacked): transcript,
# explanation, status bar, help overlay, resizing, wide characters, and
# the terminal restored after /quit.
. "$(dirname "$0")/lib.sh"

for size in 120x40 80x24; do
	cols=${size%x*} rows=${size#*x}
	echo "# $size"
	start "$cols" "$rows"
	expect "$size greeting in the session pane" "<-  220 demo.test ESMTP"
	expect "$size explanation pane" "Explanation: reply 220 to greeting"
	expect "$size status bar: connection" "| connected | no TLS | greeted"
	expect "$size status bar: legal next" "next: EHLO HELO"
	expect "$size command line" "smtp>"
	type_line "EHLO me.example"
	expect "$size EHLO sent" " -> EHLO me.example"
	expect "$size EHLO reply" "<-  250-PIPELINING"
	expect "$size status bar: capabilities" "caps: PIPELINING"
	type_line "RCPT TO:<nobody@elsewhere.example>"
	expect "$size explanation of the refusal" "Explanation: reply 503 to RCPT"
	tm send-keys F6 Up   # focus on the session pane, select the reply before
	expect "$size Up selects the previous reply" "Explanation: reply 250 to EHLO"
	tm send-keys Down
	expect "$size Down selects the newest again" "reply 503 to RCPT (newest)"
	tm send-keys F6      # focus on the explanation
	if [ "$rows" -lt 30 ]; then  # stacked: scroll the explanation to it
		tm send-keys NPage
		expect "$size explanation scrolled" "Diagnosis:"
	fi
	tm send-keys F6      # back to the command line
	expect "$size explanation has a diagnosis" "Diagnosis:"
	tm send-keys F1
	expect "$size F1 help overlay: keys" "Ctrl-L"
	# Page down (bounded) until the local commands show.
	for page in 1 2 3; do
		tm send-keys NPage; sleep 0.2
		screen | grep -qF "/connect HOST" && break
	done
	expect "$size help overlay: local commands" "/connect HOST"
	# Page down (bounded) until the last commands show: how many pages
	# depends on the size and on the length of the command list.
	for page in 1 2 3 4 5; do
		screen | grep -qF "/starttls" && break
		tm send-keys NPage; sleep 0.2
	done
	expect "$size help overlay: more local commands" "/starttls"
	tm send-keys Escape
	expect_not "$size Esc closes the help" "smtpscope help"
	type_line "/help"
	expect "$size /help opens the overlay" "smtpscope help"
	tm send-keys q
	expect_not "$size q closes the help" "smtpscope help"
	quit_and_check_restored
done

echo "# resize"
start 120 40
expect "resize: started" "<-  220 demo.test"
tm send-keys -l "NOOP 日本語"   # typed, not sent: resizing while typing
tm resize-window -x 80 -y 24
expect "resize: narrower, still drawn" "<-  220 demo.test"
expect "resize: line being typed survives" "smtp> NOOP 日本語"
tm resize-window -x 30 -y 10
expect "resize: too small" "terminal too small"
tm resize-window -x 100 -y 30
expect_not "resize: big enough again" "terminal too small"
tm send-keys Enter
expect "wide characters in the transcript" " -> NOOP 日本語"
expect "reply after the wide line" "<-  250"
quit_and_check_restored
finish
