//===- SpecBenchOptions.cpp - goe-bench SPEC's command line ---------------===//

#include "SpecBenchOptions.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <thread>

namespace goe::bench {

void failSpecBench(const std::string &message) {
  std::fprintf(stderr, "goe-bench: error: %s\n", message.c_str());
  std::exit(1);
}

namespace {

std::vector<int64_t> parseList(const std::string &flag,
                               const std::string &text) {
  std::vector<int64_t> values;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    char *end = nullptr;
    long long value = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || value < 1 || value > 4096)
      failSpecBench(flag +
                    " takes a comma-separated list of integers in [1, 4096], "
                    "got '" +
                    text + "'");
    values.push_back(value);
  }
  if (values.empty())
    failSpecBench(flag + " needs at least one integer");
  return values;
}

} // namespace

Options parseSpecBenchOptions(int argc, char **argv,
                              std::vector<char *> &rest) {
  Options o;
  o.spec = argv[1];
  o.childArgs.push_back(argv[1]);
  rest.push_back(argv[0]);
  auto value = [&](int &i) -> std::string {
    if (i + 1 >= argc)
      failSpecBench(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    int first = i;
    if (arg == "--processes") {
      std::string mode = value(i);
      if (mode != "separate" && mode != "shared")
        failSpecBench("--processes takes 'separate' or 'shared', got '" + mode +
                      "'");
      o.separateProcesses = mode == "separate";
      continue;
    }
    if (arg == "--side") {
      o.side = value(i);
      if (o.side != "goe" && o.side != "torch")
        failSpecBench("--side takes 'goe' or 'torch', got '" + o.side + "'");
    } else if (arg == "--results-file") {
      o.resultsFile = value(i);
    } else if (arg == "--artifact") {
      o.artifact = value(i);
    } else if (arg == "--var") {
      std::string v = value(i);
      size_t eq = v.find('=');
      char *end = nullptr;
      long long n = eq == std::string::npos
                        ? 0
                        : std::strtoll(v.c_str() + eq + 1, &end, 10);
      if (eq == std::string::npos || eq == 0 || !end || *end != '\0' ||
          eq + 1 == v.size())
        failSpecBench("--var takes NAME=INT, got '" + v + "'");
      o.vars[v.substr(0, eq)] = n;
    } else if (arg == "--combine") {
      o.combine = value(i);
    } else if (arg == "--labels") {
      std::vector<int64_t> labels = parseList(arg, value(i));
      if (labels.size() != 1)
        failSpecBench("--labels takes one integer, the number of labels");
      o.labels = labels.front();
    } else if (arg == "--batches") {
      o.batches = parseList(arg, value(i));
    } else if (arg == "--threads") {
      o.threads.clear(); // the last --threads counts, as --batches
      for (int64_t t : parseList(arg, value(i)))
        o.threads.push_back(static_cast<int>(t));
    } else if (arg == "--quick") {
      o.quick = true;
    } else if (arg.rfind("--benchmark_", 0) == 0) {
      rest.push_back(argv[i]);
    } else {
      failSpecBench("unknown option '" + arg +
                    "' (goe-bench SPEC takes --var, "
                    "--combine, --labels, --batches, --threads, --quick, "
                    "--processes and --benchmark_* flags)");
    }
    if (arg != "--side" && arg != "--results-file" && arg != "--artifact")
      o.childArgs.insert(o.childArgs.end(), argv + first, argv + i + 1);
  }
  // Each child would write the file anew, leaving the last one's.
  for (const char *flag : rest)
    if (std::string(flag).rfind("--benchmark_out", 0) == 0 &&
        o.separateProcesses && o.side.empty())
      failSpecBench(std::string(flag) +
                    " needs --processes shared (with separate processes "
                    "each child would overwrite the file)");
  if (o.side.empty() != o.resultsFile.empty() ||
      o.side.empty() != o.artifact.empty())
    failSpecBench("--side, --results-file and --artifact (goe-bench's own "
                  "child processes) go together");
  if (o.threads.empty()) {
    o.threads.push_back(1);
    int hardware = static_cast<int>(std::thread::hardware_concurrency());
    if (hardware > 1)
      o.threads.push_back(hardware);
  }
  return o;
}

} // namespace goe::bench
