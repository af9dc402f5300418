//===- SpecBenchOptions.h - goe-bench SPEC's command line -------*- C++ -*-===//

#ifndef GOE_TOOLS_GOE_BENCH_SPECBENCHOPTIONS_H
#define GOE_TOOLS_GOE_BENCH_SPECBENCHOPTIONS_H

#include "goe/Frontends/Spec/SpecReader.h"

#include <cstdint>
#include <string>
#include <vector>

namespace goe::bench {

/// What goe-bench SPEC was asked to run (SpecBench.cpp lists the flags).
struct Options {
  std::string spec;
  goe::spec::VarOverrides vars;
  std::string combine;
  int64_t labels = 0;
  std::vector<int64_t> batches = {1, 8};
  std::vector<int> threads; // default: 1 and the hardware threads
  bool quick = false;
  bool separateProcesses = true;
  /// In a child process: the side it times ("goe" or "torch"), the file it
  /// writes its aggregates to and the artifact the parent compiled. Empty
  /// in the parent.
  std::string side, resultsFile, artifact;
  /// argv[1] onwards without --processes: what each child is started with.
  std::vector<std::string> childArgs;
};

/// Parses goe-bench SPEC's own flags (argv[1] is the spec); the rest
/// (argv[0] and --benchmark_*) stays in `rest` for Google Benchmark. Exits
/// with a message on a bad flag.
Options parseSpecBenchOptions(int argc, char **argv, std::vector<char *> &rest);

/// Prints "goe-bench: error: MESSAGE" and exits with status 1.
[[noreturn]] void failSpecBench(const std::string &message);

} // namespace goe::bench

#endif // GOE_TOOLS_GOE_BENCH_SPECBENCHOPTIONS_H
