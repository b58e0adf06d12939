#!/usr/bin/python3
"""Fails on an include cycle between modules (habit 13, issue 13).

A module is a .c/.h pair named by its basename (alerts.c + alerts.h);
`a -> b` when a's .c or .h includes "b.h"; a private header
`a_internal.h` belongs to module a, and so do the private headers named in
PRIVATE (db_engine.h is the inside of db/: its header says only db.c and
the two engines include it). A cycle among modules (alerts
-> outbox -> scheduler -> alerts) means none of them can be read or
tested without the others. services/main.c, which wires everything, is
left out.

Usage: cycles.py [root]   (root defaults to the current directory)
"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
PRIVATE = {"db_engine": "db"}
inc = re.compile(r'^\s*#\s*include\s+"([^"]+)\.h"', re.M)
files = {}
for top in ("proto", "db", "services"):
    for d, _, names in os.walk(os.path.join(root, top)):
        for n in names:
            if n.endswith((".c", ".h")):
                mod = n[:-2]
                if mod.endswith("_internal"):
                    mod = mod[: -len("_internal")]
                mod = PRIVATE.get(mod, mod)
                files.setdefault(mod, []).append(os.path.join(d, n))
files.pop("main", None)
graph = {m: set() for m in files}
for m, paths in files.items():
    for p in paths:
        with open(p, encoding="utf-8", errors="replace") as f:
            for dep in inc.findall(f.read()):
                dep = os.path.basename(dep)
                if dep.endswith("_internal"):
                    dep = dep[: -len("_internal")]
                dep = PRIVATE.get(dep, dep)
                if dep != m and dep in graph:
                    graph[m].add(dep)

# Tarjan's strongly connected components, without recursion.
index, low, on, stack, sccs = {}, {}, set(), [], []
for start in sorted(graph):
    if start in index:
        continue
    index[start] = low[start] = len(index)
    stack.append(start)
    on.add(start)
    work = [(start, iter(sorted(graph[start])))]
    while work:
        v, it = work[-1]
        nxt = next(it, None)
        if nxt is None:
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    sccs.append(sorted(comp))
        elif nxt not in index:
            index[nxt] = low[nxt] = len(index)
            stack.append(nxt)
            on.add(nxt)
            work.append((nxt, iter(sorted(graph[nxt]))))
        elif nxt in on:
            low[v] = min(low[v], index[nxt])

for comp in sccs:
    print("lint: include cycle between modules: " + ", ".join(comp))
    for m in comp:
        print("  %s -> %s" % (m, ", ".join(sorted(graph[m] & set(comp)))))
sys.exit(1 if sccs else 0)
