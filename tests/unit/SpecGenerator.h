//===- SpecGenerator.h - large generated specs for scaling checks -*- C++ -*-===//
//
// Specs too large to keep as files: `modules` modules, each used by one
// graph node of a chain, so that the reader's module and node lookups and
// the planner's name table all grow with the size. The unit tests read them
// for correctness; tests/bench/SpecReadBench.cpp times them.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TESTS_UNIT_SPECGENERATOR_H
#define GOE_TESTS_UNIT_SPECGENERATOR_H

#include <string>

namespace goe::test {

/// A spec with modules m0..m<n-1> (one relu each, reading a [1, 2, 2]
/// image) and a graph chain n0..n<n-1>, node i running module i on node
/// i-1; the output is the last node. `extra` is appended to the modules
/// section (one line per module, indented by two spaces), so a test can add
/// a duplicate at the very end.
inline std::string chainSpec(int n, const std::string &extra = "") {
  std::string text = "goe: 1\nname: chain\ninputs:\n  image: [1, 2, 2]\n"
                     "modules:\n";
  for (int i = 0; i < n; ++i)
    text += "  m" + std::to_string(i) + ": {layers: [{op: relu}]}\n";
  text += extra;
  text += "graph:\n";
  for (int i = 0; i < n; ++i)
    text += "  - {name: n" + std::to_string(i) + ", module: m" +
            std::to_string(i) + ", from: " +
            (i ? "n" + std::to_string(i - 1) : std::string("image")) + "}\n";
  text += "outputs: [n" + std::to_string(n - 1) + "]\n";
  return text;
}

} // namespace goe::test

#endif // GOE_TESTS_UNIT_SPECGENERATOR_H
