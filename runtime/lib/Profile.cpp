//===- Profile.cpp - where a model's run time goes ------------------------===//

#include "goe/Runtime/Profile.h"

#include <time.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace goe::runtime {

double threadCpuSeconds() {
  timespec now;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) != 0)
    return 0;
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

namespace {

template <typename... Args>
std::string format(const char *pattern, Args... args) {
  char buffer[512];
  std::snprintf(buffer, sizeof(buffer), pattern, args...);
  return buffer;
}

double totalSeconds(const std::map<std::string, ProfileEntry> &table) {
  double seconds = 0;
  for (const auto &[name, entry] : table)
    seconds += entry.seconds;
  return seconds;
}

} // namespace

std::map<std::string, ProfileEntry> &Profile::table(Kind kind) {
  return kind == Kind::Kernel        ? kernels_
         : kind == Kind::Path        ? paths_
         : kind == Kind::Convolution ? convolutions_
                                     : runtime_;
}
const std::map<std::string, ProfileEntry> &Profile::table(Kind kind) const {
  return kind == Kind::Kernel        ? kernels_
         : kind == Kind::Path        ? paths_
         : kind == Kind::Convolution ? convolutions_
                                     : runtime_;
}

void Profile::record(Kind kind, const std::string &name, uint64_t samples,
                     double seconds, int64_t macsPerSample) {
  std::lock_guard<std::mutex> lock(mutex_);
  ProfileEntry &entry = table(kind)[name];
  entry.name = name;
  ++entry.calls;
  entry.samples += samples;
  entry.seconds += seconds;
  entry.macs += static_cast<double>(macsPerSample) * static_cast<double>(samples);
}

void Profile::recordRun(int64_t batch, double wallSeconds, int threads) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++runs_;
  samples_ += static_cast<uint64_t>(batch);
  wallSeconds_ += wallSeconds;
  threads_ = threads;
}

std::vector<ProfileEntry> Profile::entries(Kind kind) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<ProfileEntry> out;
  for (const auto &[name, entry] : table(kind))
    out.push_back(entry);
  std::stable_sort(out.begin(), out.end(),
                   [](const ProfileEntry &a, const ProfileEntry &b) {
                     return a.seconds > b.seconds;
                   });
  return out;
}

uint64_t Profile::runs() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return runs_;
}
uint64_t Profile::samples() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return samples_;
}
double Profile::wallSeconds() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return wallSeconds_;
}
double Profile::busySeconds() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return totalSeconds(kernels_) + totalSeconds(runtime_);
}

void Profile::reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  kernels_.clear();
  paths_.clear();
  convolutions_.clear();
  runtime_.clear();
  runs_ = samples_ = 0;
  wallSeconds_ = 0;
  threads_ = 0;
}

std::string Profile::report(double peakGmacPerSecond) const {
  double busy = busySeconds();
  std::string out;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    out += format("profile: %" PRIu64 " run%s, %" PRIu64
                  " samples, %.6f s wall (%.2f samples/s), %d thread%s, "
                  "%.6f s busy\n",
                  runs_, runs_ == 1 ? "" : "s", samples_, wallSeconds_,
                  wallSeconds_ > 0 ? samples_ / wallSeconds_ : 0.0, threads_,
                  threads_ == 1 ? "" : "s", busy);
  }
  if (peakGmacPerSecond > 0)
    out += format("%% peak: of %.1f GMAC/s, one core's f32 FMA peak; times "
                  "are busy seconds (thread CPU time, summed over threads), "
                  "shares of the busy time\n",
                  peakGmacPerSecond);
  else
    out += "times are busy seconds (thread CPU time, summed over threads), "
           "shares of the busy time\n";

  auto section = [&](Kind kind, const char *title, bool withMacs,
                     const char *totalName = nullptr) {
    std::vector<ProfileEntry> rows = entries(kind);
    if (rows.empty())
      return;
    if (totalName) {
      ProfileEntry total;
      total.name = totalName;
      for (const ProfileEntry &row : rows) {
        total.calls += row.calls;
        total.samples += row.samples;
        total.seconds += row.seconds;
        total.macs += row.macs;
      }
      rows.push_back(total);
    }
    out += format("\n%s, longest first\n", title);
    out += format("  %10s %7s %7s %8s", "time s", "share", "calls", "samples");
    if (withMacs)
      out += format(" %10s %8s%s", "GMAC", "GMAC/s",
                    peakGmacPerSecond > 0 ? "  % peak" : "");
    out += "  name\n";
    for (const ProfileEntry &row : rows) {
      out += format("  %10.6f %6.1f%% %7" PRIu64 " %8" PRIu64, row.seconds,
                    busy > 0 ? 100.0 * row.seconds / busy : 0.0, row.calls,
                    row.samples);
      if (withMacs) {
        out += format(" %10.3f %8.2f", row.macs * 1e-9, row.gmacPerSecond());
        if (peakGmacPerSecond > 0)
          out += format(" %6.1f%%",
                        100.0 * row.gmacPerSecond() / peakGmacPerSecond);
      }
      out += "  " + row.name + "\n";
    }
  };
  section(Kind::Kernel, "kernels (compiled functions)", true);
  section(Kind::Path, "paths (each path's kernels on the group routed to it)",
          true);
  section(Kind::Convolution,
          "convolutions in the conv microkernel, by kernel (their part of "
          "its time; calls are the kernel's)",
          true, "all of them");
  section(Kind::Runtime, "runtime work between kernels", false);
  return out;
}

} // namespace goe::runtime
