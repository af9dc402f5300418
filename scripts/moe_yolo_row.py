#!/usr/bin/env python3
"""One row of scripts/moe-yolo.sh's table.csv from a model's folder.

  moe_yolo_row.py NAME DIR

DIR holds eval.json (goe-eval --json), paths.txt (goe-compile --emit=paths)
and speed.txt (goe-run's "time: S s, N images/s" line). Prints
NAME,mAP50,mAP50_95,MMACs,images_per_s. Standard library only; exits 1
naming the file on malformed input.
"""
import json
import os
import re
import sys


def fail(message):
    sys.stderr.write("moe_yolo_row.py: error: %s\n" % message)
    sys.exit(1)


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        fail("%s: %s" % (path, e.strerror))


def main(argv):
    if len(argv) != 3:
        fail("usage: moe_yolo_row.py NAME DIR")
    name, folder = argv[1], argv[2]
    path = os.path.join(folder, "eval.json")
    try:
        stats = json.loads(read(path))
        ap50, ap = float(stats["AP50"]), float(stats["AP"])
    except (ValueError, KeyError, TypeError) as e:
        fail("%s: no AP50 and AP (%s)" % (path, e))
    path = os.path.join(folder, "paths.txt")
    m = re.search(r"MACs per input: ([\d,]+)", read(path))
    if not m:
        fail("%s: no 'MACs per input' line" % path)
    macs = int(m.group(1).replace(",", ""))
    path = os.path.join(folder, "speed.txt")
    m = re.search(r"time: [\d.]+ s, ([\d.]+) images/s", read(path))
    if not m:
        fail("%s: no 'time: S s, N images/s' line" % path)
    print("%s,%.4f,%.4f,%.1f,%s" % (name, ap50, ap, macs / 1e6, m.group(1)))


if __name__ == "__main__":
    main(sys.argv)
