//===- CpuFeatures.h - the CPU features compiled code may need --*- C++ -*-===//
//
// An artifact's CPU code object records the instruction-set features its
// code was compiled for (artifact.proto, CpuCode.features), so that a
// runtime on an older CPU refuses it at load instead of dying of SIGILL in
// the middle of a batch. Both sides use this list: the compiler records
// only these names, the runtime checks them with cpuid.
//
// The list covers every feature LLVM's x86 code generator may use on its
// own for goe's kernels: the vector ISAs (SSE to AVX-512), FMA, F16C, bit
// manipulation, and the baseline x86-64 ones. Features only intrinsics
// reach (aes, sha, rdrnd, amx...) are neither recorded nor checked.
//
// Thread safety: all functions are reentrant; cpuid runs once.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_CPUFEATURES_H
#define GOE_RUNTIME_CPUFEATURES_H

#include <string>
#include <string_view>
#include <vector>

namespace goe::runtime {

/// Every feature name a CPU code object may require, LLVM's spelling
/// ("avx2", "fma", "avx512f"), in a fixed order.
const std::vector<std::string> &knownCpuFeatures();

/// Whether `name` is in knownCpuFeatures().
bool isKnownCpuFeature(std::string_view name);

/// Whether the CPU running this has feature `name`, and the operating
/// system saves the registers it uses (AVX, AVX-512 state). False for
/// names not in knownCpuFeatures() and on CPUs other than x86-64.
bool cpuHasFeature(std::string_view name);

/// Of `required`, those this CPU lacks, in their order.
std::vector<std::string>
missingCpuFeatures(const std::vector<std::string> &required);

} // namespace goe::runtime

#endif // GOE_RUNTIME_CPUFEATURES_H
