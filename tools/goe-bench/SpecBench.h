//===- SpecBench.h - goe-bench SPEC: any spec against LibTorch --*- C++ -*-===//

#ifndef GOE_TOOLS_GOE_BENCH_SPECBENCH_H
#define GOE_TOOLS_GOE_BENCH_SPECBENCH_H

namespace goe::bench {

/// `goe-bench SPEC [options] [--benchmark_* flags]` (SpecBench.cpp); argv[1]
/// is the spec. Returns the exit status.
int specBenchMain(int argc, char **argv);

} // namespace goe::bench

#endif // GOE_TOOLS_GOE_BENCH_SPECBENCH_H
