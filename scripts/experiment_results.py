#!/usr/bin/env python3
"""Turns the logs of scripts/experiment.sh into CSV rows and a markdown table.

Standard library only (the machine has no numpy).

  experiment_results.py header
      prints the CSV header.
  experiment_results.py row --protocol P --p N --model KIND --epochs E
        --paths PATHS.txt --runs RUN1.log[,RUN2.log...]
        [--train TRAIN.log] [--agree AGREE.txt] [--seconds S]
      prints one CSV row: the compiled model's test accuracy from goe-run's
      `accuracy:` line (several runs, e.g. random routing under seeds 1, 2,
      3: their pooled accuracy, min and max), the MACs per input from
      `goe-compile --emit=paths` (router lines counted apart), the chosen
      epoch and test routing purity from goe-train's log, and how many test
      predictions the compiled model shares with LibTorch (npy.py agree).
  experiment_results.py table CSV
      prints the CSV as a markdown table (one row per protocol, p, model).

Every parse failure names the file and what was missing, and exits 1.
"""
import csv
import re
import sys

COLUMNS = [
    "protocol", "p", "model", "test_accuracy", "test_correct", "test_total",
    "accuracy_min", "accuracy_max", "runs", "macs_per_input", "path_macs",
    "router_macs", "routing_purity", "chosen_epoch", "epochs",
    "train_seconds", "compiled_agree",
]

# Model kinds in table order, with their display names.
MODELS = {
    "ref": "Ref",
    "oracle": "GoE Oracle",
    "latent": "GoE Latent",
    "oracle-random": "GoE Oracle, random routing",
    "latent-random": "GoE Latent, random routing",
    "cluster": "GoE Cluster gate",
}
PROTOCOLS = {
    "seed": "seed's sizes (8,400 / 2,400 / 1,200)",
    "full": "full digit-disjoint split (28,000 / 8,000 / 4,000)",
}


def fail(message):
    sys.stderr.write("experiment_results.py: error: %s\n" % message)
    sys.exit(1)


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        fail("cannot read %s: %s" % (path, e.strerror))


def number(text):
    return int(text.replace(",", ""))


def parse_macs(path):
    """(total, router) MACs per input from goe-compile --emit=paths."""
    text = read(path)
    total = re.search(r"MACs per input: ([0-9,]+)", text)
    if not total:
        fail("%s has no 'MACs per input:' line (goe-compile --emit=paths)" % path)
    router = sum(number(m) for m in re.findall(
        r"^\s*router\s.*?\sMACs ([0-9,]+)", text, re.M))
    return number(total.group(1)), router


def parse_accuracy(path):
    m = re.search(r"^accuracy: [0-9.]+ \(([0-9]+)/([0-9]+)\)", read(path), re.M)
    if not m:
        fail("%s has no 'accuracy: A (correct/total)' line (goe-run --labels)"
             % path)
    return int(m.group(1)), int(m.group(2))


def parse_train(path):
    """(chosen epoch, test purity) from goe-train's log; '' where absent."""
    text = read(path)
    if not re.search(r"^test: loss", text, re.M):
        fail("%s has no 'test:' line: the training did not finish" % path)
    epoch = re.search(r"^chosen: epoch ([0-9]+)", text, re.M)
    purity = re.search(r"^routing purity \(test\): ([0-9.]+)", text, re.M)
    return (epoch.group(1) if epoch else "",
            purity.group(1) if purity else "")


def parse_agree(path):
    m = re.search(r"predictions agree: ([0-9]+/[0-9]+)", read(path))
    if not m:
        fail("%s has no 'predictions agree:' line (npy.py agree)" % path)
    return m.group(1)


def option(args, name, required=True):
    if name in args:
        i = args.index(name)
        if i + 1 < len(args):
            return args[i + 1]
    if required:
        fail("row needs %s" % name)
    return ""


def row(args):
    model = option(args, "--model")
    if model not in MODELS:
        fail("unknown model kind '%s' (one of %s)" % (model, ", ".join(MODELS)))
    total_macs, router_macs = parse_macs(option(args, "--paths"))
    runs = [parse_accuracy(p) for p in option(args, "--runs").split(",")]
    correct = sum(c for c, _ in runs)
    count = sum(n for _, n in runs)
    accuracies = [c / n for c, n in runs]
    epoch, purity = "", ""
    if option(args, "--train", False):
        epoch, purity = parse_train(option(args, "--train"))
    agree = parse_agree(option(args, "--agree")) if option(
        args, "--agree", False) else ""
    seconds = option(args, "--seconds", False)
    values = {
        "protocol": option(args, "--protocol"),
        "p": option(args, "--p"),
        "model": model,
        "test_accuracy": "%.4f" % (correct / count),
        "test_correct": correct,
        "test_total": count,
        "accuracy_min": "%.4f" % min(accuracies),
        "accuracy_max": "%.4f" % max(accuracies),
        "runs": len(runs),
        "macs_per_input": total_macs,
        "path_macs": total_macs - router_macs,
        "router_macs": router_macs,
        "routing_purity": purity if model in ("latent", "cluster") else "",
        "chosen_epoch": epoch,
        "epochs": option(args, "--epochs"),
        "train_seconds": seconds,
        "compiled_agree": agree,
    }
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([values[c] for c in COLUMNS])


def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for i, r in enumerate(rows):
        missing = [c for c in COLUMNS if c not in r or r[c] is None]
        if missing:
            fail("%s row %d lacks %s" % (path, i + 2, ", ".join(missing)))
    return rows


def table(path):
    rows = load(path)
    order = {m: i for i, m in enumerate(MODELS)}
    rows.sort(key=lambda r: (list(PROTOCOLS).index(r["protocol"])
                             if r["protocol"] in PROTOCOLS else 9,
                             int(r["p"]), order.get(r["model"], 9)))
    print("| protocol | p | model | test accuracy | MACs per input (path + router) "
          "| routing purity | chosen epoch | compiled = trained |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        accuracy = "%.2f %%" % (100 * float(r["test_accuracy"]))
        if int(r["runs"]) > 1:
            accuracy += " (%.1f–%.1f, %s seeds)" % (
                100 * float(r["accuracy_min"]), 100 * float(r["accuracy_max"]),
                r["runs"])
        macs = "{:,}".format(int(r["macs_per_input"]))
        if int(r["router_macs"]):
            macs += " ({:,} + {:,})".format(int(r["path_macs"]),
                                            int(r["router_macs"]))
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["protocol"], r["p"], MODELS.get(r["model"], r["model"]), accuracy,
            macs, r["routing_purity"] or "–",
            (r["chosen_epoch"] + "/" + r["epochs"]) if r["chosen_epoch"] else "–",
            r["compiled_agree"] or "–"))


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 1
    command = argv[1]
    if command == "header":
        print(",".join(COLUMNS))
    elif command == "row":
        row(argv[2:])
    elif command == "table" and len(argv) == 3:
        table(argv[2])
    else:
        fail("unknown command '%s' (header, row or table CSV)" % " ".join(argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
