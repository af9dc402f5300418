#!/usr/bin/env python3
"""The MoE-YOLO experiment's figure: mAP@0.5 against MACs, expert usage.

  plot_moe_yolo.py TABLE.csv OUT.svg [--usage LABEL=USAGE.csv ...]

TABLE.csv is scripts/moe-yolo.sh's (model,mAP50,mAP50_95,MMACs,
images_per_s); each USAGE.csv is moe_yolo_scenes.py --usage-csv's
(scene,expert,share). The left panel puts every model at its MACs per image
and mAP@0.5; one more panel per usage file stacks each scene style's
expert shares. Standard library only; exits 1 naming the file and line on
malformed input.
"""
import collections
import csv
import sys
from xml.sax.saxutils import escape

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#7f7f7f",
           "#8c564b", "#17becf"]
PANEL_W, PANEL_H = 440, 320
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 60, 16, 40, 70


def fail(message):
    sys.stderr.write("plot_moe_yolo.py: error: " + message + "\n")
    sys.exit(1)


def rows(path, columns):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            data = list(csv.DictReader(f))
    except OSError as e:
        fail("cannot read %s: %s" % (path, e.strerror))
    for line, row in enumerate(data, start=2):
        for c in columns:
            if row.get(c) in (None, ""):
                fail("%s:%d: no value in column '%s'" % (path, line, c))
    return data


def number(path, line, text):
    try:
        return float(text)
    except ValueError:
        fail("%s:%d: '%s' is not a number" % (path, line, text))


def text(x, y, s, size=11, anchor="middle", extra=""):
    return ('<text x="%.1f" y="%.1f" font-size="%d" text-anchor="%s"%s>%s'
            '</text>' % (x, y, size, anchor, extra, escape(s)))


def frame(x0, title, xlabel, ylabel):
    w = PANEL_W - MARGIN_L - MARGIN_R
    h = PANEL_H - MARGIN_T - MARGIN_B
    return [text(x0 + PANEL_W / 2, 24, title, 14),
            '<rect x="%g" y="%g" width="%g" height="%g" fill="none" '
            'stroke="#444"/>' % (x0 + MARGIN_L, MARGIN_T, w, h),
            text(x0 + MARGIN_L + w / 2, PANEL_H - 30, xlabel),
            text(x0 + 16, MARGIN_T + h / 2, ylabel, extra=
                 ' transform="rotate(-90 %g %g)"' % (x0 + 16, MARGIN_T + h / 2))]


def accuracy_panel(path):
    data = rows(path, ["model", "mAP50", "MMACs"])
    points = [(r["model"], number(path, i + 2, r["MMACs"]),
               number(path, i + 2, r["mAP50"])) for i, r in enumerate(data)]
    if not points:
        fail("%s has no rows" % path)
    w = PANEL_W - MARGIN_L - MARGIN_R
    h = PANEL_H - MARGIN_T - MARGIN_B
    xmax = max(p[1] for p in points) * 1.15
    ymax = max(max(p[2] for p in points) * 1.2, 0.01)
    out = frame(0, "mAP@0.5 against MACs per image", "MMACs per image",
                "mAP@0.5 (val)")
    for t in range(5):
        out.append(text(MARGIN_L - 6, MARGIN_T + h * (1 - t / 4) + 4,
                        "%.3g" % (ymax * t / 4), 10, "end"))
        out.append(text(MARGIN_L + w * t / 4, MARGIN_T + h + 14,
                        "%.0f" % (xmax * t / 4), 10))
    for i, (name, macs, ap) in enumerate(points):
        x = MARGIN_L + w * macs / xmax
        y = MARGIN_T + h * (1 - ap / ymax)
        colour = COLOURS[i % len(COLOURS)]
        out.append('<circle cx="%.1f" cy="%.1f" r="4" fill="%s"/>' %
                   (x, y, colour))
        out.append(text(x + 6, y - 6 - 10 * (i % 2), name, 10, "start",
                         ' fill="%s"' % colour))
    return out


def usage_panel(x0, label, path):
    data = rows(path, ["scene", "expert", "share"])
    shares = collections.OrderedDict()
    for i, r in enumerate(data):
        shares.setdefault(r["scene"], {})[r["expert"]] = number(
            path, i + 2, r["share"])
    experts = sorted({e for s in shares.values() for e in s}, key=int)
    w = PANEL_W - MARGIN_L - MARGIN_R
    h = PANEL_H - MARGIN_T - MARGIN_B
    out = frame(x0, "expert usage per scene: " + label, "scene style",
                "share of choices")
    bar = w / max(len(shares), 1)
    for i, (scene, by_expert) in enumerate(shares.items()):
        y = MARGIN_T + h
        for e in experts:
            part = by_expert.get(e, 0.0) * h
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" '
                       'fill="%s"/>' % (x0 + MARGIN_L + bar * i + 6, y - part,
                                        bar - 12, part,
                                        COLOURS[int(e) % len(COLOURS)]))
            y -= part
        out.append(text(x0 + MARGIN_L + bar * (i + 0.5), MARGIN_T + h + 14,
                        scene, 10))
    for j, e in enumerate(experts):
        out.append('<rect x="%.1f" y="%d" width="10" height="10" fill="%s"/>'
                   % (x0 + MARGIN_L + 70 * j, PANEL_H - 20,
                      COLOURS[int(e) % len(COLOURS)]))
        out.append(text(x0 + MARGIN_L + 70 * j + 14, PANEL_H - 11,
                        "expert " + e, 10, "start"))
    return out


def main(argv):
    args = argv[1:]
    usages = []
    while "--usage" in args:
        i = args.index("--usage")
        if i + 1 >= len(args) or "=" not in args[i + 1]:
            fail("--usage wants LABEL=USAGE.csv")
        usages.append(args[i + 1].split("=", 1))
        del args[i:i + 2]
    if len(args) != 2:
        fail("usage: plot_moe_yolo.py TABLE.csv OUT.svg "
             "[--usage LABEL=USAGE.csv ...]")
    table, out_path = args
    parts = accuracy_panel(table)
    for n, (label, path) in enumerate(usages, start=1):
        parts += usage_panel(PANEL_W * n, label, path)
    width = PANEL_W * (1 + len(usages))
    svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif">' % (width, PANEL_H),
           '<rect width="100%" height="100%" fill="white"/>'] + parts + \
        ["</svg>"]
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main(sys.argv)
