//===- Purity.cpp - agreement of routing with the true groups -----------===//

#include "goe/Router/Purity.h"

#include <algorithm>

namespace goe::router {

bool routingPurity(const std::vector<int64_t> &paths,
                   const std::vector<int64_t> &groups, int64_t numPaths,
                   int64_t numGroups, PurityResult &result,
                   std::string *error) {
  auto fail = [&](const std::string &message) {
    if (error)
      *error = message;
    return false;
  };
  if (paths.size() != groups.size())
    return fail(std::to_string(paths.size()) + " paths for " +
                std::to_string(groups.size()) + " group labels");
  if (numPaths < 1 || numGroups < 1 || numGroups > 20)
    return fail("purity needs 1 or more paths and 1 to 20 groups, given " +
                std::to_string(numPaths) + " and " + std::to_string(numGroups));
  result = PurityResult();
  result.inputs = static_cast<int64_t>(paths.size());
  result.counts.assign(static_cast<size_t>(numPaths * numGroups), 0);
  for (size_t i = 0; i < paths.size(); ++i) {
    if (paths[i] < 0 || paths[i] >= numPaths)
      return fail("input " + std::to_string(i) + " has path " +
                  std::to_string(paths[i]) + ", outside [0, " +
                  std::to_string(numPaths) + ")");
    if (groups[i] < 0 || groups[i] >= numGroups)
      return fail("input " + std::to_string(i) + " has group " +
                  std::to_string(groups[i]) + ", outside [0, " +
                  std::to_string(numGroups) + ")");
    ++result.counts[paths[i] * numGroups + groups[i]];
  }
  // best[p][mask]: most inputs matched using paths >= p when the groups in
  // `mask` are already taken. A path may stay unmatched.
  size_t states = size_t(1) << numGroups;
  std::vector<std::vector<int64_t>> best(
      static_cast<size_t>(numPaths + 1), std::vector<int64_t>(states, 0));
  for (int64_t p = numPaths - 1; p >= 0; --p)
    for (size_t mask = 0; mask < states; ++mask) {
      int64_t value = best[p + 1][mask];
      for (int64_t g = 0; g < numGroups; ++g)
        if (!(mask >> g & 1))
          value = std::max(value, result.counts[p * numGroups + g] +
                                      best[p + 1][mask | (size_t(1) << g)]);
      best[p][mask] = value;
    }
  result.matched = best[0][0];
  result.purity = result.inputs ? double(result.matched) / double(result.inputs)
                                : 0.0;
  // Walk the table forward to recover one optimal matching.
  result.groupOfPath.assign(static_cast<size_t>(numPaths), -1);
  size_t mask = 0;
  for (int64_t p = 0; p < numPaths; ++p) {
    if (best[p][mask] == best[p + 1][mask])
      continue;
    for (int64_t g = 0; g < numGroups; ++g)
      if (!(mask >> g & 1) &&
          best[p][mask] == result.counts[p * numGroups + g] +
                               best[p + 1][mask | (size_t(1) << g)]) {
        result.groupOfPath[p] = g;
        mask |= size_t(1) << g;
        break;
      }
  }
  return true;
}

} // namespace goe::router
