//===- CudaTestUtil.h - compiling examples for the CUDA tests ---*- C++ -*-===//

#ifndef GOE_TESTS_CUDA_CUDATESTUTIL_H
#define GOE_TESTS_CUDA_CUDATESTUTIL_H

#include "goe/Runtime/Artifact.h"

#include <ostream>
#include <string>
#include <vector>

namespace goe::cuda_test {

/// An example spec and the goe-compile flags that keep it test-sized.
struct Example {
  std::string name; // test name
  std::string spec; // path under examples/
  std::string flags;
};

/// Test names print as the example's name, not its bytes.
inline void PrintTo(const Example &example, std::ostream *os) {
  *os << example.name;
}

/// Every example graph (YOLO at 64x64: the full 320x320 adds only time).
const std::vector<Example> &allExamples();

/// The ptxas the tests use, or "" when there is none.
std::string ptxasPath();

/// Runs goe-compile on `example` with `target`; returns the artifact path
/// (cached per target for the test binary's lifetime) or "" and `log`.
std::string compileExample(const Example &example, const std::string &target,
                           std::string &log);

/// Runs a shell command; returns its exit status, output in `output`.
int runCommand(const std::string &command, std::string &output);

} // namespace goe::cuda_test

#endif // GOE_TESTS_CUDA_CUDATESTUTIL_H
