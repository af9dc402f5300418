#!/bin/bash
# ctest `install`: installs the build into a fresh prefix and uses it as a
# project outside goe would (docs/install.md):
#   1. the layout: public headers only, libraries, CMake and pkg-config
#      files, tools, example specs; nothing refers back to the build tree;
#   2. examples/downstream configured with -DCMAKE_PREFIX_PATH=PREFIX,
#      built and run: a spec compiled with goe::compiler and run with
#      goe::runtime, the artifact run again by the C example (static runtime);
#   3. the C example built with `pkg-config --cflags --libs goe-runtime`
#      against the shared runtime, giving the same output;
#   4. the installed tools and the installed Python package.
#
#   check-install.sh BUILD_DIR SOURCE_DIR [PYTHON]
set -euo pipefail
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
python=${3:-}
work=$build/tests/install-check   # fixed, so that ccache hits on reruns
prefix=$work/prefix
rm -rf "$work"
mkdir -p "$work"

fail() { echo "check-install: $*" >&2; exit 1; }
step() { echo "== $*"; }

step "cmake --install $build --prefix $prefix"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"

step "layout"
for path in include/goe/Runtime/goe_runtime.h include/goe/Runtime/Session.h \
            include/goe/Runtime/proto/artifact.pb.h include/goe/Compiler/Compile.h \
            include/goe/Frontends/Spec/SpecReader.h \
            lib/libgoe_runtime.so lib/libgoe_runtime.a lib/libgoe_compiler.so \
            lib/cmake/goe/goeConfig.cmake lib/cmake/goe/goeConfigVersion.cmake \
            lib/cmake/goe/goeRuntimeTargets.cmake lib/cmake/goe/goeCompilerTargets.cmake \
            lib/pkgconfig/goe-runtime.pc bin/goe-compile bin/goe-run \
            share/goe/examples/rotated_mnist/goe.yaml; do
  [ -e "$prefix/$path" ] || fail "$path is not installed"
done
for internal in include/goe/Dialect include/goe/Passes/Passes.h \
                include/goe/Compiler/CpuCodegen.h include/goe/Frontends/Spec/GraphPlan.h \
                include/goe/Runtime/lib; do
  [ ! -e "$prefix/$internal" ] || fail "internal header $internal is installed"
done
if grep -rl "$build\|$source" "$prefix/lib/cmake" "$prefix/lib/pkgconfig"; then
  fail "installed CMake or pkg-config files name the build or source tree"
fi
for elf in "$prefix"/lib/*.so "$prefix"/bin/*; do
  if readelf -d "$elf" | grep -E 'R(UN)?PATH' | grep -q "$build"; then
    fail "$elf has an RPATH into the build tree"
  fi
done

launcher=()
if command -v ccache > /dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
step "examples/downstream against the prefix"
cmake -S "$source/examples/downstream" -B "$work/downstream" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" "${launcher[@]}" \
  > "$work/configure.log"
cmake --build "$work/downstream" > "$work/build.log" || { cat "$work/build.log"; exit 1; }

spec=$prefix/share/goe/examples/rotated_mnist/goe.yaml
"$work/downstream/compile_and_run" "$spec" "$work/model.goe" | tee "$work/compile_and_run.txt"
grep -qx "input image \[8, 1, 28, 28\]" "$work/compile_and_run.txt" || fail "wrong image input"
grep -qx "output logits \[8, 10\]" "$work/compile_and_run.txt" || fail "wrong logits output"
# Groups b % 2: four inputs on each of the first two paths, none elsewhere.
grep -qE "^inputs per path: 4 4( 0)+$" "$work/compile_and_run.txt" || fail "wrong path counts"

"$work/downstream/run_model" "$work/model.goe" | tee "$work/run_static.txt"
grep -qx "output logits f32 \[N, 10\]" "$work/run_static.txt" || fail "C example: no logits"
grep -qx "route oracle: 0 0 0 0" "$work/run_static.txt" || fail "C example: wrong route"

step "the C example with pkg-config"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
# shellcheck disable=SC2046 # pkg-config's output is meant to be split
cc -o "$work/run_model_pc" "$source/examples/downstream/run_model.c" \
  $(pkg-config --cflags --libs goe-runtime) -Wl,-rpath,"$prefix/lib"
"$work/run_model_pc" "$work/model.goe" > "$work/run_shared.txt"
readelf -d "$work/run_model_pc" | grep -q "NEEDED.*libgoe_runtime.so" ||
  fail "the pkg-config build does not link the shared runtime"
cmp "$work/run_static.txt" "$work/run_shared.txt" || fail "shared and static runtimes differ"

step "installed tools"
"$prefix/bin/goe-run" "$work/model.goe" --random-input 4 > "$work/goe-run.txt"
grep -q "path" "$work/goe-run.txt" || fail "goe-run printed no path counts"

if [ -n "$python" ] && [ -d "$prefix/lib/python3/dist-packages/goe" ]; then
  step "installed Python package"
  PYTHONPATH=$prefix/lib/python3/dist-packages "$python" - "$prefix" "$spec" <<'PY'
import os, sys
import numpy as np
import goe
prefix, spec = sys.argv[1], sys.argv[2]
assert goe.__file__.startswith(prefix), goe.__file__
data = goe.compile(spec, vars={"p": 2}, seed=1)
model = goe.load(data)
result = model.run({"image": np.zeros((3, 1, 28, 28), np.float32),
                    "group": np.array([0, 1, 1])})
assert result["logits"].shape == (3, 10)
assert result.path_counts == [[1, 2, 0, 0]], result.path_counts
print("goe", goe.__file__, "paths", [p["macs"] for p in goe.paths(spec, vars={"p": 2})])
PY
fi
echo "install check passed"
