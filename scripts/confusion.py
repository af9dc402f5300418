#!/usr/bin/env python3
"""A detector's confusion matrix: the most confused classes, and a heat map.

  confusion.py CONFUSION.csv [--top N] [--svg OUT.svg] [--group K]

CONFUSION.csv is `goe-eval --confusion`'s (rows predicted, columns true,
background last). Prints the N (default 10) class pairs most often taken
for one another, as a share of the true class's objects (a -> b and
b -> a added), and with --group K the K classes that those pairs join,
greedily from the worst pair: the expert backbone's classes
(scripts/backbone-gating.sh). With --svg, writes the matrix as a heat map,
each column normalised by its true class's objects, as ultralytics draws
it. Standard library only; exits 1 naming the file and line on malformed
input.
"""
import csv
import sys
from xml.sax.saxutils import escape


def fail(message):
    sys.stderr.write("confusion.py: error: " + message + "\n")
    sys.exit(1)


def read(path):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            table = list(csv.reader(f))
    except OSError as e:
        fail("cannot read %s: %s" % (path, e.strerror))
    if len(table) < 2 or len(table[0]) < 2:
        fail("%s: no matrix" % path)
    names = table[0][1:]
    if len(table) - 1 != len(names):
        fail("%s: %d rows for %d columns" % (path, len(table) - 1, len(names)))
    counts = []
    for line, row in enumerate(table[1:], start=2):
        if len(row) != len(names) + 1 or row[0] != names[line - 2]:
            fail("%s:%d: expected the row of '%s' with %d counts"
                 % (path, line, names[line - 2], len(names)))
        try:
            counts.append([int(v) for v in row[1:]])
        except ValueError:
            fail("%s:%d: a count is not an integer" % (path, line))
    return names, counts


def confused_pairs(names, counts):
    """(share, a, b): objects of a taken for b plus b for a, over a + b's."""
    classes = len(names) - 1  # the last is background
    objects = [sum(counts[p][t] for p in range(len(names)))
               for t in range(len(names))]
    pairs = []
    for a in range(classes):
        for b in range(a + 1, classes):
            mixed = counts[b][a] + counts[a][b]
            total = objects[a] + objects[b]
            if mixed and total:
                pairs.append((mixed / total, a, b))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    return pairs


def group(pairs, size):
    chosen = []
    for _, a, b in pairs:
        for c in (a, b):
            if c not in chosen and len(chosen) < size:
                chosen.append(c)
        if len(chosen) >= size:
            break
    return sorted(chosen)


def heat_map(names, counts, path):
    n = len(names)
    cell, left, top = 22, 90, 90
    objects = [sum(counts[p][t] for p in range(n)) for t in range(n)]
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif">' % (left + n * cell + 20,
                                          top + n * cell + 40),
           '<text x="%d" y="18" font-size="14">Confusion matrix (columns: '
           'true class, normalised; rows: predicted)</text>' % left]
    for i, name in enumerate(names):
        x = left + i * cell + cell / 2
        out.append('<text x="%g" y="%d" font-size="10" text-anchor="start" '
                   'transform="rotate(-60 %g %d)">%s</text>'
                   % (x, top - 4, x, top - 4, escape(name)))
        out.append('<text x="%d" y="%g" font-size="10" text-anchor="end">%s'
                   '</text>' % (left - 4, top + i * cell + cell * 0.65,
                                escape(name)))
    for p in range(n):
        for t in range(n):
            share = counts[p][t] / objects[t] if objects[t] else 0.0
            shade = int(255 - 215 * share)
            out.append('<rect x="%d" y="%d" width="%d" height="%d" '
                       'fill="rgb(%d,%d,255)" stroke="#ddd"><title>%s taken '
                       'for %s: %d</title></rect>'
                       % (left + t * cell, top + p * cell, cell, cell, shade,
                          shade, escape(names[t]), escape(names[p]),
                          counts[p][t]))
            if share >= 0.05:
                out.append('<text x="%g" y="%g" font-size="8" '
                           'text-anchor="middle" fill="%s">%d</text>'
                           % (left + t * cell + cell / 2,
                              top + p * cell + cell * 0.65,
                              "#fff" if share > 0.5 else "#000",
                              round(100 * share)))
    out.append('<text x="%d" y="%d" font-size="10">numbers: %% of the true '
               "class's objects</text>" % (left, top + n * cell + 24))
    out.append("</svg>")
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(out) + "\n")
    except OSError as e:
        fail("cannot write %s: %s" % (path, e.strerror))


def main(argv):
    args, top, svg, size = [], 10, None, 0
    i = 0
    while i < len(argv):
        if argv[i] in ("--top", "--svg", "--group") and i + 1 < len(argv):
            value = argv[i + 1]
            if argv[i] == "--svg":
                svg = value
            else:
                try:
                    number = int(value)
                except ValueError:
                    fail("%s %s: not an integer" % (argv[i], value))
                if number < 1:
                    fail("%s %s: must be at least 1" % (argv[i], value))
                top, size = (number, size) if argv[i] == "--top" else (top, number)
            i += 2
        elif argv[i].startswith("--"):
            fail("unknown option %s" % argv[i])
        else:
            args.append(argv[i])
            i += 1
    if len(args) != 1:
        fail("usage: confusion.py CONFUSION.csv [--top N] [--svg OUT.svg] "
             "[--group K]")
    names, counts = read(args[0])
    pairs = confused_pairs(names, counts)
    print("most confused class pairs (share of their objects taken for the "
          "other):")
    for share, a, b in pairs[:top]:
        print("  %-12s %-12s %6.2f%%  (%d -> %d: %d, %d -> %d: %d)"
              % (names[a], names[b], 100 * share, a, b, counts[b][a], b, a,
                 counts[a][b]))
    if size:
        chosen = group(pairs, size)
        print("group: [%s]  (%s)" % (", ".join(str(c) for c in chosen),
                                     ", ".join(names[c] for c in chosen)))
    if svg:
        heat_map(names, counts, svg)


if __name__ == "__main__":
    main(sys.argv[1:])
