//===- MacCount.h - saturating arithmetic for MAC counts --------*- C++ -*-===//
//
// MAC counts of absurd specs can pass int64; they saturate at INT64_MAX
// (printed as "more than 9.2e18") instead of wrapping to nonsense.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_PASSES_MACCOUNT_H
#define GOE_PASSES_MACCOUNT_H

#include <cstdint>

namespace goe {

inline int64_t saturatingAdd(int64_t a, int64_t b) {
  __int128 sum = (__int128)a + b;
  return sum > INT64_MAX ? INT64_MAX : (int64_t)sum;
}

inline int64_t saturatingMul(int64_t a, int64_t b) {
  __int128 product = (__int128)a * b;
  return product > INT64_MAX ? INT64_MAX : (int64_t)product;
}

} // namespace goe

#endif // GOE_PASSES_MACCOUNT_H
