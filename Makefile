# The two entry points of README's Quick start. Each installs what is missing,
# configures and builds first, so either works on a fresh Debian machine.
BUILD ?= build
JOBS  ?= $(shell nproc)

.PHONY: all deps configure build test demo clean

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

clean:
	rm -rf $(BUILD)
