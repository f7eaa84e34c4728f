#!/usr/bin/env bash
# /save and --save: the three formats chosen by extension, secrets
# redacted in each, the HTML handout well-formed (XHTML, parsed by
# xml.etree and checked tag by tag with html.parser) with hostile reply
# text escaped, and every JSONL line parsing with the documented fields.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# A scenario whose refusal carries markup, quotes and terminal escapes.
printf '%s\n' '[scenario hostile]' 'title: Hostile reply text' 'lesson: Markup and escapes in a reply.' \
	'[on RCPT]' "reply: 550 5.7.1 <script>alert('x')</script> & \"q\" </pre><b>bold $(printf '\033')]0;owned$(printf '\007')" \
	> "$tmp/hostile.scn"
printf '%s\n' 'EHLO me.example' 'AUTH PLAIN AHN0dWRlbnQAc2VjcmV0' 'MAIL FROM:<a@example.org>' \
	'RCPT TO:<x@demo.test>' "/save $tmp/mid.txt" 'QUIT' > "$tmp/in1"
printf '%s\n' '/scenario auth' 'EHLO me.example' 'AUTH LOGIN' 'c3R1ZGVudA==' 'c2VjcmV0' \
	'MAIL FROM:<a@example.org>' 'QUIT' >> "$tmp/in1"
for ext in txt jsonl html; do
	timeout 30 "$bin" --batch --demo "$tmp/hostile.scn" --save "$tmp/s.$ext" < "$tmp/in1" > "$tmp/out.$ext" 2>&1
	grep -q "session saved to $tmp/s.$ext" "$tmp/out.$ext" || fail "$ext: not saved: $(tail -3 "$tmp/out.$ext")"
	grep -q 'AHN0dWRlbnQAc2VjcmV0\|c3R1ZGVudA==\|c2VjcmV0' "$tmp/s.$ext" && fail "$ext: a secret was saved"
	grep -q 'AUTH PLAIN \*\*\*' "$tmp/s.$ext" || fail "$ext: no redacted AUTH line"
done
grep -q 'AUTH PLAIN \*\*\*' "$tmp/mid.txt" || fail "/save: no transcript"
grep -q '^ -> \*\*\*$' "$tmp/s.txt" || fail "txt: the lines after 334 are not redacted"
# The live transcript redacts SASL lines too (--show-secrets shows them).
grep -q 'c3R1ZGVudA==\|c2VjcmV0' "$tmp/out.txt" && fail "the live transcript shows a secret"
grep -q ' -> <redacted: SASL response>' "$tmp/out.txt" || fail "the live transcript lacks the redacted SASL lines"

/usr/bin/python3 - "$tmp/s.jsonl" <<'PY' || fail "jsonl"
import json, sys
fields = {"index", "kind", "time", "text", "lines", "code", "enhanced", "command", "answers",
          "latency_ms", "encrypted", "insecure", "redacted", "explanation", "tls_failure"}
kinds = set()
redacted = 0
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    ev = json.loads(line)
    assert set(ev) == fields, (n, set(ev) ^ fields)
    kinds.add(ev["kind"])
    redacted += ev["redacted"]
    if ev["kind"] == "reply":
        assert isinstance(ev["code"], int) and ev["explanation"], ev
    if ev["code"] == 550:
        assert ev["enhanced"] == "5.7.1" and "\\x1b" in ev["lines"][0], ev
assert {"connect", "sent", "reply", "note", "close"} <= kinds, kinds
assert redacted == 3, redacted
PY

/usr/bin/python3 - "$tmp/s.html" <<'PY' || fail "html"
import sys, xml.etree.ElementTree as ET
from html.parser import HTMLParser
text = open(sys.argv[1], encoding="utf-8").read()
ET.fromstring(text.split("\n", 1)[1])          # well-formed XHTML after the doctype
assert "\x1b" not in text and "\x07" not in text
assert "<script" not in text and "<b>" not in text
assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; &lt;/pre&gt;&lt;b&gt;bold \\x1b]0;owned\\x07" in text
assert "http://" not in text.replace('xmlns="http://www.w3.org/1999/xhtml"', "") and "src=" not in text
class Check(HTMLParser):
    void = {"meta"}
    def __init__(self):
        super().__init__(); self.stack = []; self.tags = set()
    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag not in self.void: self.stack.append(tag)
    def handle_startendtag(self, tag, attrs): self.tags.add(tag)
    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-3:])
        self.stack.pop()
c = Check(); c.feed(text); c.close()
assert not c.stack, c.stack
assert {"html", "head", "body", "pre", "style", "span"} <= c.tags
assert "Ladder" in text and "|-- EHLO me.example" in text
PY

out=$(timeout 10 "$bin" --batch --demo --save "$tmp/x.pdf" < /dev/null 2>&1); rc=$?
[ "$rc" -eq 2 ] && grep -q "txt, .jsonl or .html" <<<"$out" || fail "--save x.pdf: $rc $out"
out=$(printf '/save %s/x.doc\n' "$tmp" | timeout 10 "$bin" --batch 2>&1)
grep -q '^\*\*\* cannot save to .*x.doc' <<<"$out" || fail "/save x.doc: $out"
echo "export: ok"
