//===- SideProcess.h - goe-bench SPEC's sides in processes ------*- C++ -*-===//
//
// goe and LibTorch each start their own worker threads: goe a thread pool,
// LibTorch an OpenMP team whose threads spin-wait after every parallel
// region. Timed in one process, LibTorch's spinning threads take a core from
// goe's second thread, and the pass that runs under OMP_WAIT_POLICY=passive
// slows LibTorch instead. So goe-bench SPEC times each side in a child
// process of its own (`--side goe|torch`), which writes the aggregates it
// measured to a file that the parent reads back for the summary.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TOOLS_GOE_BENCH_SIDEPROCESS_H
#define GOE_TOOLS_GOE_BENCH_SIDEPROCESS_H

#include "BenchReport.h"

#include <map>
#include <string>
#include <vector>

namespace goe::bench {

using SideStats = std::map<std::string, SummaryReporter::Stats>;

/// Runs this executable again with `args` (argv[1] onwards) followed by
/// `--side SIDE --results-file F`, with its console output going to ours, and
/// returns what it wrote to F. On failure returns false and sets `error`.
bool runSideProcess(const std::vector<std::string> &args,
                    const std::string &side, SideStats &stats,
                    std::string &error);

/// In the child: writes the reporter's aggregates to `path`, one benchmark
/// per line. Returns false if the file cannot be written.
bool writeSideResults(const std::string &path, const SideStats &stats);


} // namespace goe::bench

#endif // GOE_TOOLS_GOE_BENCH_SIDEPROCESS_H
