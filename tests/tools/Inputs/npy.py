"""Writes and shows .npy files without numpy (for goe-run's lit tests).

  npy.py write OUT.npy DESCR SHAPE VALUES   e.g. write x.npy '<f4' 2,3 range
      SHAPE: comma-separated dims ('' for a 0-d array); VALUES: 'range'
      (0, 1, 2, ...), 'mod:K' (i % K), 'const:V', or comma-separated numbers.
      --version N writes an .npy version N.0 header.
  npy.py show FILE.npy [COUNT]              prints descr, shape and the
      first COUNT values (default 4)
  npy.py accuracy LOGITS.npy LABELS.npy     prints the accuracy of the argmax
      of each row of LOGITS, as goe-run does
  npy.py agree A.npy B.npy MIN              prints how many rows of two logit
      arrays have the same argmax and the largest absolute difference; exits
      1 if the agreeing fraction is below MIN (e.g. 0.999)
"""
import ast
import struct
import sys

FORMATS = {"<f4": "f", "<f8": "d", "<i4": "i", "<i8": "q", "|u1": "B"}


def write(path, descr, shape_text, values_text, version=1):
    shape = tuple(int(d) for d in shape_text.split(",") if d != "")
    count = 1
    for d in shape:
        count *= d
    if values_text == "range":
        values = list(range(count))
    elif values_text.startswith("mod:"):
        values = [i % int(values_text[4:]) for i in range(count)]
    elif values_text.startswith("const:"):
        values = [float(values_text[6:])] * count
    else:
        values = [float(v) for v in values_text.split(",")]
    code = FORMATS[descr]
    if code in "iqB":
        values = [int(v) for v in values]
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (
        descr, repr(shape))
    prefix = 10 if version == 1 else 12
    header += " " * ((64 - (prefix + len(header) + 1) % 64) % 64) + "\n"
    length = struct.pack("<H" if version == 1 else "<I", len(header))
    data = struct.pack("<%d%s" % (len(values), code), *values)
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY" + bytes([version, 0]) + length +
                header.encode("latin1") + data)


def read(path):
    raw = open(path, "rb").read()
    assert raw[:6] == b"\x93NUMPY", "bad magic"
    if raw[6] == 1:
        (length,) = struct.unpack("<H", raw[8:10])
        start = 10
    else:
        (length,) = struct.unpack("<I", raw[8:12])
        start = 12
    header = ast.literal_eval(raw[start:start + length].decode("latin1"))
    data = raw[start + length:]
    code = FORMATS[header["descr"]]
    n = len(data) // struct.calcsize(code)
    return header, struct.unpack("<%d%s" % (n, code), data)


def show(path, count=4):
    header, values = read(path)
    n = len(values)
    print("descr %s shape %s values %d first %s" % (
        header["descr"], list(header["shape"]), n,
        " ".join("%g" % v for v in values[:count])))


def accuracy(logits_path, labels_path):
    header, logits = read(logits_path)
    _, labels = read(labels_path)
    samples = header["shape"][0]
    classes = len(logits) // samples
    correct = 0
    for b in range(samples):
        row = logits[b * classes:(b + 1) * classes]
        correct += row.index(max(row)) == labels[b]
    print("accuracy: %.4f (%d/%d)" % (correct / samples, correct, samples))


def agree(a_path, b_path, minimum):
    header, a = read(a_path)
    other, b = read(b_path)
    if header["shape"] != other["shape"]:
        sys.exit("shapes differ: %s and %s" % (header["shape"], other["shape"]))
    samples = header["shape"][0]
    classes = len(a) // samples
    same = 0
    for i in range(samples):
        x = a[i * classes:(i + 1) * classes]
        y = b[i * classes:(i + 1) * classes]
        same += x.index(max(x)) == y.index(max(y))
    diff = max(abs(x - y) for x, y in zip(a, b))
    print("predictions agree: %d/%d (%.4f), max logit difference %.3g" % (
        same, samples, same / samples, diff))
    if same < minimum * samples:
        sys.exit("agreement %.4f is below %s" % (same / samples, minimum))


def main(argv):
    version = 1
    if "--version" in argv:
        i = argv.index("--version")
        version = int(argv[i + 1])
        del argv[i:i + 2]
    if argv[1] == "write":
        write(argv[2], argv[3], argv[4], argv[5], version)
    elif argv[1] == "accuracy":
        accuracy(argv[2], argv[3])
    elif argv[1] == "agree":
        agree(argv[2], argv[3], float(argv[4]))
    elif argv[1] == "show":
        show(argv[2], int(argv[3]) if len(argv) > 3 else 4)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(list(sys.argv))
