# lit configuration for goe: .mlir tests run goe-opt, .yaml tests run
# goe-compile on a spec (the malformed-spec corpus and example checks).
import os
import lit.formats

config.name = "goe"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".yaml", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "unit", "Inputs",
                   "fuzz", "bench", "install", "python"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.goe_obj_root, "tests")

config.environment["PATH"] = os.pathsep.join([
    os.path.join(config.goe_obj_root, "bin"),
    config.llvm_tools_dir,
    config.environment.get("PATH", ""),
])
config.substitutions.append(("%goe_src", config.goe_src_root))
config.substitutions.append(("%examples", os.path.join(config.goe_src_root, "examples")))

# CUDA: tests that run ptxas (goe-compile --target=cuda) need the toolkit;
# without it they are reported UNSUPPORTED, never passed.
import shutil
if shutil.which("ptxas", path=os.pathsep.join(["/usr/local/cuda/bin", os.environ.get("PATH", "")])):
    config.available_features.add("ptxas")
# The build's tools, for scripts that take a --bin DIR (scripts/experiment.sh).
config.substitutions.append(("%goe_bin", os.path.join(config.goe_obj_root, "bin")))
# Sanitizer builds (scripts/sanitize.sh): ASan reserves terabytes of shadow
# address space at start, so tests that cap the address space with
# `prlimit --as` cannot start under it; they are UNSUPPORTED there and run
# in the normal build.
if "address" in config.goe_sanitize:
    config.available_features.add("asan")
