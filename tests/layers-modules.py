#!/usr/bin/env python3
"""Module dependencies of ARCHITECTURE.md's table, checked against the
#include lines of src/ and include/smtpscope/.

Each row of the table "| module | file(s) | owns | uses |" names its files
(backquoted, globs allowed) and the modules it may use (comma-separated;
a parenthesised remark after a name is ignored; "—" for none).  Every
source file must belong to exactly one module, and every header it
includes must belong to its own module, to one it uses, or to util."""
import fnmatch, glob, os, re, sys

top = sys.argv[1] if len(sys.argv) > 1 else "."
os.chdir(top)
rows = {}
for line in open("ARCHITECTURE.md", encoding="utf-8"):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) != 4 or not line.startswith("|") or cells[0] in ("module", "---") \
            or set(cells[0]) <= set("-"):
        continue
    files = re.findall(r"`([^`]+)`", cells[1])
    uses = set()
    for u in re.sub(r"\([^)]*\)", "", cells[3]).split(","):
        u = u.strip()
        if u and u != "—":
            uses.add(u)
    rows[cells[0]] = (files, uses)

fail = 0
def bad(msg):
    global fail
    print("FAIL: " + msg)
    fail = 1

for m, (files, uses) in rows.items():
    for u in uses:
        if u not in rows:
            bad(f"module {m} uses {u}, which is not a module of the table")

def cycle():
    state = {}
    def visit(m, path):
        state[m] = 1
        for u in sorted(rows[m][1]):
            if u not in rows:
                continue
            if state.get(u) == 1:
                return path + [m, u]
            if u not in state:
                c = visit(u, path + [m])
                if c:
                    return c
        state[m] = 2
        return None
    for m in rows:
        if m not in state:
            c = visit(m, [])
            if c:
                return c[c.index(c[-1]):]
    return None

c = cycle()
if c:
    bad("the modules' uses form a cycle: " + " -> ".join(c))

owner = {}
sources = sorted(glob.glob("src/*.c") + glob.glob("src/*.h"))
for path in sources:
    base = os.path.basename(path)
    if base.endswith("-private.h"):
        stem = base[: -len("-private.h")]
        mods = [m for m, (fs, _) in rows.items() if any(fnmatch.fnmatch(stem + ".c", f) for f in fs)]
    else:
        mods = [m for m, (fs, _) in rows.items() if any(fnmatch.fnmatch(base, f) for f in fs)]
    if len(mods) != 1:
        bad(f"{path} belongs to {len(mods)} modules of ARCHITECTURE.md ({', '.join(mods) or 'none'})")
        continue
    owner[path] = mods[0]

def header_module(name, where):
    base = os.path.basename(name)
    if base.endswith("-private.h"):
        return owner.get("src/" + base)
    stem = base[:-2]
    if stem in rows:
        return stem
    return owner.get("src/" + stem + ".c")

headers = sorted(glob.glob("include/smtpscope/*.h"))
for h in headers:
    m = header_module(h, None)
    if m is None:
        bad(f"{h} belongs to no module of ARCHITECTURE.md")
    else:
        owner[h] = m

inc = re.compile(r'^\s*#\s*include\s*"(?:smtpscope/)?([^"]+\.h)"')
checked = 0
for path, m in sorted(owner.items()):
    allowed = rows[m][1] | {m, "util"}
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        g = inc.match(line)
        if not g or g.group(1) == "config.h":
            continue
        hm = header_module(g.group(1), path)
        checked += 1
        if hm is None:
            bad(f"{path}:{n}: includes {g.group(1)}, which belongs to no module")
        elif hm not in allowed:
            bad(f"{path}:{n}: module {m} includes {g.group(1)} of module {hm}, "
                f"but ARCHITECTURE.md says {m} uses only {', '.join(sorted(rows[m][1])) or 'nothing'}")
if not fail:
    print(f"ok   module dependencies: {len(owner)} files in {len(rows)} modules, "
          f"{checked} includes as ARCHITECTURE.md's table allows")
sys.exit(fail)
