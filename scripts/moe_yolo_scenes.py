#!/usr/bin/env python3
"""Per scene style: a detector's COCO statistics and (for MoE) expert usage.

  moe_yolo_scenes.py SCENES.csv EVAL_DIR RUN_DIR [--bin build/bin]
                     [--usage-csv FILE]

SCENES.csv is goe-data detection's (image, split, scene); EVAL_DIR the YOLO
set the run was scored on (scripts/moe-yolo.sh's val<N>); RUN_DIR holds
detect/detections.json and detect.log (goe-detect's output and the experts
each image used). For each scene style it writes a YOLO set of that style's
images, the detections of those images, runs goe-eval on them, and counts
the experts goe-detect reported. Prints a Markdown table; --usage-csv also
writes the usage as rows scene,expert,share (for plot_moe_yolo.py). Standard
library only.
"""
import collections
import csv
import json
import os
import re
import subprocess
import sys

SCENES = ["plain dark", "stripes + noise", "gradient", "distractor strokes"]


def fail(message):
    sys.stderr.write("moe_yolo_scenes.py: error: " + message + "\n")
    sys.exit(1)


def main(argv):
    args = [a for a in argv[1:]]
    binary = "build/bin"
    usage_csv = None
    for flag in ("--bin", "--usage-csv"):
        if flag in args:
            i = args.index(flag)
            if i + 1 >= len(args):
                fail(flag + " needs a value")
            if flag == "--bin":
                binary = args[i + 1]
            else:
                usage_csv = args[i + 1]
            del args[i:i + 2]
    if len(args) != 3:
        fail("usage: moe_yolo_scenes.py SCENES.csv EVAL_DIR RUN_DIR [--bin DIR]")
    scenes_csv, eval_dir, run_dir = args
    scene_of = {}
    with open(scenes_csv, newline="") as f:
        for row in csv.DictReader(f):
            if row["split"] == "val":
                scene_of[row["image"]] = int(row["scene"])
    images = sorted(os.listdir(os.path.join(eval_dir, "images", "val")))
    with open(os.path.join(run_dir, "detect", "detections.json")) as f:
        detections = json.load(f)
    # Experts per image from goe-detect's lines "PATH: N detections; gate
    # chose expert 3 (0.9) expert 1 (0.1)".
    usage = collections.defaultdict(collections.Counter)
    log = os.path.join(run_dir, "detect.log")
    experts_seen = False
    with open(log) as f:
        for line in f:
            m = re.match(r"(\S+): \d+ detections(.*)", line)
            if not m:
                continue
            name = os.path.basename(m.group(1))
            for expert in re.findall(r"expert (\d+) \(", m.group(2)):
                usage[scene_of.get(name, -1)][int(expert)] += 1
                experts_seen = True
    if usage_csv and experts_seen:
        with open(usage_csv, "w", newline="") as f:
            out = csv.writer(f)
            out.writerow(["scene", "expert", "share"])
            for scene in range(4):
                total = sum(usage[scene].values())
                for expert in sorted(usage[scene]):
                    out.writerow([SCENES[scene], expert,
                                  "%.4f" % (usage[scene][expert] / total)])
    header = "| scene | images | AP50 | AP |" + (
        " expert usage (share of choices) |" if experts_seen else "")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for scene in range(4):
        names = [n for n in images if scene_of.get(n) == scene]
        if not names:
            continue
        ids = {int(os.path.splitext(n)[0]) for n in names}
        work = os.path.join(run_dir, "scene%d" % scene)
        os.makedirs(os.path.join(work, "images", "val"), exist_ok=True)
        os.makedirs(os.path.join(work, "labels", "val"), exist_ok=True)
        for n in names:
            link = os.path.join(work, "images", "val", n)
            if not os.path.lexists(link):
                os.symlink(os.path.realpath(os.path.join(eval_dir, "images", "val", n)), link)
            label = os.path.splitext(n)[0] + ".txt"
            with open(os.path.join(eval_dir, "labels", "val", label)) as src, \
                    open(os.path.join(work, "labels", "val", label), "w") as dst:
                dst.write(src.read())
        with open(os.path.join(eval_dir, "data.yaml")) as src, \
                open(os.path.join(work, "data.yaml"), "w") as dst:
            dst.write(src.read())
        with open(os.path.join(work, "detections.json"), "w") as f:
            json.dump([d for d in detections if d["image_id"] in ids], f)
        out = subprocess.run([os.path.join(binary, "goe-eval"), "--data",
                              os.path.join(work, "data.yaml"), "--dt",
                              os.path.join(work, "detections.json"), "--json"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            fail("goe-eval on scene %d: %s" % (scene, out.stderr.strip()))
        stats = json.loads(out.stdout)
        row = "| %s | %d | %.4f | %.4f |" % (SCENES[scene], len(names),
                                            stats["AP50"], stats["AP"])
        if experts_seen:
            total = sum(usage[scene].values()) or 1
            shares = " ".join("%d: %.2f" % (e, usage[scene][e] / total)
                              for e in sorted(usage[scene]))
            row += " %s |" % shares
        print(row)


if __name__ == "__main__":
    main(sys.argv)
