#!/usr/bin/env python3
"""check_layers.py SOURCE_DIR: the shape of lib/ (issue 13), checked.

- Every file of lib/ lives in a stage folder; the stages, lowest first:
  base, parse, store, ingest, analysis, dossier, render.
- A file includes only headers of its own stage and the stages before it,
  named with their folder ("parse/dsn.h"), and they exist.
- No include cycle between modules (a module is NAME.c with NAME.h, and
  NAME_int.h when a group of files shares one).
- The library reads no environment variable (getenv) and never prints to
  stdout or stderr (the commands in cmd/ do).
- No .c file of lib/ over 1,500 lines, no function over 150 lines.
Prints each violation with file and line; exit 1 when there is one.
"""
import os
import re
import sys

STAGES = ["base", "parse", "store", "ingest", "analysis", "dossier", "render"]
MAX_FILE, MAX_FUNC = 1500, 150

root = os.path.join(sys.argv[1] if len(sys.argv) > 1 else ".", "lib")
bad = []
mods = {}      # module -> set of modules it includes
stage_of = {}  # module -> stage

files = []
for dirpath, _, names in os.walk(root):
    for n in sorted(names):
        if n.endswith((".c", ".h")):
            files.append(os.path.join(dirpath, n))
for path in sorted(files):
    rel = os.path.relpath(path, root)
    parts = rel.split(os.sep)
    if len(parts) != 2 or parts[0] not in STAGES:
        bad.append("%s: not in a stage folder (%s)" % (rel, ", ".join(STAGES)))
        continue
    stage, name = parts
    # NAME_int.h, the private header of a group (store_int.h of store*.c),
    # belongs to module NAME
    mod = re.sub(r"_int$", "", os.path.splitext(name)[0])
    stage_of[mod] = stage
    mods.setdefault(mod, set())
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    for i, line in enumerate(lines, 1):
        m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
        if m:
            inc = m.group(1)
            if inc == "version.h":          # generated (build/gen)
                continue
            ip = inc.split("/")
            if len(ip) != 2 or ip[0] not in STAGES:
                bad.append("%s:%d: include \"%s\" does not name its stage" % (rel, i, inc))
                continue
            if not os.path.exists(os.path.join(root, inc)):
                bad.append("%s:%d: include \"%s\": no such header" % (rel, i, inc))
                continue
            if STAGES.index(ip[0]) > STAGES.index(stage):
                bad.append("%s:%d: %s includes %s, a later stage" % (rel, i, stage, inc))
            dep = re.sub(r"_int$", "", os.path.splitext(ip[1])[0])
            if dep != mod:
                mods[mod].add(dep)
        code = line.split("//")[0]
        if re.search(r"\bgetenv\s*\(", code) and not code.lstrip().startswith("*"):
            bad.append("%s:%d: the library reads the environment (getenv)" % (rel, i))
        if re.search(r"\b(printf|puts|putchar)\s*\(|\bf(printf|puts|write)\s*\(\s*std(out|err)",
                     code) and not code.lstrip().startswith(("*", "/*")):
            bad.append("%s:%d: the library prints" % (rel, i))
    if name.endswith(".c"):
        if len(lines) > MAX_FILE:
            bad.append("%s: %d lines (more than %d)" % (rel, len(lines), MAX_FILE))
        start = None
        for i, line in enumerate(lines):
            if line.startswith("{") and start is None:
                j = i - 1
                while j >= 0 and not re.match(r"[A-Za-z_]", lines[j]):
                    j -= 1
                start = j
            elif line.startswith("}") and start is not None:
                n = i - start + 1
                if n > MAX_FUNC:
                    m = re.search(r"(\w+)\s*\(", lines[start])
                    bad.append("%s:%d: function %s has %d lines (more than %d)"
                               % (rel, start + 1, m.group(1) if m else "?", n, MAX_FUNC))
                start = None

# cycles between modules (depth-first search)
WHITE, GREY, BLACK = 0, 1, 2
color = {m: WHITE for m in mods}
path = []


def visit(m):
    color[m] = GREY
    path.append(m)
    for d in sorted(mods.get(m, ())):
        if d not in color:
            continue
        if color[d] == GREY:
            cyc = path[path.index(d):] + [d]
            bad.append("include cycle: " + " -> ".join(cyc))
        elif color[d] == WHITE:
            visit(d)
    path.pop()
    color[m] = BLACK


for m in sorted(mods):
    if color[m] == WHITE:
        visit(m)

for b in bad:
    print(b)
print("%d files in %d stages, %d modules: %s" % (len(files), len(STAGES), len(mods),
                                                 "%d problem(s)" % len(bad) if bad else "ok"))
sys.exit(1 if bad else 0)
