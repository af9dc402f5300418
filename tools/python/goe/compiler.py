"""goe.compile and goe.paths: the compile library from Python.

    import goe
    data = goe.compile("examples/rotated_mnist/goe.yaml", vars={"p": 4})
    model = goe.load(data)                      # bytes or a path
    goe.compile(spec, weights="mnist.goew", output="mnist.goe")
    for path in goe.paths(spec):
        print(path["dispatch"], path["path"], path["functions"], path["macs"])

The compile library (MLIR, LLVM) is loaded on the first call, not by
`import goe`. Errors raise goe.CompileError with the compiler's message
(`file:line:col: error: ...` where the spec is to blame).
"""

import os
from typing import Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

from .errors import Error

__all__ = ["compile", "paths", "CompileError"]

Spec = Union[str, "os.PathLike[str]"]


class CompileError(Error, ValueError):
    """A spec, weights or option the compiler refused; the message is its."""


def _native():
    from . import _goe_compiler  # loads MLIR and LLVM: only when needed
    return _goe_compiler


def _spec(spec: Spec):
    """A path, or YAML text (a str with a line break)."""
    if isinstance(spec, str) and "\n" in spec:
        return spec, True
    if isinstance(spec, (str, os.PathLike)):
        return os.fspath(spec), False
    raise TypeError(f"spec must be a path or YAML text, got {type(spec).__name__}")


def _vars(vars: Optional[Mapping[str, int]]) -> Dict[str, int]:
    out = {}
    for name, value in (vars or {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise CompileError(f"vars['{name}'] must be an integer, got {value!r}")
        out[str(name)] = int(value)
    return out


def _routers(router: Union[None, str, Mapping[str, str]]) -> Dict[str, str]:
    """goe-compile's --router: a name for the graph's only router node, or
    {node: router}."""
    if router is None:
        return {}
    if isinstance(router, str):
        return {"": router}
    return {str(node): str(name) for node, name in router.items()}


def _call(function, *args):
    try:
        return function(*args)
    except _native().Error as error:
        raise CompileError(str(error)) from None


def compile(spec: Spec, weights=None, vars: Optional[Mapping[str, int]] = None,
            router: Union[None, str, Mapping[str, str]] = None,
            target: Union[str, Sequence[str]] = "cpu", output: Optional[Spec] = None,
            seed: int = 0, cpu: str = "native") -> Optional[bytes]:
    """Compiles a graph spec to an artifact, as goe-compile does.

    spec: a spec file, or YAML text. weights: None (random from `seed`, for
    tests and benchmarks), a weights file (.goew), or a dict of arrays by
    weight name (PyTorch layouts, e.g. a state_dict's tensors as NumPy),
    checked like a file: every weight of the spec, by name and shape.
    vars: spec variables to override ({"p": 4}). router: another declared
    router ("latent", or {node: router}). target: "cpu", "cuda",
    "cpu,cuda" or a list. cpu: the CPU the cpu target compiles for
    ("native", "x86-64-v3", ...).

    Returns the artifact's bytes (goe.load takes them), or None after
    writing them to `output` (atomically: nothing is left on failure).
    """
    text, is_text = _spec(spec)
    targets = target.split(",") if isinstance(target, str) else list(target)
    weights_path = weight_arrays = None
    if isinstance(weights, (str, os.PathLike)):
        weights_path = os.fspath(weights)
    elif isinstance(weights, Mapping):
        weight_arrays = {}
        for name, value in weights.items():
            array = np.asarray(value.detach().cpu() if hasattr(value, "detach") else value)
            if array.dtype.kind != "f":
                raise CompileError(f"weight '{name}' must be floating point, got {array.dtype}")
            weight_arrays[str(name)] = np.ascontiguousarray(array, dtype=np.float32)
    elif weights is not None:
        raise TypeError("weights must be None, a .goew path or a dict of arrays, "
                        f"got {type(weights).__name__}")
    out = None if output is None else os.fspath(output)
    return _call(_native().compile, text, is_text, _vars(vars), _routers(router),
                 weights_path, weight_arrays, int(seed), targets, cpu, out)


def paths(spec: Spec, vars: Optional[Mapping[str, int]] = None,
          router: Union[None, str, Mapping[str, str]] = None) -> List[dict]:
    """The routed paths of a spec (goe-compile --emit=paths), one dict each:

        dispatch     which dispatch of the graph (0, 1, ... in graph order)
        router       the router whose choices it follows
        path         the path's index: the choice that selects it
        functions    the expert functions it runs, in order
        macs         its MACs per sample
        shared_macs  MACs per sample every input runs (shared segments and
                     routers): an input routed to this path alone costs
                     shared_macs + macs
    """
    text, is_text = _spec(spec)
    report = _call(_native().paths, text, is_text, _vars(vars), _routers(router))
    out = []
    dispatches = [s for s in report["steps"] if s["kind"] == "dispatch"]
    for index, step in enumerate(dispatches):
        for p, path in enumerate(step["paths"]):
            out.append({"dispatch": index, "router": step["name"], "path": p,
                        "functions": list(path["functions"]), "macs": path["macs"],
                        "shared_macs": report["every_input_macs"]})
    return out
