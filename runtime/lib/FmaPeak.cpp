//===- FmaPeak.cpp - this core's measured f32 FMA peak --------------------===//
//
// Twelve independent accumulators: enough to cover an FMA's latency (4-5
// cycles) times the FMA ports (2) of current x86 cores, few enough to stay
// in 16 registers with the two operands. The multiplier is just below 1 and
// the addend small, so the values stay finite and normal for any iteration
// count; the sum is returned so that no FMA is dead code. Each ISA's loop is
// compiled for that ISA alone (a target attribute) and only called when
// cpuHasFeature says the CPU and OS support it. Timed in thread CPU time,
// as profiles are, so that other processes' load does not lower it.
//
//===----------------------------------------------------------------------===//

#include "goe/Runtime/FmaPeak.h"
#include "goe/Runtime/CpuFeatures.h"
#include "goe/Runtime/Profile.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace goe::runtime {
namespace {

constexpr int kAccumulators = 12;

#define GOE_FMA_LOOP(VEC, SET1, STEP, STORE, LANES)                            \
  VEC acc[kAccumulators];                                                      \
  for (int j = 0; j < kAccumulators; ++j)                                      \
    acc[j] = SET1(0.001f * static_cast<float>(j));                             \
  VEC a = SET1(0.999999f), b = SET1(1e-7f);                                    \
  for (int64_t i = 0; i < iterations; ++i)                                     \
    for (int j = 0; j < kAccumulators; ++j)                                    \
      acc[j] = STEP(acc[j], a, b);                                             \
  float sum = 0, lanes[LANES];                                                 \
  for (int j = 0; j < kAccumulators; ++j) {                                    \
    STORE(lanes, acc[j]);                                                      \
    for (float x : lanes)                                                      \
      sum += x;                                                                \
  }                                                                            \
  return sum;

__attribute__((target("avx512f"))) float loopAvx512(int64_t iterations) {
#define STEP(x, a, b) _mm512_fmadd_ps(x, a, b)
  GOE_FMA_LOOP(__m512, _mm512_set1_ps, STEP, _mm512_storeu_ps, 16)
#undef STEP
}

__attribute__((target("avx2,fma"))) float loopAvx2(int64_t iterations) {
#define STEP(x, a, b) _mm256_fmadd_ps(x, a, b)
  GOE_FMA_LOOP(__m256, _mm256_set1_ps, STEP, _mm256_storeu_ps, 8)
#undef STEP
}

/// Without FMA a multiply-accumulate is a multiply and an add.
float loopSse(int64_t iterations) {
#define STEP(x, a, b) _mm_add_ps(_mm_mul_ps(x, a), b)
  GOE_FMA_LOOP(__m128, _mm_set1_ps, STEP, _mm_storeu_ps, 4)
#undef STEP
}

#undef GOE_FMA_LOOP

} // namespace

FmaPeak measureFmaPeak(double seconds) {
  FmaPeak peak;
  float (*loop)(int64_t) = loopSse;
  peak.isa = "sse2";
  peak.lanes = 4;
  if (cpuHasFeature("avx512f")) {
    loop = loopAvx512;
    peak.isa = "avx512f";
    peak.lanes = 16;
  } else if (cpuHasFeature("avx2") && cpuHasFeature("fma")) {
    loop = loopAvx2;
    peak.isa = "avx2+fma";
    peak.lanes = 8;
  }
  // Calibrate to ~10 ms a repetition, then keep the best repetition.
  volatile float sink = 0;
  int64_t iterations = 1 << 14;
  double best = 0, spent = 0;
  while (spent < seconds || best == 0) {
    double start = threadCpuSeconds();
    sink = sink + loop(iterations);
    double elapsed = threadCpuSeconds() - start;
    spent += elapsed;
    if (elapsed < 0.01) {
      iterations *= 2;
      continue;
    }
    double macs = static_cast<double>(iterations) * kAccumulators * peak.lanes;
    best = std::max(best, macs / elapsed * 1e-9);
  }
  peak.gmacPerSecond = best;
  return peak;
}

} // namespace goe::runtime
