#!/usr/bin/env python3
"""scripts/backbone-gating.sh's table: gated model against either backbone.

  backbone_gating_table.py OUT CLASSES EVAL

OUT holds one folder per model (gated, general, expert), each with
eval.json (goe-eval --per-class --json), paths.txt (goe-compile
--emit=paths), speed.txt (goe-run) and detect.log (goe-detect: the path
each image took). CLASSES are the expert's classes (comma-separated); EVAL
the val subset (labels/val/*.txt). Prints a Markdown table: mAP@0.5 and
mAP@0.5:0.95 overall, AP@0.5 of each expert class, MACs and images/s, and
for the gated model how well its gate sends an image showing an expert
class to the expert (an image's group: 1 if any of its objects is of an
expert class). Standard library only; exits 1 naming the file on malformed
input.
"""
import json
import os
import re
import sys

MODELS = [("gated", "gated (top-1 over backbones)"),
          ("general", "general backbone alone"),
          ("expert", "expert backbone alone")]


def fail(message):
    sys.stderr.write("backbone_gating_table.py: error: %s\n" % message)
    sys.exit(1)


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        fail("%s: %s" % (path, e.strerror))


def model_row(folder, classes):
    path = os.path.join(folder, "eval.json")
    try:
        stats = json.loads(read(path))
        per_class = {int(c["id"]): c for c in stats["per_class"]}
        cells = ["%.4f" % float(stats["AP50"]), "%.4f" % float(stats["AP"])]
        for c in classes:
            cells.append("%.4f" % float(per_class[c]["AP50"]))
    except (ValueError, KeyError, TypeError) as e:
        fail("%s: no AP50, AP and per-class APs (%s)" % (path, e))
    path = os.path.join(folder, "paths.txt")
    m = re.search(r"MACs per input: ([\d,]+)", read(path))
    if not m:
        fail("%s: no 'MACs per input' line" % path)
    cells.append("%.0f" % (int(m.group(1).replace(",", "")) / 1e6))
    path = os.path.join(folder, "speed.txt")
    m = re.search(r"time: [\d.]+ s, ([\d.]+) images/s", read(path))
    if not m:
        fail("%s: no 'time: S s, N images/s' line" % path)
    cells.append(m.group(1))
    return cells, {int(c): per_class[c]["name"] for c in classes}


def gate_accuracy(folder, classes, labels):
    """(right, images, to expert, expert images) from detect.log's routes."""
    right = total = routed = wanted = 0
    path = os.path.join(folder, "detect.log")
    for line in read(path).splitlines():
        m = re.match(r"(.*): \d+ detections; \w+ chose expert (\d+)", line)
        if not m:
            continue
        stem = os.path.splitext(os.path.basename(m.group(1)))[0]
        label = os.path.join(labels, stem + ".txt")
        objects = [int(row.split()[0]) for row in read(label).splitlines()
                   if row.strip()]
        group = int(any(c in classes for c in objects))
        path_taken = int(m.group(2))
        right += path_taken == group
        total += 1
        routed += path_taken == 1
        wanted += group
    if total == 0:
        fail("%s: no 'chose expert' lines" % path)
    return right, total, routed, wanted


def main(argv):
    if len(argv) != 4:
        fail("usage: backbone_gating_table.py OUT CLASSES EVAL")
    out, eval_dir = argv[1], argv[3]
    try:
        classes = [int(c) for c in argv[2].split(",")]
    except ValueError:
        fail("CLASSES '%s': comma-separated class numbers expected" % argv[2])
    rows, names = [], {}
    for folder, title in MODELS:
        cells, names = model_row(os.path.join(out, folder), classes)
        rows.append([title] + cells)
    header = (["model", "mAP@0.5", "mAP@0.5:0.95"] +
              ["AP@0.5 %s" % names[c] for c in classes] +
              ["MMACs/image", "images/s"])
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    right, total, routed, wanted = gate_accuracy(
        os.path.join(out, "gated"), classes,
        os.path.join(eval_dir, "labels", "val"))
    print()
    print("gate on %d val images: %d right (%.1f%%); %d sent to the expert, "
          "%d show an expert class" % (total, right, 100.0 * right / total,
                                       routed, wanted))


if __name__ == "__main__":
    main(sys.argv)
