# The two entry points of README's Quick start. Each installs what is missing,
# configures and builds first, so either works on a fresh Debian machine.
# `sanitize` and `fuzz-ci` are CI's further jobs (.ci/run); `fuzz` is the
# long local fuzzing run (README, "Tests").
BUILD ?= build
JOBS  ?= $(shell nproc)
# The sanitizer builds (clang-19), each in its own directory: ASan + UBSan
# (which also holds the libFuzzer targets) and TSan.
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_SECONDS    ?= 600
FUZZ_CI_SECONDS ?= 30
FUZZ_PARALLEL   ?= 1

.PHONY: all deps configure build test demo clean sanitize sanitize-asan \
        sanitize-tsan fuzz fuzz-build fuzz-ci

all: build

deps:
	bash scripts/install-deps.sh
	bash scripts/fetch-mnist.sh data/mnist

$(BUILD)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	bash scripts/demo.sh $(BUILD)

# Runtime, frontend, data and weights tests with ASan + UBSan, the
# concurrency and serving tests with TSan (scripts/sanitize.sh says which).
sanitize: sanitize-asan sanitize-tsan

sanitize-asan: build
	GOE_COMPILE_FOR_TESTS=$(BUILD)/bin/goe-compile JOBS=$(JOBS) \
	  bash scripts/sanitize.sh asan $(ASAN_BUILD)

sanitize-tsan: build
	GOE_COMPILE_FOR_TESTS=$(BUILD)/bin/goe-compile JOBS=$(JOBS) \
	  bash scripts/sanitize.sh tsan $(TSAN_BUILD)

fuzz-build: build
	GOE_COMPILE_FOR_TESTS=$(BUILD)/bin/goe-compile JOBS=$(JOBS) \
	  bash scripts/sanitize.sh fuzz-build $(ASAN_BUILD)

# Every fuzz target for FUZZ_SECONDS each (tests/fuzz/run.sh); fails on a crash.
fuzz: fuzz-build
	FUZZ_PARALLEL=$(FUZZ_PARALLEL) bash tests/fuzz/run.sh $(ASAN_BUILD) $(FUZZ_SECONDS)

# CI's bounded run: every target for FUZZ_CI_SECONDS, two at a time.
fuzz-ci: fuzz-build
	FUZZ_PARALLEL=2 bash tests/fuzz/run.sh $(ASAN_BUILD) $(FUZZ_CI_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
