#!/usr/bin/env python3
"""Lists the string literals in src/*.c that read like words for people
(two words or more, separated by a space) and are not given to gettext
(_(), N_(), ngettext()), unless tests/i18n/allow/FILE.txt lists them as
not for translation (a line each: the literal as written in the source,
between its quotes).  Exits 1 when any is left, printing FILE:LINE: TEXT.

Usage: unmarked.py [TOP]   (TOP: the source tree, default .)"""
import glob
import os
import re
import sys

LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
WORDS = re.compile(r"[A-Za-z]{2,}'?[a-z]* +[A-Za-z]{2,}")
MARK = re.compile(r'(?:\b_|\bN_|\bngettext)\(\s*$')
NGETTEXT_SECOND = re.compile(r'\bngettext\(\s*(?:"(?:[^"\\\n]|\\.)*"\s*)+,\s*$')


def blank(m):
    return re.sub(r'[^\n]', ' ', m.group(0))


def strip_comments(src):
    # Comments and character literals ('"') are blanked, keeping lines
    # and every string literal as it is (a "//" inside one is no comment).
    out = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and src[j] != c and src[j] != '\n':
                j += 2 if src[j] == '\\' else 1
            j = min(j + 1, n)
            out.append(src[i:j] if c == '"' else ' ' * (j - i))
            i = j
        elif src.startswith('/*', i):
            j = src.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', src[i:j]))
            i = j
        elif src.startswith('//', i):
            j = src.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def unmarked(path):
    src = strip_comments(open(path, encoding='utf-8').read())
    # Preprocessor lines (#include "x.h") are not text.
    src = re.sub(r'(?m)^\s*#[^\n]*', blank, src)
    found = []
    pos = 0
    for m in LITERAL.finditer(src):
        if m.start() < pos:
            continue
        # A run of adjacent literals is one string.
        run = [m]
        end = m.end()
        while True:
            n = LITERAL.match(src, end + len(src[end:]) - len(src[end:].lstrip()))
            if not n:
                break
            run.append(n)
            end = n.end()
        pos = end
        text = ''.join(r.group(1) for r in run)
        if not WORDS.search(text):
            continue
        before = src[max(0, m.start() - 2000):m.start()]
        if MARK.search(before) or NGETTEXT_SECOND.search(before):
            continue
        line = src.count('\n', 0, m.start()) + 1
        found.append((line, text))
    return found


def marked_texts(path):
    """Every literal run of the file, marked or not (an allow line for a
    string since marked is no longer needed either)."""
    src = strip_comments(open(path, encoding='utf-8').read())
    return {m.group(1) for m in LITERAL.finditer(src)}


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else '.'
    left = 0
    for path in sorted(glob.glob(os.path.join(top, 'src', '*.c'))):
        name = os.path.basename(path)
        allow_file = os.path.join(top, 'tests', 'i18n', 'allow', name + '.txt')
        allowed = set()
        if os.path.exists(allow_file):
            for l in open(allow_file, encoding='utf-8'):
                l = l.rstrip('\n')
                if l and not l.startswith('#'):
                    allowed.add(l)
        found = unmarked(path)
        for text in sorted(allowed - {t for _, t in found} - marked_texts(path)):
            print('%s: a line that matches no string of src/%s left over: "%s"'
                  % (os.path.relpath(allow_file, top), name, text[:100]))
            left += 1
        for line, text in found:
            if text in allowed:
                continue
            print('src/%s:%d: not marked for translation: "%s"' % (name, line, text[:100]))
            left += 1
    if left:
        print('%d problems: strings neither marked (_(), N_(), ngettext()) nor listed in '
              'tests/i18n/allow/FILE.c.txt as not for translation, or allow lines left over' % left)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
