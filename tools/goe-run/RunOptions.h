//===- RunOptions.h - goe-run's command line --------------------*- C++ -*-===//

#ifndef GOE_TOOLS_GOE_RUN_RUNOPTIONS_H
#define GOE_TOOLS_GOE_RUN_RUNOPTIONS_H

#include "goe/Runtime/Session.h"
#include "goe/Runtime/Status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace goe::tools {

/// goe-run's --help text.
extern const char *kRunUsage;

/// What goe-run was asked to do (kRunUsage lists the flags).
struct Options {
  std::string model;
  std::vector<std::string> inputs; // "[NAME=]FILE" as given
  std::optional<int64_t> randomSamples;
  runtime::Device device = runtime::Device::Cpu;
  std::string cudaDriver = "libcuda.so.1";
  std::optional<uint64_t> seed;
  std::string output;
  std::string outputDir;
  std::string labels;
  std::string weights;
  std::optional<int64_t> batch;
  std::optional<int64_t> threads;
  bool profile = false;
  bool help = false;
};

/// Parses argv into `options`; InvalidArgument names the flag and the
/// problem. --help sets options.help and stops.
runtime::Status parseRunArgs(int argc, char **argv, Options &options);

} // namespace goe::tools

#endif // GOE_TOOLS_GOE_RUN_RUNOPTIONS_H
