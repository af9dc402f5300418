"""The goe Python package on a compiled model (pytest; run by ctest).

GOE_BIN names the build's bin directory (goe-compile); the package is
imported from the build tree (PYTHONPATH=build/python).
"""

import os
import subprocess
import threading

import numpy as np
import pytest

import goe

HERE = os.path.dirname(os.path.abspath(__file__))
TINY = os.path.join(HERE, "..", "tools", "Inputs", "tiny.yaml")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The oracle-over-two-linear-experts model of the tools' tests."""
    path = tmp_path_factory.mktemp("goe") / "tiny.goe"
    subprocess.run([os.path.join(os.environ["GOE_BIN"], "goe-compile"), TINY,
                    "--seed", "1", "-o", str(path)], check=True)
    return str(path)


def batch(n, seed=0):
    rng = np.random.default_rng(seed)
    return {"image": rng.random((n, 1, 4, 4), dtype=np.float32),
            "group": rng.integers(0, 2, n)}


def test_signature(tiny):
    model = goe.load(tiny)
    assert model.name == "tiny"
    assert [(i.name, i.shape, i.dtype) for i in model.inputs] == [
        ("image", (1, 4, 4), "float32"), ("group", (), "int64")]
    assert [(o.name, o.shape, o.dtype) for o in model.outputs] == [
        ("logits", (3,), "float32")]


def test_run_routes_and_counts(tiny):
    model = goe.load(tiny)
    inputs = batch(7)
    result = model.run(inputs)
    assert result["logits"].shape == (7, 3)
    assert result["logits"].dtype == np.float32
    route = result.routes[0]
    assert route.router == "oracle"
    np.testing.assert_array_equal(route.choices[:, 0], inputs["group"])
    np.testing.assert_array_equal(route.weights, np.ones((7, 1), np.float32))
    groups = inputs["group"]
    assert result.path_counts == [[int((groups == 0).sum()), int((groups == 1).sum())]]
    # The same inputs in list form, and a float64 image (converted once),
    # give the same outputs.
    again = model([inputs["image"].astype(np.float64), inputs["group"]])
    np.testing.assert_array_equal(again["logits"], result["logits"])


def test_each_input_runs_only_its_path(tiny):
    # Rows routed alone must equal the same rows in a mixed batch.
    model = goe.load(tiny)
    inputs = batch(6, seed=3)
    mixed = model.run(inputs)["logits"]
    for b in range(6):
        alone = model.run({"image": inputs["image"][b:b + 1],
                           "group": inputs["group"][b:b + 1]})["logits"]
        np.testing.assert_allclose(alone[0], mixed[b], rtol=1e-6)


def test_threads_run_concurrently_and_agree(tiny):
    model = goe.load(tiny)
    inputs = batch(64, seed=5)
    expected = model.run(inputs)["logits"]
    results = [None] * 4

    def work(i):
        results[i] = model.run(inputs)["logits"]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        np.testing.assert_array_equal(r, expected)


def test_errors_carry_the_runtime_message(tiny):
    model = goe.load(tiny)
    with pytest.raises(goe.InvalidArgumentError, match=r"missing \['group'\]"):
        model.run({"image": np.zeros((2, 1, 4, 4), np.float32)})
    with pytest.raises(goe.InvalidArgumentError, match="per-sample shape"):
        model.run({"image": np.zeros((2, 1, 4, 5), np.float32),
                   "group": np.zeros(2, np.int64)})
    with pytest.raises(goe.InvalidArgumentError, match="'group' must be int64"):
        model.run({"image": np.zeros((2, 1, 4, 4), np.float32),
                   "group": np.zeros(2, np.float32)})
    with pytest.raises(goe.InvalidArgumentError, match="outside"):
        model.run({"image": np.zeros((1, 1, 4, 4), np.float32),
                   "group": np.array([5])})
    with pytest.raises(goe.NotFoundError, match="No such file"):
        goe.load("/nonexistent/model.goe")
    with pytest.raises(goe.InvalidArgumentError, match="positive number"):
        goe.load(tiny, threads=0)
    with pytest.raises(goe.InvalidArgumentError, match="1 to 1024 threads"):
        goe.load(tiny, threads=5000)


@pytest.mark.filterwarnings("ignore:.*threads on:RuntimeWarning")
def test_thread_counts_agree_bit_for_bit(tiny):
    rng = np.random.default_rng(3)
    inputs = {"image": rng.random((13, 1, 4, 4), dtype=np.float32),
              "group": rng.integers(0, 2, 13)}
    results = [goe.load(tiny, threads=t).run(inputs) for t in (1, 2, 3)]
    for result in results[1:]:
        for name, array in results[0].outputs.items():
            assert result[name].tobytes() == array.tobytes()
    assert goe.load(tiny, threads=3).threads == 3
    assert goe.load(tiny).threads == len(os.sched_getaffinity(0))


def test_more_threads_than_cores_warns(tiny):
    cores = len(os.sched_getaffinity(0))
    with pytest.warns(RuntimeWarning, match="slower, not faster"):
        model = goe.load(tiny, threads=cores + 1)
    assert model.threads == cores + 1


def test_corrupt_artifact_is_an_error_not_a_crash(tiny, tmp_path):
    data = open(tiny, "rb").read()
    broken = tmp_path / "broken.goe"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(goe.Error):
        goe.load(str(broken))
