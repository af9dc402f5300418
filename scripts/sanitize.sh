#!/usr/bin/env bash
# goe's sanitizer jobs (make sanitize, make fuzz): clang-19 builds of the
# LibTorch-free code, each in its own build directory, with ccache.
#
#   scripts/sanitize.sh asan BUILD_DIR        build and run the ASan+UBSan tests
#   scripts/sanitize.sh tsan BUILD_DIR        build and run the TSan tests
#   scripts/sanitize.sh fuzz-build BUILD_DIR  build the fuzz targets (ASan+UBSan)
#
# ASan + UBSan (BUILD_DIR is also the fuzz build: the same instrumented
# libraries, with libFuzzer's coverage, serve both) runs whole test binaries:
#   goe-unit-tests     the spec frontend: reader, shapes, layer ops, dialect, plan
#   goe-runtime-tests  the runtime: artifacts, loading, sessions, routers,
#                      combines, concurrency, C API, .npy, file I/O
#   goe-router-tests   the routing math (and Faiss k-means)
#   goe-data-tests     datasets, detection sets, COCO evaluation
#   goe-weights-tests  weight transforms and binding, compiled weights
#   goe-serve-tests    goe-serve driven over loopback
#   the fuzz targets' saved regressions (tests/fuzz/regressions)
# and lit's spec-errors/ (goe-compile on every malformed spec).
# TSan runs the tests that run threads:
#   goe-runtime-tests  Concurrency.*, Session*.*, CApi*.*
#   goe-serve-tests    all (the batcher's thread, concurrent requests)
# Left out: everything that links LibTorch (torch, parity, TorchScript
# import, goe-train, goe-bench: LibTorch is built with gcc and is not
# instrumented) and the CUDA tests (no GPU in CI), the Python tests (the
# interpreter would need the ASan runtime preloaded).
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 asan|tsan|fuzz-build BUILD_DIR" >&2
  exit 2
fi
mode=$1
build=$2
src=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-$(nproc)}
# Sanitizer builds miss the gcc build's ccache entries anyway; their own
# cache keeps them from evicting the normal build's.
export CCACHE_DIR=${GOE_SANITIZE_CCACHE_DIR:-${CCACHE_DIR:-$HOME/.cache/ccache}-sanitize}

case $mode in
  asan | fuzz-build) sanitizers="address;undefined"; fuzz=ON ;;
  tsan) sanitizers="thread"; fuzz=OFF ;;
  *) echo "$0: unknown mode '$mode'" >&2; exit 2 ;;
esac

# The tests that make artifacts call the normal build's goe-compile
# (GOE_COMPILE_FOR_TESTS): TSan then needs no third build of the compiler,
# and a compiler run's exit is not checked for leaks. The sanitized
# goe-compile is checked on its own, by lit's spec-errors (asan).
compiler=${GOE_COMPILE_FOR_TESTS:-$src/build/bin/goe-compile}
[ -x "$compiler" ] || { echo "$0: needs a built goe-compile at $compiler (make build)" >&2; exit 2; }
extra=(-DGOE_TEST_GOE_COMPILE="$(cd "$(dirname "$compiler")" && pwd)/$(basename "$compiler")")
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
  -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DGOE_SANITIZE="$sanitizers" -DGOE_FUZZ=$fuzz "${extra[@]}" >/dev/null

asan_tests=(bin/goe-unit-tests bin/goe-runtime-tests
            bin/goe-router-tests bin/goe-data-tests
            bin/goe-weights-tests bin/goe-serve-tests)
tsan_tests=(bin/goe-runtime-tests bin/goe-serve-tests)

build_targets() {
  local targets=()
  for t in "$@"; do
    # goe-serve-tests only exists where cpp-httplib is.
    if ninja -C "$build" -t query "$t" >/dev/null 2>&1; then targets+=("$t"); fi
  done
  local start=$SECONDS
  cmake --build "$build" -j "$jobs" --target "${targets[@]}"
  echo "sanitize: built ${targets[*]} in $((SECONDS - start)) s"
}

failed=()
run() { # run NAME COMMAND...
  local name=$1; shift
  local start=$SECONDS
  if "$@" >"$build/sanitize-$name.log" 2>&1; then
    echo "sanitize: $name passed ($((SECONDS - start)) s)"
  else
    echo "sanitize: $name FAILED ($((SECONDS - start)) s); log: $build/sanitize-$name.log"
    grep -E 'ERROR: (Address|Leak|Thread)Sanitizer|WARNING: ThreadSanitizer|runtime error|^SUMMARY|\[  FAILED  \]' \
      "$build/sanitize-$name.log" | head -20 | sed 's/^/    /'
    failed+=("$name")
  fi
}

case $mode in
  fuzz-build)
    build_targets goe-fuzz
    exit 0
    ;;
  asan)
    build_targets goe-fuzz goe-compile goe-opt goe-run \
      $(for t in "${asan_tests[@]}"; do basename "$t"; done) \
      $(cd "$src/tests/fuzz/regressions" 2>/dev/null &&
        for d in */; do [ -n "$(ls -A "$d")" ] && echo "goe-fuzz-replay-${d%/}"; done)
    export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    # LLVM and MLIR keep their registries in globals for the whole process.
    export LSAN_OPTIONS=suppressions=$src/tests/fuzz/lsan.supp:print_suppressions=0
    for t in "${asan_tests[@]}"; do
      if [ -x "$build/$t" ]; then run "asan-$(basename "$t")" "$build/$t"; fi
    done
    for replay in "$build"/bin/goe-fuzz-replay-*; do
      [ -x "$replay" ] || continue
      name=${replay##*/goe-fuzz-replay-}
      run "asan-fuzz-regressions-$name" "$replay" "$src/tests/fuzz/regressions/$name"
    done
    # goe-compile exits right after its one compile: what it still holds
    # then is not a leak worth failing a spec-errors test on.
    ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 \
      run asan-lit-spec-errors python3 /usr/lib/llvm-19/build/utils/lit/lit.py -q \
      "$build/tests/spec-errors"
    ;;
  tsan)
    build_targets $(for t in "${tsan_tests[@]}"; do basename "$t"; done)
    export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
    run tsan-goe-runtime-tests "$build/bin/goe-runtime-tests" \
      --gtest_filter='Concurrency*:Session*:CApi*'
    if [ -x "$build/bin/goe-serve-tests" ]; then
      run tsan-goe-serve-tests "$build/bin/goe-serve-tests"
    fi
    ;;
esac

if [ ${#failed[@]} -gt 0 ]; then
  echo "sanitize: ${#failed[@]} failed: ${failed[*]}"
  exit 1
fi
echo "sanitize: $mode: all passed"
