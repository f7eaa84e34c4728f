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
expect bad-reply 2 'starts with a three-digit reply code' -- explain --reply 'hello'
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
assert set(x["diagnosis"]) == {"id", "label", "description", "next", "from"}
assert x["diagnosis"]["id"] == "mailbox-unknown"
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
