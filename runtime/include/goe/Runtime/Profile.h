//===- Profile.h - where a model's run time goes ----------------*- C++ -*-===//
//
// A Profile collects, over any number of Session::run calls given it in
// RunOptions::profile, how long each compiled function ("kernel") ran, on
// how many samples and how many multiply-accumulates that was (the
// compiler's per-sample count in the artifact, Function.macs); the same
// summed per routed path; and the time of the runtime's own work between
// kernels (routing, gathering a path's group and scattering its results,
// combining, layout changes, copying the inputs). In CPU code with the conv
// microkernel, each kernel's convolutions are timed too (their MACs
// counted as they run), which tells the convolutions' speed from that of
// the work between them.
//
// Times are busy seconds: the CPU time of the threads doing the work
// (threadCpuSeconds), so a kernel call split over several threads counts the
// time of each of its chunks (batch chunks, and the parts of a layer that
// idle threads take at batch 1), GMAC/s is per core and compares with one
// core's FMA peak (FmaPeak.h) at any thread count, and time other processes
// take from this one's cores is not counted. A kernel here is one
// compiled function, the granularity the artifact has (an expert module's
// whole body, not its single layers).
//
// Thread safety: every member may be called from several threads at once
// (concurrent runs may share one profile).
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_PROFILE_H
#define GOE_RUNTIME_PROFILE_H

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace goe::runtime {

struct ProfileEntry {
  /// Kernels: the function; paths: "dispatch step S path P: f, g";
  /// runtime work: "COMBINE wbf (step S)" and the like.
  std::string name;
  uint64_t calls = 0;
  uint64_t samples = 0;
  double seconds = 0; // busy seconds, summed over threads
  double macs = 0;    // multiply-accumulates in all; 0 for runtime work

  /// Giga-MACs per busy second; 0 without time.
  double gmacPerSecond() const {
    return seconds > 0 ? macs / seconds * 1e-9 : 0;
  }
};

/// The calling thread's CPU time in seconds (CLOCK_THREAD_CPUTIME_ID).
double threadCpuSeconds();

class Profile {
public:
  /// Convolution: the part of a kernel's time and MACs spent in the conv
  /// microkernel's calls (CPU code that has one), under the kernel's name.
  enum class Kind { Kernel, Path, Runtime, Convolution };

  /// One call of `name`: `samples` samples in `seconds`, `macsPerSample`
  /// each. Session::run records these; any caller may add its own.
  void record(Kind kind, const std::string &name, uint64_t samples,
              double seconds, int64_t macsPerSample = 0);
  /// One whole run of `batch` samples taking `wallSeconds`.
  void recordRun(int64_t batch, double wallSeconds, int threads);

  /// The entries of `kind`, the longest first (ties by name).
  std::vector<ProfileEntry> entries(Kind kind) const;
  uint64_t runs() const;
  uint64_t samples() const;
  double wallSeconds() const;
  /// Kernel and runtime-work seconds together: what shares are shares of.
  double busySeconds() const;
  void reset();

  /// A table per kind: time, share, GMAC, GMAC/s and, when
  /// `peakGmacPerSecond` (one core's, FmaPeak.h) is positive, % of it.
  std::string report(double peakGmacPerSecond = 0) const;

private:
  std::map<std::string, ProfileEntry> &table(Kind kind);
  const std::map<std::string, ProfileEntry> &table(Kind kind) const;

  mutable std::mutex mutex_;
  std::map<std::string, ProfileEntry> kernels_, paths_, runtime_,
      convolutions_;
  uint64_t runs_ = 0;
  uint64_t samples_ = 0;
  double wallSeconds_ = 0;
  int threads_ = 0;
};

} // namespace goe::runtime

#endif // GOE_RUNTIME_PROFILE_H
