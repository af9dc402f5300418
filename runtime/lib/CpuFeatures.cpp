//===- CpuFeatures.cpp - the CPU features compiled code may need ----------===//
//
// Each feature is one cpuid bit (Intel SDM vol. 2A, CPUID; AMD APM vol. 3,
// appendix E), plus, for features that use the YMM or ZMM registers, the
// operating system's consent through XCR0: a CPU with AVX-512 under an OS
// that does not save ZMM state cannot run AVX-512 code either.
//
//===----------------------------------------------------------------------===//

#include "goe/Runtime/CpuFeatures.h"

#include <cstdint>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace goe::runtime {
namespace {

enum Register { EAX, EBX, ECX, EDX };
/// Register state the OS must save for the feature's instructions.
enum class State { None, Avx, Avx512 };

struct FeatureBit {
  const char *name; // LLVM's name
  uint32_t leaf;
  uint32_t subleaf;
  Register reg;
  int bit;
  State state;
};

constexpr uint32_t kExtended = 0x80000001;

// clang-format off
constexpr FeatureBit kFeatures[] = {
    // x86-64 baseline (x86-64-v1)
    {"64bit",              kExtended, 0, EDX, 29, State::None},
    {"x87",                1, 0, EDX,  0, State::None},
    {"cx8",                1, 0, EDX,  8, State::None},
    {"cmov",               1, 0, EDX, 15, State::None},
    {"mmx",                1, 0, EDX, 23, State::None},
    {"fxsr",               1, 0, EDX, 24, State::None},
    {"sse",                1, 0, EDX, 25, State::None},
    {"sse2",               1, 0, EDX, 26, State::None},
    // x86-64-v2
    {"sse3",               1, 0, ECX,  0, State::None},
    {"ssse3",              1, 0, ECX,  9, State::None},
    {"cx16",               1, 0, ECX, 13, State::None},
    {"sse4.1",             1, 0, ECX, 19, State::None},
    {"sse4.2",             1, 0, ECX, 20, State::None},
    {"crc32",              1, 0, ECX, 20, State::None},
    {"popcnt",             1, 0, ECX, 23, State::None},
    {"sahf",               kExtended, 0, ECX, 0, State::None},
    // x86-64-v3
    {"avx",                1, 0, ECX, 28, State::Avx},
    {"avx2",               7, 0, EBX,  5, State::Avx},
    {"bmi",                7, 0, EBX,  3, State::None},
    {"bmi2",               7, 0, EBX,  8, State::None},
    {"f16c",               1, 0, ECX, 29, State::Avx},
    {"fma",                1, 0, ECX, 12, State::Avx},
    {"lzcnt",              kExtended, 0, ECX, 5, State::None},
    {"movbe",              1, 0, ECX, 22, State::None},
    {"xsave",              1, 0, ECX, 26, State::None},
    // x86-64-v4
    {"avx512f",            7, 0, EBX, 16, State::Avx512},
    {"evex512",            7, 0, EBX, 16, State::Avx512},
    {"avx512bw",           7, 0, EBX, 30, State::Avx512},
    {"avx512cd",           7, 0, EBX, 28, State::Avx512},
    {"avx512dq",           7, 0, EBX, 17, State::Avx512},
    {"avx512vl",           7, 0, EBX, 31, State::Avx512},
    // later vector extensions
    {"avx512ifma",         7, 0, EBX, 21, State::Avx512},
    {"avx512vbmi",         7, 0, ECX,  1, State::Avx512},
    {"avx512vbmi2",        7, 0, ECX,  6, State::Avx512},
    {"avx512vnni",         7, 0, ECX, 11, State::Avx512},
    {"avx512bitalg",       7, 0, ECX, 12, State::Avx512},
    {"avx512vpopcntdq",    7, 0, ECX, 14, State::Avx512},
    {"avx512vp2intersect", 7, 0, EDX,  8, State::Avx512},
    {"avx512fp16",         7, 0, EDX, 23, State::Avx512},
    {"avx512bf16",         7, 1, EAX,  5, State::Avx512},
    {"avxvnni",            7, 1, EAX,  4, State::Avx},
    {"gfni",               7, 0, ECX,  8, State::None},
    {"vpclmulqdq",         7, 0, ECX, 10, State::Avx},
    {"pclmul",             1, 0, ECX,  1, State::None},
    {"adx",                7, 0, EBX, 19, State::None},
    {"prfchw",             kExtended, 0, ECX, 8, State::None},
    // AMD only
    {"sse4a",              kExtended, 0, ECX, 6, State::None},
    {"fma4",               kExtended, 0, ECX, 16, State::Avx},
    {"xop",                kExtended, 0, ECX, 11, State::Avx},
};
// clang-format on

const FeatureBit *find(std::string_view name) {
  for (const FeatureBit &feature : kFeatures)
    if (name == feature.name)
      return &feature;
  return nullptr;
}

#if defined(__x86_64__)
bool cpuidBit(const FeatureBit &feature) {
  unsigned regs[4] = {0, 0, 0, 0};
  // Returns 0 when the leaf is beyond the CPU's highest (basic or extended).
  if (!__get_cpuid_count(feature.leaf, feature.subleaf, &regs[EAX], &regs[EBX],
                         &regs[ECX], &regs[EDX]))
    return false;
  return (regs[feature.reg] >> feature.bit) & 1;
}

/// XCR0, the register state the OS saves on a context switch; 0 without
/// OSXSAVE.
uint64_t savedState() {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !((ecx >> 27) & 1))
    return 0;
  uint32_t low, high;
  __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
  return (uint64_t(high) << 32) | low;
}

bool detect(const FeatureBit &feature) {
  static const uint64_t xcr0 = savedState();
  constexpr uint64_t kAvxState = 0x6;     // SSE and YMM upper halves
  constexpr uint64_t kAvx512State = 0xe6; // plus opmask and ZMM
  if (feature.state == State::Avx && (xcr0 & kAvxState) != kAvxState)
    return false;
  if (feature.state == State::Avx512 &&
      (xcr0 & kAvx512State) != kAvx512State)
    return false;
  return cpuidBit(feature);
}
#else
bool detect(const FeatureBit &) { return false; }
#endif

} // namespace

const std::vector<std::string> &knownCpuFeatures() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const FeatureBit &feature : kFeatures)
      out.push_back(feature.name);
    return out;
  }();
  return names;
}

bool isKnownCpuFeature(std::string_view name) { return find(name) != nullptr; }

bool cpuHasFeature(std::string_view name) {
  static const std::vector<bool> present = [] {
    std::vector<bool> out;
    for (const FeatureBit &feature : kFeatures)
      out.push_back(detect(feature));
    return out;
  }();
  const FeatureBit *feature = find(name);
  return feature && present[feature - kFeatures];
}

std::vector<std::string>
missingCpuFeatures(const std::vector<std::string> &required) {
  std::vector<std::string> missing;
  for (const std::string &name : required)
    if (!cpuHasFeature(name))
      missing.push_back(name);
  return missing;
}

} // namespace goe::runtime
