//===- BenchReport.cpp - the machine and LibTorch lines -------------------===//

#include "BenchReport.h"

#include "goe/Runtime/FmaPeak.h"

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <thread>

namespace rt = goe::runtime;

double goe::bench::printMachine(int torchDefaultThreads,
                                const std::vector<int> &torchThreads) {
  rt::FmaPeak peak = rt::measureFmaPeak();
  std::printf("FMA peak: %.1f GMAC/s on one core (%s, %d f32 lanes; "
              "FmaPeak.h microkernel)\n",
              peak.gmacPerSecond, peak.isa.c_str(), peak.lanes);
  std::string counts;
  for (int t : torchThreads)
    counts += (counts.empty() ? "" : ", ") + std::to_string(t);
  std::printf("LibTorch %s: default intra-op threads %d, hardware threads %u "
              "(LibTorch runs below use %s), MKL %s, oneDNN (MKLDNN) %s, "
              "OpenMP %s\n",
              TORCH_VERSION, torchDefaultThreads,
              std::thread::hardware_concurrency(), counts.c_str(),
              at::globalContext().hasMKL() ? "yes" : "no",
              at::globalContext().hasMKLDNN() ? "yes" : "no",
              at::globalContext().hasOpenMP() ? "yes" : "no");
  // The BLAS line(s) of LibTorch's build configuration.
  std::string config = torch::show_config();
  size_t start = 0;
  while (start < config.size()) {
    size_t end = config.find('\n', start);
    if (end == std::string::npos)
      end = config.size();
    std::string line = config.substr(start, end - start);
    line = line.substr(std::min(line.find_first_not_of(" -"), line.size()));
    start = end + 1;
    if (line.rfind("Build settings:", 0) == 0) {
      // One long line of KEY=VALUE, ...: only the BLAS-related keys.
      std::string keys;
      for (const char *key : {"BLAS_INFO=", "LAPACK_INFO=", "USE_MKLDNN=",
                              "USE_OPENMP="}) {
        size_t at = line.find(key);
        if (at != std::string::npos)
          keys += (keys.empty() ? "" : ", ") +
                  line.substr(at, line.find(',', at) - at);
      }
      std::printf("  torch config: %s\n", keys.c_str());
    } else if (line.find("BLAS") != std::string::npos ||
               line.find("LAPACK") != std::string::npos ||
               line.find("MKL") != std::string::npos ||
               line.find("CPU capability") != std::string::npos) {
      std::printf("  torch config: %s\n", line.c_str());
    }
  }
  // Debian's BLAS alternative, which a LibTorch built with BLAS=Generic (or
  // OpenBLAS through libblas.so.3) calls.
  for (const char *link : {"/etc/alternatives/libblas.so.3",
                           "/etc/alternatives/libblas.so.3-x86_64-linux-gnu"}) {
    std::error_code error;
    std::filesystem::path target = std::filesystem::canonical(link, error);
    if (!error)
      std::printf("  %s -> %s\n", link, target.c_str());
  }
  std::fflush(stdout);
  return peak.gmacPerSecond;
}
