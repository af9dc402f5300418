//===- FmaPeak.h - this core's measured f32 FMA peak ------------*- C++ -*-===//
//
// The yardstick of a kernel's speed: how many f32 multiply-accumulates one
// core completes per second when it does nothing else, measured by a
// microkernel of independent fused multiply-adds in registers (no memory
// traffic) on the widest vector ISA the CPU and OS support: AVX-512 if
// present, else AVX2 + FMA, else SSE (multiply, add). Profiles give each
// kernel's GMAC/s as a percentage of it; goe-bench prints it.
//
// Thread safety: reentrant; measure with the machine otherwise idle.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_FMAPEAK_H
#define GOE_RUNTIME_FMAPEAK_H

#include <string>

namespace goe::runtime {

struct FmaPeak {
  std::string isa;            // "avx512f", "avx2+fma" or "sse2"
  int lanes = 0;              // f32 lanes per vector
  double gmacPerSecond = 0;   // one core, the best of the repetitions
};

/// Runs the microkernel on the calling thread for about `seconds` of its
/// CPU time in all (the best of several repetitions counts).
FmaPeak measureFmaPeak(double seconds = 0.3);

} // namespace goe::runtime

#endif // GOE_RUNTIME_FMAPEAK_H
