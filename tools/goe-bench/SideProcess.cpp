//===- SideProcess.cpp - one side of goe-bench SPEC in its own process ----===//
//
// The results file has one line per benchmark:
//   NAME ERROR CPU_SECONDS_PER_ITERATION AGGREGATE=VALUE...
// with names and aggregate names free of spaces (goe-bench makes both).
//
//===----------------------------------------------------------------------===//

#include "SideProcess.h"

#include "goe/Runtime/TempFile.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace goe::bench {

bool writeSideResults(const std::string &path, const SideStats &stats) {
  std::ofstream out(path, std::ios::trunc);
  out.precision(17);
  for (const auto &[name, s] : stats) {
    out << name << ' ' << (s.error ? 1 : 0) << ' ' << s.cpuSecondsPerIteration;
    for (const auto &[aggregate, value] : s.byAggregate)
      out << ' ' << aggregate << '=' << value;
    out << '\n';
  }
  out.flush();
  return static_cast<bool>(out);
}

namespace {

bool readSideResults(const std::string &path, SideStats &stats,
                     std::string &error) {
  std::ifstream in(path);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::istringstream fields(line);
    std::string name, pair;
    int failed = 0;
    SummaryReporter::Stats s;
    if (!(fields >> name >> failed >> s.cpuSecondsPerIteration)) {
      error = path + ":" + std::to_string(number) + ": malformed line";
      return false;
    }
    s.error = failed != 0;
    while (fields >> pair) {
      size_t eq = pair.find('=');
      char *end = nullptr;
      double value = eq == std::string::npos
                         ? 0
                         : std::strtod(pair.c_str() + eq + 1, &end);
      if (eq == std::string::npos || !end || *end != '\0') {
        error =
            path + ":" + std::to_string(number) + ": malformed '" + pair + "'";
        return false;
      }
      s.byAggregate[pair.substr(0, eq)] = value;
    }
    stats[name] = s;
  }
  return true;
}

} // namespace

bool runSideProcess(const std::vector<std::string> &args,
                    const std::string &side, SideStats &stats,
                    std::string &error) {
  // Removed on every path, and on SIGINT (installInterruptCleanup).
  goe::runtime::StatusOr<goe::runtime::TempFile> results =
      goe::runtime::TempFile::inTempDir("goe-bench-side");
  if (!results.ok()) {
    error = "cannot create a results file: " + results.status().message();
    return false;
  }
  std::string resultsPath = results->path();

  std::vector<std::string> childArgs = {"goe-bench"};
  childArgs.insert(childArgs.end(), args.begin(), args.end());
  for (const char *extra :
       {"--side", side.c_str(), "--results-file", resultsPath.c_str()})
    childArgs.emplace_back(extra);
  std::vector<char *> argv;
  for (std::string &a : childArgs)
    argv.push_back(a.data());
  argv.push_back(nullptr);

  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = 0;
  int spawned = posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr,
                            argv.data(), environ);
  bool ok = false;
  if (spawned != 0) {
    error = std::string("cannot start the ") + side +
            " side's process: " + std::strerror(spawned);
  } else {
    int status = 0;
    pid_t waited;
    while ((waited = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
    }
    if (waited < 0)
      error = "waiting for the " + side +
              " side's process: " + std::strerror(errno);
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
      ok = readSideResults(resultsPath, stats, error);
    else if (WIFEXITED(status))
      error = "the " + side + " side's process exited with status " +
              std::to_string(WEXITSTATUS(status));
    else
      error = "the " + side + " side's process was killed by signal " +
              std::to_string(WTERMSIG(status));
  }
  return ok;
}

} // namespace goe::bench
