"""goe.compile and goe.paths (pytest; run by ctest's `python`).

GOE_BIN names the build's bin directory: goe-compile's artifacts are the
reference that goe.compile must match.
"""

import os
import subprocess

import numpy as np
import pytest

import goe

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
TINY = os.path.join(HERE, "..", "tools", "Inputs", "tiny.yaml")
MNIST = os.path.join(ROOT, "examples", "rotated_mnist", "goe.yaml")


def batch(n, seed=0):
    rng = np.random.default_rng(seed)
    return {"image": rng.random((n, 1, 4, 4), dtype=np.float32),
            "group": rng.integers(0, 2, n)}


def test_compile_matches_goe_compile(tmp_path):
    reference = tmp_path / "reference.goe"
    subprocess.run([os.path.join(os.environ["GOE_BIN"], "goe-compile"), TINY,
                    "--seed", "3", "-o", str(reference)], check=True)
    data = goe.compile(TINY, seed=3)
    assert isinstance(data, bytes) and data[:4] == reference.read_bytes()[:4]
    inputs = batch(9)
    ours = goe.load(data).run(inputs)
    theirs = goe.load(str(reference)).run(inputs)
    np.testing.assert_array_equal(ours["logits"], theirs["logits"])
    assert ours.path_counts == theirs.path_counts
    # Another seed, other weights.
    other = goe.load(goe.compile(TINY, seed=4)).run(inputs)["logits"]
    assert not np.array_equal(other, ours["logits"])


def test_compile_writes_output_atomically(tmp_path):
    out = tmp_path / "tiny.goe"
    assert goe.compile(TINY, seed=3, output=out) is None
    assert goe.load(out).name == "tiny"
    bad = tmp_path / "bad.goe"
    with pytest.raises(goe.CompileError):
        goe.compile(TINY, target="tpu", output=bad)
    assert not bad.exists()


def test_compile_from_text_with_vars():
    text = open(TINY).read().replace("out: 3", "out: n").replace(
        "goe: 1\n", "goe: 1\nvars: {n: 3}\n")
    model = goe.load(goe.compile(text, vars={"n": 5}))
    assert [(o.name, o.shape) for o in model.outputs] == [("logits", (5,))]


def weight_names():
    # The compiler names every weight it wants when given none of them.
    with pytest.raises(goe.CompileError) as error:
        goe.compile(TINY, weights={})
    return error.value


def test_weights_from_arrays_are_checked_and_used():
    message = str(weight_names())
    assert "missing" in message
    shapes = {"heads.expert0.1.weight": (3, 16), "heads.expert0.1.bias": (3,),
              "heads.expert1.1.weight": (3, 16), "heads.expert1.1.bias": (3,)}
    for name in shapes:
        assert name in message, message
    # Path 1's expert answers its bias, path 0's a fixed linear map.
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 16)).astype(np.float32)
    weights = {"heads.expert0.1.weight": w0, "heads.expert0.1.bias": np.zeros(3),
               "heads.expert1.1.weight": np.zeros((3, 16), np.float32),
               "heads.expert1.1.bias": np.array([1.0, 2.0, 3.0])}
    model = goe.load(goe.compile(TINY, weights=weights))
    inputs = batch(6, seed=1)
    logits = model.run(inputs)["logits"]
    for b in range(6):
        if inputs["group"][b] == 0:
            expected = w0 @ inputs["image"][b].reshape(16)
        else:
            expected = np.array([1.0, 2.0, 3.0])
        np.testing.assert_allclose(logits[b], expected, rtol=1e-5, atol=1e-6)
    wrong = dict(weights, **{"heads.expert1.1.bias": np.zeros(4)})
    with pytest.raises(goe.CompileError, match=r"heads\.expert1\.1\.bias"):
        goe.compile(TINY, weights=wrong)
    with pytest.raises(goe.CompileError, match="unknown|extra|not"):
        goe.compile(TINY, weights=dict(weights, stray=np.zeros(2)))


def test_paths_have_the_specs_macs():
    # examples/rotated_mnist/goe.yaml: each path costs 3920 p^2 + 7096 p MACs.
    for p in (2, 4):
        paths = goe.paths(MNIST, vars={"p": p})
        assert [x["path"] for x in paths] == [0, 1, 2, 3]
        assert {x["dispatch"] for x in paths} == {0}
        assert {x["router"] for x in paths} == {"oracle"}
        for x in paths:
            assert x["macs"] == 3920 * p * p + 7096 * p
            assert x["shared_macs"] == 0
            assert len(x["functions"]) == 3
    latent = goe.paths(MNIST, router="latent")
    assert {x["router"] for x in latent} == {"latent"}
    assert latent[0]["shared_macs"] > 0  # the encoder and the code search


def test_paths_agree_with_goe_compile():
    text = subprocess.run([os.path.join(os.environ["GOE_BIN"], "goe-compile"), MNIST,
                           "--emit=paths"], check=True, capture_output=True,
                          text=True).stdout
    for x in goe.paths(MNIST):
        line = "    path {}: {}  MACs {:,}".format(
            x["path"], " -> ".join("@" + f for f in x["functions"]), x["macs"])
        assert line in text, (line, text)


def test_errors_carry_the_compilers_message(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(open(TINY).read().replace("out: 3", "out: -3"))
    with pytest.raises(goe.CompileError, match=r"broken\.yaml:\d+:\d+: error"):
        goe.compile(broken)
    with pytest.raises(goe.CompileError, match=r"<spec>:\d+:\d+: error"):
        goe.paths(open(broken).read())
    with pytest.raises(goe.CompileError, match="nonexistent"):
        goe.compile("/nonexistent/spec.yaml")
    with pytest.raises(goe.CompileError, match="unknown target 'tpu'"):
        goe.compile(TINY, target="tpu")
    with pytest.raises(goe.CompileError, match="must be an integer"):
        goe.paths(MNIST, vars={"p": "four"})
    with pytest.raises(goe.CompileError, match="nope"):
        goe.paths(MNIST, router="nope")
    with pytest.raises(TypeError):
        goe.compile(42)
    with pytest.raises(goe.CompileError, match=r"missing\.goew"):
        goe.compile(TINY, weights=str(tmp_path / "missing.goew"))
    # A CompileError is a goe.Error and a ValueError.
    assert issubclass(goe.CompileError, goe.Error)
    assert issubclass(goe.CompileError, ValueError)


def test_load_bytes_rejects_garbage():
    with pytest.raises(goe.InvalidArgumentError, match="not a goe model"):
        goe.load(b"definitely not an artifact")
