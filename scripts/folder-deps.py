#!/usr/bin/env python3
"""Which folder's files name which other folder's types, inside each target under Sources/.

The pipeline reads one way (config -> watch -> sources -> document -> events -> fan-out -> HTTP),
so inside a target the folder dependencies should too. This prints, per target, each folder's
dependencies with the types it names there, then every cycle (a strongly connected group of
folders). `--check` exits 1 when a target has a cycle that is not in ALLOWED below.

A type is named when its identifier appears outside comments and string literals; a folder is
where its declaration is. Extensions do not move a type, and nested folders count as their own
(Sources/Tree is not Sources).

Usage: scripts/folder-deps.py [--check] [TARGET ...]
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources")
DECLARATION = re.compile(r"^(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|fileprivate|private|final|indirect)\s+)*"
                         r"(?:struct|enum|class|protocol|actor|typealias)\s+([A-Z]\w*)", re.M)
IDENTIFIER = re.compile(r"\b[A-Z]\w*\b")

# Only top-level declarations count: nested names (`Kind`, `Change`) repeat across types.
# Cycles that remain on purpose, as frozensets of folders per target, each with its reason.
ALLOWED = {}


def strip(text):
    """Removes comments and string literals, which name types without depending on them."""
    text = re.sub(r'"""[\s\S]*?"""', '""', text)
    text = re.sub(r"/\*[\s\S]*?\*/", "", text)
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)


def files(target):
    base = os.path.join(ROOT, target)
    for folder, _, names in os.walk(base):
        for name in sorted(names):
            if name.endswith(".swift"):
                path = os.path.join(folder, name)
                yield os.path.relpath(folder, base), path


def graph(target):
    declared = {}
    texts = {}
    for folder, path in files(target):
        text = strip(open(path, encoding="utf-8").read())
        texts[path] = (folder, text)
        for name in DECLARATION.findall(text):
            declared.setdefault(name, folder)
    edges = {}
    for path, (folder, text) in texts.items():
        for name in set(IDENTIFIER.findall(text)):
            home = declared.get(name)
            if home is not None and home != folder:
                edges.setdefault(folder, {}).setdefault(home, set()).add(name)
    folders = sorted({folder for folder, _ in texts.values()})
    return folders, edges


def cycles(folders, edges):
    """Tarjan's strongly connected components with more than one folder."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on.add(node)
        for other in edges.get(node, {}):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                other = stack.pop()
                on.discard(other)
                group.append(other)
                if other == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for folder in folders:
        if folder not in index:
            visit(folder)
    return found


def main(argv):
    check = "--check" in argv
    targets = [a for a in argv if not a.startswith("--")] or sorted(
        t for t in os.listdir(ROOT) if os.path.isdir(os.path.join(ROOT, t)))
    failed = False
    for target in targets:
        folders, edges = graph(target)
        if len(folders) < 2:
            continue
        print(f"{target}")
        for folder in folders:
            for home, names in sorted(edges.get(folder, {}).items()):
                shown = ", ".join(sorted(names)[:6]) + (", …" if len(names) > 6 else "")
                print(f"  {folder} -> {home}: {shown}")
        for group in cycles(folders, edges):
            allowed = ALLOWED.get(target, {}).get(frozenset(group))
            print(f"  cycle: {' <-> '.join(group)}" + (f" (allowed: {allowed})" if allowed else ""))
            failed |= allowed is None
    return 1 if check and failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
