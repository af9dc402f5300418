#!/usr/bin/env python3
"""Plots test accuracy against MACs per input from scripts/experiment.sh's CSV.

  plot_accuracy_macs.py CSV OUT.svg [--title TEXT]

One panel per protocol in the CSV (seed's sizes, full split), log-scale x
(MACs per input, router included), one series per model kind, each point
labelled with its param factor p. Writes a self-contained SVG with the
standard library only (no numpy/matplotlib here). Exits 1 with a message
naming the file and row on malformed input.
"""
import csv
import math
import sys
from xml.sax.saxutils import escape

MODELS = [  # kind, legend, colour, marker
    ("ref", "Ref", "#1f77b4", "square"),
    ("oracle", "GoE Oracle", "#2ca02c", "circle"),
    ("latent", "GoE Latent", "#d62728", "diamond"),
    ("oracle-random", "GoE Oracle, random routing", "#7f7f7f", "triangle"),
    ("latent-random", "GoE Latent, random routing", "#ff7f0e", "triangle-down"),
    ("cluster", "GoE Cluster gate", "#9467bd", "square"),
]
PROTOCOLS = [("seed", "seed's sizes (test: 1,200 images)"),
             ("full", "full digit-disjoint split (test: 4,000 images)")]

PANEL_W, PANEL_H = 460, 360
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 62, 16, 44, 52
LEGEND_H = 64


def fail(message):
    sys.stderr.write("plot_accuracy_macs.py: error: %s\n" % message)
    sys.exit(1)


def load(path):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        fail("cannot read %s: %s" % (path, e.strerror))
    points = []
    for i, row in enumerate(rows):
        try:
            points.append({
                "protocol": row["protocol"], "model": row["model"],
                "p": int(row["p"]),
                "macs": int(row["macs_per_input"]),
                "accuracy": 100.0 * float(row["test_accuracy"]),
            })
        except (KeyError, TypeError, ValueError) as e:
            fail("%s row %d: needs protocol, model, p, macs_per_input and "
                 "test_accuracy (%s)" % (path, i + 2, e))
        if points[-1]["macs"] <= 0:
            fail("%s row %d: macs_per_input must be positive" % (path, i + 2))
    if not points:
        fail("%s has no rows to plot" % path)
    return points


def marker(kind, x, y, colour):
    r = 4.5
    if kind == "square":
        return '<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>' % (
            x - r, y - r, 2 * r, 2 * r, colour)
    if kind == "circle":
        return '<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s"/>' % (x, y, r, colour)
    if kind == "diamond":
        pts = [(x, y - r * 1.3), (x + r * 1.3, y), (x, y + r * 1.3), (x - r * 1.3, y)]
    elif kind == "triangle":
        pts = [(x, y - r * 1.2), (x + r * 1.2, y + r), (x - r * 1.2, y + r)]
    else:
        pts = [(x, y + r * 1.2), (x + r * 1.2, y - r), (x - r * 1.2, y - r)]
    return '<polygon points="%s" fill="%s"/>' % (
        " ".join("%.1f,%.1f" % p for p in pts), colour)


def log_ticks(lo, hi):
    """Ticks at 1, 2, 5 x 10^k within [lo, hi]."""
    ticks = []
    for k in range(int(math.floor(math.log10(lo))), int(math.ceil(math.log10(hi))) + 1):
        for m in (1, 2, 5):
            v = m * 10 ** k
            if lo <= v <= hi:
                ticks.append(v)
    return ticks


def macs_label(v):
    if v >= 1e6:
        return "%gM" % (v / 1e6)
    if v >= 1e3:
        return "%gk" % (v / 1e3)
    return "%g" % v


def panel(points, title, x0, y0, xlo, xhi, ylo):
    """SVG elements of one panel at (x0, y0)."""
    out = []
    left, top = x0 + MARGIN_L, y0 + MARGIN_T
    width = PANEL_W - MARGIN_L - MARGIN_R
    height = PANEL_H - MARGIN_T - MARGIN_B

    def sx(v):
        return left + width * (math.log10(v) - math.log10(xlo)) / (
            math.log10(xhi) - math.log10(xlo))

    def sy(a):
        return top + height * (100.0 - a) / (100.0 - ylo)

    out.append('<text x="%.1f" y="%.1f" font-size="14" text-anchor="middle" '
               'font-weight="bold">%s</text>' % (left + width / 2, y0 + 24, escape(title)))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="white" '
               'stroke="#333"/>' % (left, top, width, height))
    for a in range(ylo, 101, 10):
        y = sy(a)
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (
            left, y, left + width, y))
        out.append('<text x="%d" y="%.1f" font-size="11" text-anchor="end">%d</text>' % (
            left - 6, y + 4, a))
    for v in log_ticks(xlo, xhi):
        x = sx(v)
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (
            x, top, x, top + height))
        out.append('<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>' % (
            x, top + height + 16, macs_label(v)))
    out.append('<text x="%.1f" y="%d" font-size="12" text-anchor="middle">MACs per '
               'input (log scale, router included)</text>' % (
                   left + width / 2, top + height + 36))
    out.append('<text transform="translate(%d,%.1f) rotate(-90)" font-size="12" '
               'text-anchor="middle">test accuracy (%%)</text>' % (
                   x0 + 18, top + height / 2))
    for kind, _, colour, shape in MODELS:
        series = sorted((p for p in points if p["model"] == kind), key=lambda p: p["p"])
        if not series:
            continue
        dashed = ' stroke-dasharray="5,3"' if kind.endswith("random") else ""
        out.append('<polyline fill="none" stroke="%s" stroke-width="1.6"%s points="%s"/>' % (
            colour, dashed, " ".join("%.1f,%.1f" % (sx(p["macs"]), sy(p["accuracy"]))
                                     for p in series)))
        for p in series:
            x, y = sx(p["macs"]), sy(p["accuracy"])
            out.append(marker(shape, x, y, colour))
            # Ref and Oracle share their MACs: Ref's label goes left of the
            # point, Oracle's above, Latent's and the random series' below.
            dx, dy, anchor = {"ref": (-8, 4, "end"), "oracle": (0, -8, "middle")}.get(
                kind, (0, 15, "middle"))
            out.append('<text x="%.1f" y="%.1f" font-size="10" fill="%s" '
                       'text-anchor="%s">p=%d</text>' % (
                           x + dx, y + dy, colour, anchor, p["p"]))
    return out


def main(argv):
    args = argv[1:]
    title = "Rotated MNIST: accuracy vs MACs per input (compiled models)"
    if "--title" in args:
        i = args.index("--title")
        if i + 1 >= len(args):
            fail("--title wants a text")
        title = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2 or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args[:1] in (["-h"], ["--help"]) else 1
    points = load(args[0])
    kinds = {k for k, _, _, _ in MODELS}
    unknown = sorted({p["model"] for p in points} - kinds)
    if unknown:
        fail("%s: unknown model kind(s) %s" % (args[0], ", ".join(unknown)))
    panels = [(key, name) for key, name in PROTOCOLS
              if any(p["protocol"] == key for p in points)]
    if not panels:
        fail("%s: no rows with protocol seed or full" % args[0])
    macs = [p["macs"] for p in points]
    # A little room either side of the data (0.15 and 0.25 decade, the
    # right side for the labels); accuracy from the tens below the lowest
    # point (5 points of room) to 100 %.
    xlo = 10 ** (math.log10(min(macs)) - 0.15)
    xhi = 10 ** (math.log10(max(macs)) + 0.25)
    ylo = max(0, int(math.floor((min(p["accuracy"] for p in points) - 5) / 10.0)) * 10)
    width = PANEL_W * len(panels)
    height = 40 + PANEL_H + LEGEND_H
    svg = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'viewBox="0 0 %d %d" font-family="DejaVu Sans, Arial, sans-serif">' % (
               width, height, width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="24" font-size="%.1f" text-anchor="middle">%s</text>' % (
               width // 2, min(16.0, 1.7 * width / max(len(title), 1)),
               escape(title))]
    for i, (key, name) in enumerate(panels):
        svg += panel([p for p in points if p["protocol"] == key], name,
                     i * PANEL_W, 30, xlo, xhi, ylo)
    # Legend: two rows under the panels.
    used = [m for m in MODELS if any(p["model"] == m[0] for p in points)]
    per_row = 3
    for i, (kind, legend, colour, shape) in enumerate(used):
        x = 30 + (i % per_row) * (width - 40) / per_row
        y = 30 + PANEL_H + 18 + (i // per_row) * 22
        dashed = ' stroke-dasharray="5,3"' if kind.endswith("random") else ""
        svg.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" '
                   'stroke-width="1.6"%s/>' % (x, y, x + 28, y, colour, dashed))
        svg.append(marker(shape, x + 14, y, colour))
        svg.append('<text x="%.1f" y="%d" font-size="12">%s</text>' % (
            x + 36, y + 4, escape(legend)))
    svg.append("</svg>")
    try:
        with open(args[1], "w", encoding="utf-8") as f:
            f.write("\n".join(svg) + "\n")
    except OSError as e:
        fail("cannot write %s: %s" % (args[1], e.strerror))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
