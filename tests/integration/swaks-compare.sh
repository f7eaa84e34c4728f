#!/usr/bin/env bash
# The same transactions with swaks and with smtpscope's one-shot mode
# (--to ...), through one private Postfix on 127.0.0.1 (postfix-lib.sh)
# with STARTTLS (a test CA: swaks does not verify, smtpscope is given the
# CA) and SASL from a private Dovecot (dovecot-lib.sh).  Compared:
#   - for each --quit-after stage (CONNECT, BANNER, FIRST-EHLO, TLS, EHLO,
#     AUTH, MAIL, RCPT; DATA against swaks' --drop-after DATA; DOT, the
#     whole transaction): both exit statuses, and what Postfix counted of
#     each session (its "disconnect from" line: ehlo=2 starttls=1 auth=1
#     mail=1 ...), which must be the same; nothing delivered before DOT;
#   - what Postfix delivered: a prepared message (--data @FILE) byte for
#     byte once the Received: lines are set aside; a composed one (the
#     --header fields given, From, To, the --body text), --pipeline too;
#     --h-NAME VALUE, --h-NAME=VALUE and --add-header (two fields in one
#     argument, and a second To:) alike;
#     an attachment (its name and decoded octets).  Message-ID, Date,
#     Received, swaks' X-Mailer and smtpscope's MIME fields differ by
#     design and are not compared;
#   - the refusals: an unknown recipient (24), a refused sender (23), a
#     wrong password (28) give the same status with both.
# Skips (77) when swaks, Postfix or Dovecot is missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
export SMTPSCOPE_HELPDIR=${SMTPSCOPE_HELPDIR:-$here/../../help}
command -v swaks >/dev/null || { echo "SKIP: swaks is not installed"; exit 77; }
. "$here/../tls/certs.sh"
certs=$(mktemp -d /tmp/smtpscope-certs.XXXXXX)
chmod 755 "$certs"
certs_make "$certs" || { echo "FAIL: could not make the test certificates"; rm -rf "$certs"; exit 1; }
pw='Sw4ks-c0mpare-pw'
user=alice@scope.test
DV_USERS="$user:$pw"
. "$here/dovecot-lib.sh"
printf 'refused@client.test REJECT sender refused for the test\n' > "$certs/senders"
PF_MAIN_EXTRA="smtpd_tls_security_level = may
smtpd_tls_chain_files = $certs/good.key,$certs/good.pem
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $dv_auth
smtpd_sasl_security_options = noanonymous
smtpd_sender_restrictions = check_sender_access texthash:$certs/senders
smtpd_delay_reject = no"
PF_MASTER_EXTRA="tlsmgr    unix  -       -       n       1000?   1       tlsmgr"
. "$here/postfix-lib.sh"
trap 'cleanup; stop_dovecot; rm -rf "$certs"' EXIT
fail=0 n=0
limit=30
[ -n "${SMTPSCOPE_TEST_SLOW:-}" ] && limit=120
export SWAKS_CMP_PW=$pw

# counts: Postfix's command counts of the last session ("ehlo=2 ... commands=7"),
# once its disconnect line is in (bounded: 20 s); $1: how many such lines
# there were before the session.
counts() {
	local i line
	for i in $(seq 1 200); do
		if [ "$(grep -c 'smtpd.*disconnect from' "$log" 2>/dev/null)" -gt "$1" ]; then
			line=$(grep 'smtpd.*disconnect from' "$log" | tail -n 1)
			sed 's/.*disconnect from [^ ]* //' <<<"$line"
			return 0
		fi
		sleep 0.1
	done
	echo "(no disconnect line)"
}
disconnects() { grep -c 'smtpd.*disconnect from' "$log" 2>/dev/null; }
# delivered_count: messages in user@scope.test's maildir.
delivered_count() { ls "$mail/scope.test/user/new" 2>/dev/null | wc -l; }

# run WHO NAME ARGS...: swaks or smtpscope with ARGS, transcript in
# $tmp/NAME.WHO; sets $status and $pf (Postfix's counts of its session).
run() {
	local who=$1 name=$2 before; shift 2
	before=$(disconnects)
	if [ "$who" = swaks ]; then
		timeout "$limit" swaks "$@" > "$tmp/$name.swaks" 2>&1 </dev/null
	else
		timeout "$limit" "$bin" "$@" > "$tmp/$name.smtpscope" 2>&1 </dev/null
	fi
	status=$?
	pf=$(counts "$before")
}
bad() {
	echo "FAIL $1: $2"
	for f in "$tmp/$1.swaks" "$tmp/$1.smtpscope"; do
		[ -f "$f" ] && { echo "---- $f"; sed 's/^/    /' "$f" | tail -n 40; }
	done
	fail=$((fail + 1))
}
# compare NAME WANT-STATUS SWAKS-ARGS -- SMTPSCOPE-ARGS: both run, their
# statuses are WANT-STATUS (smtpscope's) and the same (or SWAKS-STATUS
# when WANT-STATUS is "S/W"), and Postfix counted the same commands.
compare() {
	local name=$1 want=$2 sw=() ss=() st_sw st_ss pf_sw pf_ss want_sw want_ss
	shift 2
	while [ "$1" != -- ]; do sw+=("$1"); shift; done
	shift
	ss=("$@")
	want_ss=${want%/*} want_sw=${want#*/}
	n=$((n + 1))
	run swaks "$name" "${sw[@]}"; st_sw=$status pf_sw=$pf
	run smtpscope "$name" "${ss[@]}"; st_ss=$status pf_ss=$pf
	if [ "$st_ss" != "$want_ss" ] || [ "$st_sw" != "$want_sw" ]; then
		bad "$name" "exit status: smtpscope $st_ss, swaks $st_sw; want $want_ss and $want_sw"
	elif [ "$pf_sw" != "$pf_ss" ]; then
		bad "$name" "Postfix counted swaks' session \"$pf_sw\" and smtpscope's \"$pf_ss\""
	else
		echo "ok   $name (both exit $st_ss; Postfix: $pf_ss)"
	fi
}

target=127.0.0.1:$port
base_sw=(--server "$target" --to user@scope.test --from sender@client.test --ehlo c.example)
base_ss=(--server "$target" --to user@scope.test --from sender@client.test --ehlo c.example)
tls_sw=(--tls)
tls_ss=(--starttls --cafile "$certs/ca.pem")
auth_sw=(--auth PLAIN --auth-user "$user" --auth-password "$pw")
auth_ss=(--auth PLAIN --auth-user "$user" --password-env SWAKS_CMP_PW)

# ---- each --quit-after stage ----------------------------------------------
for stage in CONNECT BANNER FIRST-EHLO TLS EHLO AUTH MAIL RCPT; do
	before=$(delivered_count)
	compare "quit-$stage" 0 "${base_sw[@]}" "${tls_sw[@]}" "${auth_sw[@]}" --quit-after "$stage" -- \
		"${base_ss[@]}" "${tls_ss[@]}" "${auth_ss[@]}" --quit-after "$stage"
	n=$((n + 1))
	if [ "$(delivered_count)" != "$before" ]; then
		bad "quit-$stage" "a message was delivered"
	else
		echo "ok   quit-$stage-nothing-delivered"
	fi
done
# DATA: swaks has no --quit-after DATA (QUIT would be message content);
# its --drop-after DATA closes the connection after the 354, as ours does
before=$(delivered_count)
compare quit-DATA 0 "${base_sw[@]}" "${tls_sw[@]}" "${auth_sw[@]}" --drop-after DATA -- \
	"${base_ss[@]}" "${tls_ss[@]}" "${auth_ss[@]}" --quit-after DATA
n=$((n + 1))
[ "$(delivered_count)" = "$before" ] && echo "ok   quit-DATA-nothing-delivered" ||
	bad quit-DATA "a message was delivered"

# ---- what Postfix delivered ---------------------------------------------------
# newest_two: the two messages delivered last, oldest first (swaks' then ours).
newest_two() { ls -tr "$mail/scope.test/user/new"/* | tail -n 2; }
# same NAME PYTHON: the two delivered messages a (swaks') and b (smtpscope's),
# parsed, satisfy PYTHON (raw bytes: ra, rb).
same() {
	local files
	n=$((n + 1))
	files=($(newest_two))
	if [ "${#files[@]}" -ne 2 ]; then
		bad "$1" "fewer than two messages delivered"; return
	fi
	if "$py" -c '
import email, email.policy, re, sys
ra, rb = (open(f, "rb").read() for f in sys.argv[1:3])
a, b = (email.message_from_bytes(r, policy=email.policy.default) for r in (ra, rb))
def unreceived(raw):
    """The message without the fields Postfix adds that differ (Received:
    with its folds, the Date: of a message that had none), and without the
    empty line swaks adds at the end of a message ending in a line break."""
    raw = re.sub(rb"(?m)^(Received|Date):.*\n(?:[ \t].*\n)*", b"", raw)
    return raw.rstrip(b"\n") + b"\n"
def text(m):
    part = m.get_body(("plain",))
    return part.get_content().replace("\r\n", "\n") if part else None
ok = '"$2"'
if not ok:
    print("swaks:\n" + ra.decode("utf-8", "replace") + "\nsmtpscope:\n" + rb.decode("utf-8", "replace"))
sys.exit(0 if ok else 1)
' "${files[@]}" > "$tmp/$1.py" 2>&1; then
		echo "ok   $1-delivered-alike"
	else
		bad "$1" "the delivered messages differ: $(head -c 3000 "$tmp/$1.py")"
	fi
}

# A prepared message, sent as it is: byte for byte the same but Received:
printf 'From: Prepared <prepared@client.test>\nTo: user@scope.test\nSubject: prepared %s\nMessage-ID: <prepared-%s@client.test>\n\n.leading dot\nsecond line\n' "$$" "$$" > "$tmp/prepared.eml"
before=$(delivered_count)
compare data 0 "${base_sw[@]}" --data "@$tmp/prepared.eml" -- "${base_ss[@]}" --data "@$tmp/prepared.eml"
[ "$(delivered_count)" = $((before + 2)) ] || bad data "not both delivered"
same data 'unreceived(ra) == unreceived(rb)'

# A composed message, with STARTTLS, AUTH and --pipeline on both sides
fields='all(a[h] == b[h] for h in ("From", "To", "Subject", "X-Test", "Return-Path", "Delivered-To"))'
compare composed 0 "${base_sw[@]}" "${tls_sw[@]}" "${auth_sw[@]}" --pipeline \
	--header "Subject: composed $$" --header "X-Test: both" --body 'first line\nsecond line' -- \
	"${base_ss[@]}" "${tls_ss[@]}" "${auth_ss[@]}" --pipeline \
	--header "Subject: composed $$" --header "X-Test: both" --body 'first line\nsecond line'
same composed "$fields and b[\"Subject\"] == \"composed $$\" and a[\"Message-ID\"] and b[\"Message-ID\"] and a[\"Date\"] and b[\"Date\"] and text(a).rstrip(\"\\n\") == text(b).rstrip(\"\\n\") == \"first line\\nsecond line\""

# The same options of swaks' on both sides: --h-NAME VALUE for --header,
# --add-header with two fields split by a literal \n, and one named as
# ours (a second To:); the header fields delivered alike.
compare add-header 0 "${base_sw[@]}" --h-Subject "h-option $$" --h-X-Test=h-equals \
	--add-header 'X-Added: one\nX-Added-Too: two' --add-header 'To: second@scope.test' --body 'added' -- \
	"${base_ss[@]}" --h-Subject "h-option $$" --h-X-Test=h-equals \
	--add-header 'X-Added: one\nX-Added-Too: two' --add-header 'To: second@scope.test' --body 'added'
same add-header "a[\"Subject\"] == b[\"Subject\"] == \"h-option $$\" and a[\"X-Test\"] == b[\"X-Test\"] == \"h-equals\" and a[\"X-Added\"] == b[\"X-Added\"] == \"one\" and a[\"X-Added-Too\"] == b[\"X-Added-Too\"] == \"two\" and a.get_all(\"To\") == b.get_all(\"To\") and len(b.get_all(\"To\")) == 2"

# An attachment: the same name and octets
printf 'bin\r\n\x00\x01\xfe\xff\n' > "$tmp/blob.bin"
head -c 5000 /dev/urandom >> "$tmp/blob.bin"
compare attach 0 "${base_sw[@]}" --body 'see the file' --attach "@$tmp/blob.bin" -- \
	"${base_ss[@]}" --body 'see the file' --attach "$tmp/blob.bin"
export SWAKS_CMP_BLOB=$tmp/blob.bin
same attach '[(p.get_filename(), p.get_content()) for p in a.iter_attachments()] == [(p.get_filename(), p.get_content()) for p in b.iter_attachments()] == [("blob.bin", open(__import__("os").environ["SWAKS_CMP_BLOB"], "rb").read())]'

# ---- refusals: the same status -----------------------------------------------
compare unknown-rcpt 24 --server "$target" --to nobody@scope.test --from sender@client.test --ehlo c.example -- \
	--server "$target" --to nobody@scope.test --from sender@client.test --ehlo c.example
compare refused-sender 23 --server "$target" --to user@scope.test --from refused@client.test --ehlo c.example -- \
	--server "$target" --to user@scope.test --from refused@client.test --ehlo c.example
export SWAKS_CMP_BAD=wrong-password
compare wrong-password 28 "${base_sw[@]}" "${tls_sw[@]}" --auth PLAIN --auth-user "$user" --auth-password wrong-password -- \
	"${base_ss[@]}" "${tls_ss[@]}" --auth PLAIN --auth-user "$user" --password-env SWAKS_CMP_BAD

elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if [ "$fail" -ne 0 ]; then
	show_log; dv_log
	echo "swaks-compare: $((n - fail))/$n passed, $fail failed (${elapsed} s)"
	exit 1
fi
echo "swaks-compare: $n/$n passed ($(swaks --version 2>&1 | head -n 1), Postfix on 127.0.0.1:$port, ${elapsed} s)"
