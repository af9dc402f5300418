//===- Purity.h - agreement of routing with the true groups ------*- C++ -*-===//
//
// Routing purity: the fraction of inputs whose path is the one matched to
// their true group, under the one-to-one matching of paths to groups that
// makes this fraction largest. An unsupervised router's paths carry no
// names, so path 2 may well be "rotated by 90 degrees": the matching is
// what gives paths their meaning. Found exactly by dynamic programming over
// subsets of groups (paths x 2^groups states).
//
// Thread safety: pure functions.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_ROUTER_PURITY_H
#define GOE_ROUTER_PURITY_H

#include <cstdint>
#include <string>
#include <vector>

namespace goe::router {

struct PurityResult {
  double purity = 0;      // matched / inputs (0 for no inputs)
  int64_t matched = 0;    // inputs on the path matched to their group
  int64_t inputs = 0;
  /// groupOfPath[p]: the group matched to path p, -1 if none.
  std::vector<int64_t> groupOfPath;
  /// counts[p * groups + g]: inputs of group g on path p.
  std::vector<int64_t> counts;
};

/// `paths[i]` in [0, numPaths), `groups[i]` in [0, numGroups), numGroups at
/// most 20. Returns false (with `error`) for mismatched sizes or values out
/// of range.
bool routingPurity(const std::vector<int64_t> &paths,
                   const std::vector<int64_t> &groups, int64_t numPaths,
                   int64_t numGroups, PurityResult &result,
                   std::string *error = nullptr);

} // namespace goe::router

#endif // GOE_ROUTER_PURITY_H
