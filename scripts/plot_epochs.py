#!/usr/bin/env python3
"""Plots columns of goe-train --csv files against the epoch, as one SVG.

  plot_epochs.py OUT.svg --column val_mAP50 [--column loss ...] \
      LABEL=RUN.csv [LABEL=RUN.csv ...] [--title TEXT]

One panel per column, one line per run (its label in the legend). Written
with the standard library only (no numpy or matplotlib on these machines).
Exits 1 with a message naming the file and line on malformed input.
"""
import csv
import sys
from xml.sax.saxutils import escape

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#7f7f7f"]
PANEL_W, PANEL_H = 420, 300
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 60, 16, 40, 46


def fail(message):
    sys.stderr.write("plot_epochs.py: error: " + message + "\n")
    sys.exit(1)


def read_run(path, columns):
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        fail("cannot read %s: %s" % (path, e.strerror))
    series = {c: [] for c in columns}
    for line, row in enumerate(rows, start=2):
        for c in columns:
            if c not in row or "epoch" not in row:
                fail("%s has no column '%s' (it has %s)" %
                     (path, c, ", ".join(row.keys())))
            try:
                series[c].append((int(row["epoch"]), float(row[c])))
            except ValueError:
                fail("%s:%d: '%s' is not a number" % (path, line, row[c]))
    return series


def panel(x0, column, runs):
    points = [p for _, s in runs for p in s[column]]
    if not points:
        return ""
    xmax = max(max(p[0] for p in points), 1)
    ymin = min(0.0, min(p[1] for p in points))
    ymax = max(p[1] for p in points) or 1.0
    w = PANEL_W - MARGIN_L - MARGIN_R
    h = PANEL_H - MARGIN_T - MARGIN_B

    def sx(x):
        return x0 + MARGIN_L + w * x / xmax

    def sy(y):
        return MARGIN_T + h * (1 - (y - ymin) / (ymax - ymin or 1))

    out = ['<text x="%g" y="24" font-size="14" text-anchor="middle">%s</text>'
           % (x0 + MARGIN_L + w / 2, escape(column))]
    out.append('<rect x="%g" y="%g" width="%g" height="%g" fill="none" '
               'stroke="#999"/>' % (x0 + MARGIN_L, MARGIN_T, w, h))
    for i in range(5):
        y = ymin + (ymax - ymin) * i / 4
        out.append('<text x="%g" y="%g" font-size="10" text-anchor="end">%.3g'
                   '</text>' % (x0 + MARGIN_L - 4, sy(y) + 3, y))
    for x in range(0, xmax + 1, max(1, xmax // 6)):
        out.append('<text x="%g" y="%g" font-size="10" text-anchor="middle">%d'
                   '</text>' % (sx(x), MARGIN_T + h + 14, x))
    out.append('<text x="%g" y="%g" font-size="11" text-anchor="middle">epoch'
               '</text>' % (x0 + MARGIN_L + w / 2, MARGIN_T + h + 32))
    for i, (label, series) in enumerate(runs):
        pts = " ".join("%g,%g" % (sx(x), sy(y)) for x, y in series[column])
        colour = COLOURS[i % len(COLOURS)]
        out.append('<polyline points="%s" fill="none" stroke="%s" '
                   'stroke-width="2"/>' % (pts, colour))
        for x, y in series[column]:
            out.append('<circle cx="%g" cy="%g" r="2.5" fill="%s"/>'
                       % (sx(x), sy(y), colour))
    return "\n".join(out)


def main(argv):
    if len(argv) < 2 or argv[1].startswith("-"):
        fail("usage: plot_epochs.py OUT.svg --column NAME LABEL=RUN.csv ...")
    out_path, columns, runs, title = argv[1], [], [], ""
    args = argv[2:]
    i = 0
    while i < len(args):
        if args[i] in ("--column", "--title"):
            if i + 1 >= len(args):
                fail(args[i] + " needs a value")
            if args[i] == "--column":
                columns.append(args[i + 1])
            else:
                title = args[i + 1]
            i += 2
            continue
        if "=" not in args[i]:
            fail("'%s' is not LABEL=RUN.csv" % args[i])
        label, path = args[i].split("=", 1)
        runs.append((label, path))
        i += 1
    if not columns or not runs:
        fail("give at least one --column and one LABEL=RUN.csv")
    data = [(label, read_run(path, columns)) for label, path in runs]
    width = PANEL_W * len(columns)
    height = PANEL_H + 24 * len(data) + (30 if title else 0)
    top = 30 if title else 0
    body = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
            'font-family="sans-serif">' % (width, height),
            '<rect width="100%" height="100%" fill="white"/>']
    if title:
        body.append('<text x="%d" y="20" font-size="15" text-anchor="middle">'
                    '%s</text>' % (width / 2, escape(title)))
    body.append('<g transform="translate(0,%d)">' % top)
    for k, column in enumerate(columns):
        body.append(panel(k * PANEL_W, column, data))
    body.append("</g>")
    for i, (label, _) in enumerate(data):
        y = top + PANEL_H + 16 + 24 * i
        colour = COLOURS[i % len(COLOURS)]
        body.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" '
                    'stroke-width="3"/>' % (MARGIN_L, y, MARGIN_L + 24, y,
                                            colour))
        body.append('<text x="%d" y="%d" font-size="12">%s</text>'
                    % (MARGIN_L + 30, y + 4, escape(label)))
    body.append("</svg>\n")
    with open(out_path, "w") as f:
        f.write("\n".join(body))


if __name__ == "__main__":
    main(sys.argv)
