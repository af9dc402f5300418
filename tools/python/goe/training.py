"""goe.train: the training library (goe-train) from Python.

    import goe
    result = goe.train("examples/rotated_mnist/goe.yaml", data="data/mnist",
                       epochs=2, max_train=2000, out="mnist.goew")
    result.test_accuracy          # on the test split, with the chosen weights
    model = goe.load(goe.compile("examples/rotated_mnist/goe.yaml",
                                 weights=result.weights))

Options are goe-train's flags as keywords (OPTIONS below; --max-train is
max_train=). A keyword that is not an option raises TypeError naming it; a
bad value, spec, dataset or file raises goe.TrainError with the library's
message. Progress goes to the process's stdout, as goe-train prints it.
The GIL is released while training. Ctrl-C (SIGINT) stops the run after the
current step and raises KeyboardInterrupt; nothing is written then.
The training library (LibTorch) is loaded on the first call.
"""

import os
import signal
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from .errors import Error

__all__ = ["train", "TrainResult", "EpochResult", "TrainError", "OPTIONS"]


class TrainError(Error, ValueError):
    """A training run that failed; the message is the library's."""


@dataclass(frozen=True)
class EpochResult:
    """One trained epoch: the training split's running means and the
    validation split's score; `best` marks a new best validation loss."""
    epoch: int
    loss: float
    accuracy: float
    val_loss: float
    val_accuracy: float
    lr: float
    images_per_second: float
    best: bool
    router_report: str
    # Named parts of the training loss (yolo: box, obj, cls, router) and the
    # validation metrics (yolo: mAP50, mAP50_95, fitness).
    parts: Dict[str, float] = field(default_factory=dict)
    val_metrics: Dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class StageResult:
    """One stage of a staged run (the spec's `training:` stages), scored on
    the test split with its own loss: the gate's accuracy on the groups,
    the experts' on their own classes (per path in group_correct and
    group_count for a `route: groups` stage)."""
    name: str
    epochs: int
    best_epoch: int
    test_accuracy: float
    test_correct: int
    test_count: int
    group_correct: List[int] = field(default_factory=list)
    group_count: List[int] = field(default_factory=list)


@dataclass(frozen=True)
class TrainResult:
    """What goe.train returns. `weights` is the weights file written (None
    without out=); the test scores are those of the chosen weights (the
    epoch with the best validation loss)."""
    weights: Optional[str]
    test_loss: float
    test_accuracy: float
    test_correct: int
    test_count: int
    best_epoch: int
    best_val_loss: float
    seconds: float
    epochs: List[EpochResult] = field(default_factory=list)
    test_metrics: Dict[str, float] = field(default_factory=dict)
    stages: List[StageResult] = field(default_factory=list)


def _text(value):
    if not isinstance(value, str):
        raise TypeError("a string")
    return value


def _path(value):
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError("a path")
    return os.fspath(value)


def _integer(low):
    def check(value):
        if isinstance(value, bool) or not hasattr(value, "__index__"):
            raise TypeError("an integer")
        value = value.__index__()
        if value < low:
            raise ValueError(f"at least {low}")
        return value
    return check


def _number(low, above=False):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) and \
                not hasattr(value, "__float__"):
            raise TypeError("a number")
        value = float(value)
        if value != value or (value <= low if above else value < low):
            raise ValueError(f"{'above' if above else 'at least'} {low}")
        return value
    return check


def _boolean(value):
    if not isinstance(value, bool):
        raise TypeError("True or False")
    return value


def _names(value):
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise TypeError("a dict of str to str")
    return dict(value)


def _stage_epochs(value):
    if not isinstance(value, dict):
        raise TypeError("a dict of stage name to epochs")
    return {str(name): _integer(0)(v) for name, v in value.items()}


def _vars(value):
    if not isinstance(value, dict):
        raise TypeError("a dict of name to integer")
    return {str(name): _integer(-2**63)(v) for name, v in value.items()}


# keyword -> (field of TrainOptions, "optimizer.x" or "schedule.x"; check),
# one per goe-train flag. The defaults are the library's (TrainOptions.h).
OPTIONS = {
    "data": ("data_dir", _path),
    "dataset": ("dataset", _text),
    "seed_sizes": ("seed_sizes", _boolean),
    "max_train": ("max_train", _integer(1)),
    "max_val": ("max_val", _integer(1)),
    "augment": ("augment", _text),
    "max_boxes": ("max_boxes", _integer(1)),
    "input_fields": ("input_fields", _names),
    "vars": ("vars", _vars),
    "objective": ("objective", _text),
    "output": ("output", _text),
    "target": ("target", _text),
    "router": ("router", _text),
    "router_epochs": ("router_epochs", _integer(1)),
    "balance_weight": ("balance_weight", _number(0)),
    "z_loss": ("z_loss_weight", _number(0)),
    "ema": ("ema_decay", _number(0)),
    "ema_tau": ("ema_tau", _number(0, above=True)),
    "optimizer": ("optimizer.kind", _text),
    "lr": ("optimizer.lr", _number(0, above=True)),
    "momentum": ("optimizer.momentum", _number(0)),
    "nesterov": ("optimizer.nesterov", _boolean),
    "weight_decay": ("optimizer.weight_decay", _number(0)),
    "schedule": ("schedule.kind", _text),
    "step_epochs": ("schedule.step_epochs", _integer(1)),
    "gamma": ("schedule.gamma", _number(0, above=True)),
    "min_lr_factor": ("schedule.min_factor", _number(0)),
    "warmup_epochs": ("schedule.warmup_epochs", _number(0)),
    "epochs": ("epochs", _integer(0)),
    "stages": ("stages", _text),
    "stage_epochs": ("stage_epochs", _stage_epochs),
    "patience": ("patience", _integer(0)),
    "batch": ("batch", _integer(1)),
    "seed": ("seed", _integer(0)),
    "threads": ("threads", _integer(1)),
    "world_size": ("world_size", _integer(1)),
    "rank": ("rank", _integer(0)),
    "master": ("master", _text),
    "dist_timeout": ("dist_timeout", _number(0, above=True)),
    "out": ("out", _path),
    "checkpoint": ("checkpoint", _path),
    "csv": ("csv", _path),
    "resume": ("resume", _path),
    "export_split": ("export_split", _text),
    "export_dir": ("export_dir", _path),
    "test_output": ("test_output", _path),
}


def _native():
    from . import _goe_train  # loads LibTorch: only when needed
    return _goe_train


def _options(native, spec, data, options):
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise TypeError(f"goe.train() got unknown option{'s' if len(unknown) > 1 else ''} "
                        f"{', '.join(repr(u) for u in unknown)}; the options are "
                        f"{', '.join(OPTIONS)}")
    if not isinstance(spec, (str, os.PathLike)):
        raise TypeError(f"spec must be a path, got {type(spec).__name__}")
    out = native.TrainOptions()
    out.spec_path = os.fspath(spec)
    if data is not None:
        options = dict(options, data=data)
    for name, value in options.items():
        if value is None:
            continue  # the library's default
        attribute, check = OPTIONS[name]
        try:
            value = check(value)
        except TypeError as error:
            raise TypeError(f"goe.train(): {name} must be {error}, got {value!r}") from None
        except ValueError as error:
            raise TrainError(f"goe.train(): {name} must be {error}, got {value!r}") from None
        owner = out
        *path, last = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        setattr(owner, last, value)
    if (threads := options.get("threads")) and threads > (os.cpu_count() or 1):
        import warnings
        warnings.warn(f"threads={threads} is more than the {os.cpu_count()} cores",
                      RuntimeWarning, stacklevel=3)
    return out


def train(spec, data=None, **options) -> TrainResult:
    """Trains the model of a graph spec, as goe-train does, and returns its
    scores and the weights file written (out=).

    spec: the spec file. data: the dataset's directory (goe-train --data;
    None: the dataset kind's default place). options: goe-train's flags,
    e.g. dataset="npy", epochs=2, batch=64, lr=0.005, optimizer="sgd",
    schedule="cosine", router="latent", seed=0, threads=1, out="w.goew",
    checkpoint=..., resume=..., vars={"p": 4}, max_train=2000 (see OPTIONS
    and docs/python.md)."""
    native = _native()
    native_options = _options(native, spec, data, options)
    sys.stdout.flush()  # before the library's own lines
    sys.stderr.flush()
    try:
        result, message = native.train(native_options)
    except native.Error as error:
        raise TrainError(str(error)) from None
    if result.signal == signal.SIGINT:
        raise KeyboardInterrupt(message)
    if result.signal:
        # SIGTERM and the like: stopped cleanly; now let the signal do what
        # this process makes of it (by default, end it).
        signal.raise_signal(result.signal)
        raise TrainError(message)
    epochs = [EpochResult(e.epoch, e.loss, e.accuracy, e.val_loss, e.val_accuracy,
                          e.lr, e.images_per_second, e.best, e.router_report,
                          dict(e.parts), dict(e.val_metrics))
              for e in result.epochs]
    return TrainResult(native_options.out or None, result.test_loss,
                       result.test_accuracy, result.test_correct, result.test_count,
                       result.best_epoch, result.best_val_loss, result.seconds, epochs,
                       dict(result.test_metrics),
                       [StageResult(s.name, s.epochs, s.best_epoch, s.test_accuracy,
                                    s.test_correct, s.test_count, list(s.group_correct),
                                    list(s.group_count))
                        for s in result.stages])
