"""goe.train (pytest; run by ctest's `python`).

One epoch on the real digits (data/mnist, as the goe-train lit tests use)
whose weights compile and score on the exported test split exactly as the
training library scored them; a tiny .npy dataset written here for the
option and error cases; Ctrl-C in a child Python process.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import goe

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
TINY = os.path.join(HERE, "..", "tools", "Inputs", "tiny.yaml")
MNIST = os.path.join(ROOT, "examples", "rotated_mnist", "goe.yaml")
MNIST_DATA = os.path.join(ROOT, "data", "mnist")

try:
    from goe import _goe_train  # noqa: F401  (built where LibTorch and Faiss are)
except ImportError:
    pytest.skip("goe was built without the training library", allow_module_level=True)


def write_npy_dataset(root, sizes=(256, 64, 64), seed=0):
    """tiny.yaml's inputs (image [1, 4, 4], group) and a 3-class label that
    depends on the image, so that a little training beats chance."""
    rng = np.random.default_rng(seed)
    for split, n in zip(("train", "val", "test"), sizes):
        image = rng.random((n, 1, 4, 4), dtype=np.float32)
        label = (image.reshape(n, -1)[:, :3].argmax(1)).astype(np.int64)
        os.makedirs(root / split)
        np.save(root / split / "image.npy", image)
        np.save(root / split / "group.npy", rng.integers(0, 2, n))
        np.save(root / split / "labels.npy", label)
    return root


@pytest.fixture
def npy_data(tmp_path):
    return write_npy_dataset(tmp_path / "data")


@pytest.mark.skipif(not os.path.isdir(MNIST_DATA), reason="no data/mnist (make deps)")
def test_one_epoch_on_mnist_compiles_to_the_same_score(tmp_path):
    out = tmp_path / "w.goew"
    result = goe.train(MNIST, data=MNIST_DATA, vars={"p": 2}, epochs=1, batch=32,
                       max_train=6000, seed_sizes=True, out=out,
                       export_split="test", export_dir=tmp_path / "test")
    assert result.weights == str(out) and out.stat().st_size > 0
    assert result.test_count == 1200
    assert result.test_correct == round(result.test_accuracy * 1200)
    assert result.test_accuracy > 0.3  # chance is 0.1; this gives 0.43
    assert [e.epoch for e in result.epochs] == [1] and result.best_epoch == 1
    assert result.epochs[0].best and result.epochs[0].val_loss == result.best_val_loss

    model = goe.load(goe.compile(MNIST, vars={"p": 2}, weights=result.weights))
    test = tmp_path / "test"
    logits = model.run({"image": np.load(test / "image.npy"),
                        "group": np.load(test / "group.npy")})["logits"]
    correct = int((logits.argmax(1) == np.load(test / "labels.npy")).sum())
    assert correct == result.test_correct


def test_npy_dataset_options_and_history(npy_data, tmp_path):
    result = goe.train(TINY, data=npy_data, dataset="npy", epochs=3, batch=16,
                       lr=0.05, optimizer="sgd", momentum=0.9, schedule="cosine",
                       seed=1, threads=1, out=tmp_path / "w.goew",
                       checkpoint=tmp_path / "ck.pt")
    assert [e.epoch for e in result.epochs] == [1, 2, 3]
    assert result.test_count == 64 and 1 <= result.best_epoch <= 3
    assert result.epochs[2].lr < result.epochs[0].lr  # the cosine schedule
    assert (tmp_path / "ck.pt").exists()
    # The weights bind to the compiled spec; without out= nothing is written.
    goe.load(goe.compile(TINY, weights=result.weights))
    again = goe.train(TINY, data=npy_data, dataset="npy", epochs=3, batch=16, lr=0.05,
                      optimizer="sgd", momentum=0.9, schedule="cosine", seed=1)
    assert again.weights is None
    assert again.test_loss == result.test_loss  # same seed, same run


def test_unknown_option_is_a_type_error_naming_it(npy_data):
    with pytest.raises(TypeError, match=r"unknown option 'epoch'; the options are .*epochs"):
        goe.train(TINY, data=npy_data, dataset="npy", epoch=1)
    with pytest.raises(TypeError, match=r"batch must be an integer, got '8'"):
        goe.train(TINY, data=npy_data, dataset="npy", batch="8")


@pytest.mark.parametrize("options, message", [
    ({"batch": 0}, r"batch must be at least 1, got 0"),
    ({"lr": -1.0}, r"lr must be above 0, got -1.0"),
    ({"optimizer": "adagrad"}, r"adagrad"),
    ({"dataset": "no_such_kind"}, r"no_such_kind"),
    ({"router": "latent"}, r"--router latent: the spec declares no router of that name"),
    ({"out": "/nonexistent/dir/w.goew"}, r"--out: cannot write '/nonexistent/dir/w.goew'"),
    ({"world_size": 2}, r"--world-size 2 needs --master HOST:PORT"),
    ({"world_size": 2, "rank": 2, "master": "127.0.0.1:5"}, r"--rank 2 is not below"),
])
def test_errors_carry_the_library_message(npy_data, options, message):
    options = {"dataset": "npy", "epochs": 1, **options}
    with pytest.raises(goe.TrainError, match=message):
        goe.train(TINY, data=npy_data, **options)


def test_missing_data_and_spec(tmp_path):
    with pytest.raises(goe.TrainError, match="nowhere"):
        goe.train(TINY, data=tmp_path / "nowhere", dataset="npy", epochs=1)
    with pytest.raises(goe.TrainError, match="cannot read the spec"):
        goe.train(tmp_path / "missing.yaml", data=tmp_path, dataset="npy", epochs=1)
    with pytest.raises(TypeError, match="spec must be a path"):
        goe.train(3)


def test_ctrl_c_stops_training_cleanly(npy_data, tmp_path):
    """SIGINT while training: KeyboardInterrupt, no weights, Python's own
    SIGINT handler back in place."""
    big = write_npy_dataset(tmp_path / "big", sizes=(4000, 64, 64))
    script = textwrap.dedent(f"""
        import signal, goe
        try:
            goe.train({TINY!r}, data={str(big)!r}, dataset="npy", epochs=1000,
                      batch=1, out={str(tmp_path / "w.goew")!r},
                      checkpoint={str(tmp_path / "ck.pt")!r})
            print("finished")
        except KeyboardInterrupt as error:
            print("KeyboardInterrupt:", error)
        print("handler restored:", signal.getsignal(signal.SIGINT) is signal.default_int_handler)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 60
    while not (tmp_path / "ck.pt").exists() and time.time() < deadline:
        time.sleep(0.05)  # the first epoch done: inside the second
    child.send_signal(signal.SIGINT)
    output, _ = child.communicate(timeout=60)
    assert child.returncode == 0, output
    assert "KeyboardInterrupt: interrupted by SIGINT in epoch 2, step" in output
    assert "no weights written" in output
    assert "handler restored: True" in output
    assert "finished" not in output
    assert not (tmp_path / "w.goew").exists()


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_ranks_train_as_one_process(npy_data, tmp_path):
    """Data parallelism from Python: this process is rank 0, a child Python
    rank 1; the global batch of 16 split 8 + 8 gives the scores of one
    process (docs/training.md, "Data-parallel training")."""
    options = dict(dataset="npy", epochs=2, batch=16, lr=0.05, optimizer="sgd", seed=1)
    alone = goe.train(TINY, data=npy_data, **options)
    master = f"127.0.0.1:{free_port()}"
    script = textwrap.dedent(f"""
        import goe
        goe.train({TINY!r}, data={str(npy_data)!r}, world_size=2, rank=1,
                  master={master!r}, dist_timeout=30, **{options!r})
        print("rank 1 done")
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    try:
        pair = goe.train(TINY, data=npy_data, world_size=2, rank=0, master=master,
                         dist_timeout=30, out=tmp_path / "w.goew", **options)
    finally:
        output, _ = child.communicate(timeout=60)
    assert child.returncode == 0 and "rank 1 done" in output, output
    assert pair.test_loss == pytest.approx(alone.test_loss, abs=1e-5)
    assert [e.loss for e in pair.epochs] == pytest.approx(
        [e.loss for e in alone.epochs], abs=1e-5)
    assert pair.best_epoch == alone.best_epoch
    assert (tmp_path / "w.goew").exists()
