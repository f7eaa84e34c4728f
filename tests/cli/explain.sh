#!/usr/bin/env bash
# `smtpscope explain` end to end: the forms the README shows, their exit
# statuses and errors, --check on the shipped and on a broken knowledge
# base and scenario, and the JSON schema (field names are a documented interface).
set -u
bin=${SMTPSCOPE:-$(dirname "$0")/../../smtpscope}
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; shift; printf '    %s\n' "$@"; }

# expect NAME STATUS PATTERN -- ARGS...: runs smtpscope ARGS, checks the
# exit status and that stdout+stderr contain PATTERN (grep -E).
expect() {
	local name=$1 want=$2 pat=$3 out rc
	shift 4
	out=$("$bin" "$@" 2>&1); rc=$?
	if [ "$rc" -ne "$want" ]; then bad "$name" "exit $rc, want $want" "$out"; return; fi
	if ! grep -Eq -- "$pat" <<<"$out"; then bad "$name" "no /$pat/ in:" "$out"; return; fi
	ok "$name"
}

expect check 0 '[0-9]+ codes, 81 enhanced codes, [0-9]+ diagnoses.*; 0 problems' -- explain --check
expect check-scenarios 0 'scenarios .*/scenarios: 17 scenarios; 0 problems' -- explain --check
expect code 0 '^252 — Cannot VRFY user' -- explain 252
expect code-by-command 0 'ETRN' -- explain 252
expect code-after 0 'As the reply to RCPT' -- explain 550 --after RCPT
expect code-enhanced 0 'Enhanced code 5\.1\.1 — Bad destination mailbox address' -- explain 550 5.1.1
expect enhanced-alone 0 'Enhanced status code 5\.7\.26' -- explain 5.7.26
# No reply code was given, so none is judged.
out=$("$bin" explain 5.7.26 2>&1)
if grep -Eq -- '-01|not a valid' <<<"$out"; then bad enhanced-alone-no-code-note "$out"; else ok enhanced-alone-no-code-note; fi
expect unregistered 0 'not in the IANA registry' -- explain 5.1.77
expect unknown-code 0 'no entry for 259' -- explain 259
expect invalid-second-digit 0 'second digit must be 0 to 5' -- explain 299
expect compare 0 'How they differ' -- explain --compare 252 354
expect reply-joined 0 'split them again' -- explain --reply '550-5.7.1 The user is not allowed 550 5.7.1 to receive mail' --after RCPT
expect reply-multiline 0 'Diagnosis: mailbox-unknown' -- explain --reply $'550-5.1.1 first line\n550 5.1.1 second line' --after RCPT
expect reply-hash 0 'inside the text after' -- explain --reply '554 delivery error: dd This user does not exist (#5.1.1)' --after DOT
expect reply-334 0 'Decoded from base64: "Username:"' -- explain --reply '334 VXNlcm5hbWU6' --after AUTH
expect reply-escaped 0 '\\x1b\[2J' -- explain --reply $'550 \e[2Jboom' --json
expect bad-code 2 'is not a reply code: give three digits' -- explain 55
expect bad-enhanced 2 'is not an enhanced status code' -- explain 550 5.1
expect bad-after 2 '--after "LUNCH": not a command' -- explain 550 --after LUNCH
expect bad-reply 2 'found no reply in "hello": give the server.s reply' -- explain --reply 'hello'
expect bad-compare 2 '--compare wants two reply codes' -- explain --compare 252 35
expect no-args 2 'say what to explain' -- explain

# A broken knowledge base: reported with file and line, exit 1.
mkdir -p "$tmp/help/kb"
printf '[diagnosis a]\nlabel: l\ndescription: d\nnext: n\ncolour: red\n' > "$tmp/help/kb/x.kb"
out=$(SMTPSCOPE_HELPDIR="$tmp/help" "$bin" explain --check 2>&1); rc=$?
if [ "$rc" -eq 1 ] && grep -q "x.kb:5: unknown key \"colour\"" <<<"$out"; then ok broken-kb
else bad broken-kb "exit $rc" "$out"; fi

# A broken scenario next to a good knowledge base and a good scenario:
# FILE:LINE, exit 1; the good ones are still counted.
mkdir -p "$tmp/help2/scenarios"
cp -R "${SMTPSCOPE_HELPDIR:-$(dirname "$0")/../../help}/kb" "$tmp/help2/kb"
printf '[scenario good]\ntitle: t\nlesson: l\n' > "$tmp/help2/scenarios/good.scn"
printf '[scenario bad]\ntitle: t\nlesson: l\n\n[on RCPT]\nattempt: soon\nreply: 450 later\n' \
	> "$tmp/help2/scenarios/bad.scn"
out=$(SMTPSCOPE_HELPDIR="$tmp/help2" "$bin" explain --check 2>&1); rc=$?
if [ "$rc" -eq 1 ] && grep -q 'scenarios/bad.scn:6: ' <<<"$out" &&
   grep -q '; 0 problems' <<<"$out" && grep -q '1 scenario; 1 problem' <<<"$out"; then
	ok broken-scenario
else bad broken-scenario "exit $rc" "$out"; fi

# Text rules: a rule that decides, and shows the words it matched.
expect rule-greylisted 0 'Diagnosis: greylisted .*text rule' -- explain --reply '451 4.7.1 <user@example.com>: Recipient address rejected: Greylisted for 5 minutes' --after RCPT
expect rule-cue 0 'Why: the text says "Greylisted" \(rule greylisted' -- explain --reply '451 4.7.1 <user@example.com>: Recipient address rejected: Greylisted for 5 minutes'
expect rule-short 0 '"diagnosis":\{"id":"sender-authentication".*"rule":\{"id":"sender-authentication","decided":true,"cue":"DMARC"' -- explain --json --reply '550 5.7.1 This message was not accepted due to domain (example.org) owner DMARC policy'
expect rule-contradiction 0 'the enhanced code 5.1.1 says recipient does not exist, but the text says \\"too many recipients this' -- explain --json --reply '550 5.1.1 <user@example.com>  - 203.0.113.222 has sent to too many recipients this hour.'
expect rule-code-alone 0 'alone would say' -- explain --reply '550 <user@example.com>: Bad DNS PTR resource record'
expect rule-mail-sender 0 'Diagnosis: sender-rejected.*' -- explain --reply '550 5.1.1 <user@example.com>: User unknown' --after MAIL
expect rule-success-untouched 0 'Diagnosis: accepted' -- explain --reply '250 2.0.0 Ok: queued as greylist-4Xb2'

# Pasted shapes: the server and the command come from the words.
expect paste-postfix 0 'Read as: Postfix bounce line; server mx.example.com\[192.0.2.1\]; in reply to RCPT' -- explain --reply 'host mx.example.com[192.0.2.1] said: 550 5.1.1 <x@example.com>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command)'
expect paste-postfix-context 0 'As the reply to RCPT' -- explain --reply 'host mx.example.com[192.0.2.1] said: 550 5.1.1 <x@example.com>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command)'
expect paste-log 0 'Read as: Postfix log line.*recipient x@example.com' -- explain --reply 'Dec  1 12:00:00 mail postfix/smtp[1234]: 4Xb2C3: to=<x@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=0.5, delays=0.1/0/0.2/0.2, dsn=4.7.1, status=deferred (host mx.example.com[192.0.2.1] said: 450 4.7.1 <x@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html (in reply to RCPT TO command))'
expect paste-exim 0 'Read as: Exim.*in reply to end of data' -- explain --reply 'SMTP error from remote mail server after end of data: 552 5.3.4 Message size exceeds fixed limit'
expect paste-microsoft 0 'Diagnosis: mailbox-unknown' -- explain --reply "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'"
expect paste-enhanced 0 'Diagnosis: auth-failed' -- explain --reply '5.7.3 Authentication unsuccessful'
expect paste-json 0 '^\{"pasted":\{"format":"Exim bounce line","server":null,"command":"MAIL"' -- explain --json --reply 'SMTP error from remote mail server after MAIL FROM:<a@example.org> SIZE=1234: 550 5.7.1 Sender rejected'
expect paste-after-wins 0 'in reply to RCPT' -- explain --after DOT --reply 'host mx.example.com[192.0.2.1] said: 550 5.1.1 <x@example.com>: User unknown (in reply to RCPT TO command)'
expect paste-after-wins-ctx 0 'As the reply to DOT|after the final dot' -- explain --after DOT --reply 'host mx.example.com[192.0.2.1] said: 550 5.1.1 <x@example.com>: User unknown (in reply to RCPT TO command)'

# Bounces: a real one, standard input, and input that is none.
bounces=$(dirname "$0")/../data/real-bounces
expect bounce-file 0 'Bounce: .*1 recipient' -- explain --bounce "$bounces/lhost-postfix-05.eml"
expect bounce-rcpt 0 'user@example.com — ' -- explain --bounce "$bounces/lhost-postfix-05.eml"
expect bounce-next 0 'Next step: ' -- explain --bounce "$bounces/lhost-exim-05.eml"
out=$("$bin" explain --bounce - < "$bounces/lhost-qmail-01.eml" 2>&1); rc=$?
if [ "$rc" -eq 0 ] && grep -q 'user@example.com' <<<"$out"; then ok bounce-stdin; else bad bounce-stdin "exit $rc" "$out"; fi
"$bin" explain --json --bounce "$bounces/lhost-postfix-05.eml" > "$tmp/bounce.json" 2>&1
if out=$("$py" - "$tmp/bounce.json" <<'PY' 2>&1
import json, sys
b = json.load(open(sys.argv[1]))
assert set(b) == {"format", "reporting_mta", "subject", "from", "truncated", "recipients"}, b.keys()
r = b["recipients"][0]
assert set(r) == {"recipient", "original", "action", "status", "remote_mta", "diagnostic",
                  "diagnostic_type", "command", "explanation"}, r.keys()
assert r["recipient"] == "user@example.com" and r["explanation"]["diagnosis"]["id"]
PY
); then ok bounce-json; else bad bounce-json "$out"; fi
printf 'From: a@example.org\nTo: b@example.org\nSubject: hello\n\nJust a note.\n' > "$tmp/plain.eml"
expect bounce-not-bounce 4 'not a bounce|no failed recipient' -- explain --bounce "$tmp/plain.eml"
head -c 3000 /dev/urandom > "$tmp/random.bin"
expect bounce-binary 4 '--bounce .*random.bin: ' -- explain --bounce "$tmp/random.bin"
: > "$tmp/empty.eml"
expect bounce-empty 4 '--bounce .*empty.eml: ' -- explain --bounce "$tmp/empty.eml"
expect bounce-missing 3 'cannot read it: No such file or directory' -- explain --bounce "$tmp/none.eml"
expect bounce-and-reply 2 'give --reply or --bounce, not both' -- explain --bounce x --reply y

# A rule whose sample an earlier rule takes: --check names both, exit 1.
mkdir -p "$tmp/help3"
cp -R "${SMTPSCOPE_HELPDIR:-$(dirname "$0")/../../help}/kb" "$tmp/help3/kb"
printf '\n[rule late]\ncue: greylisted\ndiagnosis: policy\nsample: 451 4.7.1 Greylisted, come back later\n' \
	>> "$tmp/help3/kb/rules.kb"
out=$(SMTPSCOPE_HELPDIR="$tmp/help3" "$bin" explain --check 2>&1); rc=$?
if [ "$rc" -eq 1 ] && grep -Eq 'rules.kb:[0-9]+: sample 1 of rule late is taken first by rule greylisted \(.*rules.kb:[0-9]+\)' <<<"$out"; then
	ok rule-sample-shadowed
else bad rule-sample-shadowed "exit $rc" "$out"; fi
printf '\n[rule broken]\nregex: (unclosed\ndiagnosis: nowhere\nsample: 550 x\n' >> "$tmp/help3/kb/rules.kb"
out=$(SMTPSCOPE_HELPDIR="$tmp/help3" "$bin" explain --check 2>&1); rc=$?
if [ "$rc" -eq 1 ] && grep -Eq 'rules.kb:[0-9]+: regex is not a valid POSIX extended regular expression' <<<"$out"; then
	ok rule-bad-regex
else bad rule-bad-regex "exit $rc" "$out"; fi

# JSON: valid, and the documented fields are there with the right types.
"$bin" explain --reply $'550-5.1.1 The email account that you tried to reach does not exist.\n550 5.1.1 https://support.google.com/mail/?p=NoSuchUser x - gsmtp' \
	--after RCPT --json > "$tmp/one.json" 2>&1
"$bin" explain --compare 452 552 --json > "$tmp/cmp.json" 2>&1
"$bin" explain 5.7.1 --json > "$tmp/enh.json" 2>&1
if out=$("$py" - "$tmp" <<'PY' 2>&1
import json, sys
d = sys.argv[1]
x = json.load(open(d + "/one.json"))
fields = {"code": int, "name": str, "summary": str, "class_meaning": str,
          "category_meaning": str, "context": str, "context_meaning": str,
          "enhanced": dict, "diagnosis": dict, "provider": dict,
          "description": str, "when": str, "fix": str, "differences": str,
          "related": list, "rfc": str, "text": str, "notes": list}
for k, t in fields.items():
    assert isinstance(x.get(k), t), (k, x.get(k))
assert "decoded" in x and x["decoded"] is None
assert x["code"] == 550 and x["context"] == "RCPT"
assert set(x["enhanced"]) == {"code", "source", "registered", "name", "description",
                              "fix", "class_meaning", "subject_meaning", "deprecated"}
assert x["enhanced"]["code"] == "5.1.1" and x["enhanced"]["source"] == "start"
assert set(x["diagnosis"]) == {"id", "label", "description", "next", "from", "rule"}
assert x["diagnosis"]["id"] == "mailbox-unknown" and x["diagnosis"]["rule"] is None
assert set(x["provider"]) == {"pattern", "who", "kind", "means", "action", "enhanced_note"}
assert "Gmail" in x["provider"]["who"]
c = json.load(open(d + "/cmp.json"))
assert [e["code"] for e in c["codes"]] == [452, 552] and isinstance(c["comparison"], str)
assert 452 in c["group"] and 552 in c["group"]
e = json.load(open(d + "/enh.json"))
assert e["code"] is None and e["enhanced"]["code"] == "5.7.1" and e["enhanced"]["registered"]
PY
); then ok json-schema; else bad json-schema "$out" "$(head -c 600 "$tmp/one.json")"; fi

echo "explain-cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
