#!/usr/bin/env bash
# Every string a user reads goes through gettext: unmarked.py lists the
# literals of src/*.c that read as words and are neither marked for
# translation nor listed in tests/i18n/allow/FILE.c.txt as not for it.
# A second check: both catalogs translate every message the sources have
# now (msgcmp against a fresh xgettext) and are msgfmt --check clean.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
if python3 "$top/tests/i18n/unmarked.py" "$top"; then
	echo "ok   every user-visible string of src/ is marked for translation"
else
	echo "FAIL strings not marked for translation (above)"; fail=1
fi
pot=$(mktemp)
trap 'rm -f "$pot"' EXIT
(cd "$top" && xgettext --keyword=_ --keyword=N_ --keyword=ngettext:1,2 --from-code=UTF-8 \
	-o "$pot" $(grep -v '^#' po/POTFILES.in)) || { echo "FAIL xgettext"; fail=1; }
for l in fr ko; do
	if out=$(LC_ALL=C msgcmp "$top/po/$l.po" "$pot" 2>&1); then
		echo "ok   po/$l.po translates every message of the sources"
	else
		echo "FAIL po/$l.po lacks messages of the sources:"; head -20 <<<"$out"; fail=1
	fi
	out=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$top/po/$l.po" 2>&1)
	if [ $? -eq 0 ] && ! grep -Eq 'untranslated|fuzzy' <<<"$out"; then
		echo "ok   po/$l.po: $out"
	else
		echo "FAIL po/$l.po: $out"; fail=1
	fi
done
exit $fail
