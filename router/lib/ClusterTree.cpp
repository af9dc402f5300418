//===- ClusterTree.cpp - hierarchical 2-means over cluster centres -------===//

#include "goe/Router/ClusterTree.h"
#include "goe/Router/NearestCode.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <numeric>

namespace goe::router {
namespace {

/// Sum of squared distances of `members` to their mean.
double spread(const float *points, int64_t dim,
              const std::vector<int64_t> &members) {
  std::vector<double> mean(static_cast<size_t>(dim), 0.0);
  for (int64_t m : members)
    for (int64_t d = 0; d < dim; ++d)
      mean[d] += points[m * dim + d];
  for (double &v : mean)
    v /= static_cast<double>(members.size());
  double sum = 0;
  for (int64_t m : members)
    for (int64_t d = 0; d < dim; ++d) {
      double diff = points[m * dim + d] - mean[d];
      sum += diff * diff;
    }
  return sum;
}

std::vector<float> meanOf(const float *points, int64_t dim,
                          const std::vector<int64_t> &members) {
  std::vector<double> sum(static_cast<size_t>(dim), 0.0);
  for (int64_t m : members)
    for (int64_t d = 0; d < dim; ++d)
      sum[d] += points[m * dim + d];
  std::vector<float> mean(static_cast<size_t>(dim));
  for (int64_t d = 0; d < dim; ++d)
    mean[d] = static_cast<float>(sum[d] / static_cast<double>(members.size()));
  return mean;
}

/// Exact: every balanced partition whose first half holds members[0].
void exactSplit(const float *points, int64_t dim,
                const std::vector<int64_t> &members, std::vector<int64_t> &a,
                std::vector<int64_t> &b) {
  size_t n = members.size(), half = n / 2;
  double best = std::numeric_limits<double>::infinity();
  std::vector<int64_t> x, y;
  for (uint32_t mask = 1; mask < (1u << n); mask += 2) { // bit 0 always set
    if (static_cast<size_t>(__builtin_popcount(mask)) != half)
      continue;
    x.clear();
    y.clear();
    for (size_t i = 0; i < n; ++i)
      ((mask >> i) & 1 ? x : y).push_back(members[i]);
    double cost = spread(points, dim, x) + spread(points, dim, y);
    if (cost < best) { // strict: the first partition found wins ties
      best = cost;
      a = x;
      b = y;
    }
  }
}

/// Lloyd iterations with balanced assignment, from the farthest pair.
void iterativeSplit(const float *points, int64_t dim,
                    const std::vector<int64_t> &members,
                    std::vector<int64_t> &a, std::vector<int64_t> &b) {
  size_t n = members.size();
  int64_t p = members[0], q = members[1];
  double far = -1;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) {
      double d = squaredDistance(points + members[i] * dim,
                                 points + members[j] * dim, dim);
      if (d > far) {
        far = d;
        p = members[i];
        q = members[j];
      }
    }
  std::vector<float> ma(points + p * dim, points + (p + 1) * dim);
  std::vector<float> mb(points + q * dim, points + (q + 1) * dim);
  std::vector<size_t> order(n);
  for (int iteration = 0; iteration < 50; ++iteration) {
    std::vector<double> margin(n);
    for (size_t i = 0; i < n; ++i)
      margin[i] = squaredDistance(points + members[i] * dim, ma.data(), dim) -
                  squaredDistance(points + members[i] * dim, mb.data(), dim);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t x, size_t y) { return margin[x] < margin[y]; });
    std::vector<int64_t> x, y;
    for (size_t i = 0; i < n; ++i)
      (i < n / 2 ? x : y).push_back(members[order[i]]);
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    if (x == a && y == b)
      break;
    a = x;
    b = y;
    ma = meanOf(points, dim, a);
    mb = meanOf(points, dim, b);
  }
}

void split(const float *points, int64_t dim, const std::vector<int64_t> &members,
           std::vector<int64_t> &out) {
  if (members.size() == 1) {
    out.push_back(members[0]);
    return;
  }
  std::vector<int64_t> a, b;
  balancedTwoMeans(points, dim, members, a, b);
  split(points, dim, a, out);
  split(points, dim, b, out);
}

} // namespace

void balancedTwoMeans(const float *points, int64_t dim,
                      const std::vector<int64_t> &members,
                      std::vector<int64_t> &first,
                      std::vector<int64_t> &second) {
  assert(members.size() >= 2 && members.size() % 2 == 0);
  std::vector<int64_t> sorted = members;
  std::sort(sorted.begin(), sorted.end());
  first.clear();
  second.clear();
  if (sorted.size() <= 16)
    exactSplit(points, dim, sorted, first, second);
  else
    iterativeSplit(points, dim, sorted, first, second);
  if (second.front() < first.front())
    std::swap(first, second);
}

std::vector<int64_t> hierarchicalLeafOrder(const float *centres, int64_t count,
                                           int64_t dim) {
  assert(count >= 1 && (count & (count - 1)) == 0);
  std::vector<int64_t> all(static_cast<size_t>(count));
  std::iota(all.begin(), all.end(), 0);
  std::vector<int64_t> order;
  split(centres, dim, all, order);
  return order;
}

} // namespace goe::router
