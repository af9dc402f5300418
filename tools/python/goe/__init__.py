"""goe from Python: compile a Graph-of-Experts spec, load a compiled model
and run it.

    import goe, numpy as np
    model = goe.load("mnist.goe")  # or goe.load(goe.compile("goe.yaml", weights="mnist.goew"))
    print(model.inputs)            # [TensorInfo(name='image', shape=(1, 28, 28), dtype='float32'), ...]
    result = model.run({"image": images, "group": groups})
    logits = result["logits"]      # outputs by the spec's names
    result.routes[0].choices       # [batch, k] paths chosen per input
    result.path_counts             # inputs per path, per dispatch

Inputs are NumPy arrays (or anything np.asarray accepts, such as CPU
PyTorch tensors) with a leading batch dimension. C-contiguous arrays of the
model's dtype are read in place, without a copy; others are converted once.
The GIL is released while the model runs, so several Python threads can run
batches at the same time. Errors raise goe.Error (or a subclass) with the
runtime's message. goe.compile and goe.paths (compiler.py) load the compile
library on first use, goe.train (training.py) the training library.
"""

import warnings
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Sequence, Union

import numpy as np

from . import _goe
from .compiler import CompileError, compile, paths
from .training import EpochResult, StageResult, TrainError, TrainResult, train
from .errors import (_INVALID_ARGUMENT, Error, InvalidArgumentError,
                     NotFoundError, _raise)

__all__ = ["load", "compile", "paths", "train", "Model", "Result", "Route",
           "TensorInfo", "TrainResult", "EpochResult", "StageResult", "Error",
           "InvalidArgumentError", "NotFoundError", "CompileError", "TrainError"]


@dataclass(frozen=True)
class TensorInfo:
    """A model input or output: its name, per-sample shape and dtype."""
    name: str
    shape: tuple
    dtype: str


@dataclass
class Route:
    """One routing point's decision for a batch: `choices[b, j]` is the j-th
    path chosen for input b, `weights[b, j]` its weight."""
    router: str
    choices: np.ndarray
    weights: np.ndarray


@dataclass
class Result:
    """What one run returns: the outputs by name, the routes, and how many
    inputs each path of each dispatch received."""
    outputs: Dict[str, np.ndarray]
    routes: List[Route] = field(default_factory=list)
    path_counts: List[List[int]] = field(default_factory=list)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.outputs[name]


class Model:
    """A loaded model and a session to run it (see load())."""

    def __init__(self, native: "_goe.Model"):
        self._native = native
        self.name: str = native.name
        self.threads: int = native.threads  # threads each run computes on
        self.inputs = [TensorInfo(i["name"], tuple(i["shape"]), i["dtype"])
                       for i in native.inputs]
        self.outputs = [TensorInfo(o["name"], tuple(o["shape"]), o["dtype"])
                        for o in native.outputs]

    def __repr__(self):
        return f"goe.Model({self.name!r}, inputs={self.inputs}, outputs={self.outputs})"

    def _array(self, info: TensorInfo, value) -> np.ndarray:
        array = np.asarray(value)
        want = np.dtype(info.dtype)
        kinds = "f" if want.kind == "f" else "iu"
        if array.dtype.kind not in kinds:
            raise InvalidArgumentError(
                f"input '{info.name}' must be {info.dtype} (or convertible "
                f"without losing meaning), got {array.dtype}", _INVALID_ARGUMENT)
        # A no-op (no copy) when the array already fits.
        return np.ascontiguousarray(array, dtype=want)

    def run(self, inputs: Union[Mapping[str, object], Sequence[object]]) -> Result:
        """Runs one batch. `inputs` maps each input name to a batch (or is a
        sequence in the model's input order)."""
        names = [i.name for i in self.inputs]
        if isinstance(inputs, Mapping):
            missing = [n for n in names if n not in inputs]
            unknown = [n for n in inputs if n not in names]
            if missing or unknown:
                raise InvalidArgumentError(
                    f"model '{self.name}' takes inputs {names}; "
                    + (f"missing {missing}" if missing else "")
                    + ("; " if missing and unknown else "")
                    + (f"unknown {unknown}" if unknown else ""), _INVALID_ARGUMENT)
            values = [inputs[n] for n in names]
        else:
            values = list(inputs)
            if len(values) != len(names):
                raise InvalidArgumentError(
                    f"model '{self.name}' takes {len(names)} inputs {names}, "
                    f"given {len(values)}", _INVALID_ARGUMENT)
        arrays = [self._array(info, v) for info, v in zip(self.inputs, values)]
        try:
            raw = self._native.run(arrays)
        except _goe.Error as error:
            _raise(error)
        outputs = {info.name: array for info, array in zip(self.outputs, raw["outputs"])}
        routes = [Route(r["router"], r["choices"], r["weights"]) for r in raw["routes"]]
        return Result(outputs, routes, [list(c) for c in raw["path_counts"]])

    __call__ = run


def load(path, threads: int = None, device: str = "cpu", weights: str = None) -> Model:
    """Loads a compiled model: a .goe path, or an artifact's bytes
    (goe.compile's result). `weights` optionally rebinds a trained weights
    file (.goew; with a path only). Each run computes on `threads` threads
    (default: every core), with bit-identical outputs for any count; more
    threads than cores gives a RuntimeWarning. `device` is "cpu"."""
    if threads is None:
        threads = 0  # the runtime's "every core"
    elif isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise InvalidArgumentError(
            f"threads={threads!r}: give a positive number of threads, or "
            "leave it out for every core", _INVALID_ARGUMENT)
    if device != "cpu":
        raise InvalidArgumentError(
            f"device '{device}' is not available from Python yet; use 'cpu'",
            _INVALID_ARGUMENT)
    try:
        native_threads = min(threads, 2**32 - 1)
        if isinstance(path, (bytes, bytearray, memoryview)):
            if weights is not None:
                raise InvalidArgumentError(
                    "weights= rebinds a file at load; compile the weights into "
                    "the artifact instead (goe.compile(spec, weights=...))",
                    _INVALID_ARGUMENT)
            model = Model(_goe.Model(bytes(path), native_threads))
        else:
            model = Model(_goe.Model(str(path), "" if weights is None else str(weights),
                                     native_threads))
    except _goe.Error as error:
        _raise(error)
    for message in model._native.warnings:
        warnings.warn(message, RuntimeWarning, stacklevel=2)
    return model
