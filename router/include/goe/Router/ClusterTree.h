//===- ClusterTree.h - hierarchical 2-means over cluster centres -*- C++ -*-===//
//
// The latent router's clusters become the leaves of a binary tree, and the
// leaves are the paths of a Graph-of-Experts tree (docs/architecture.md:
// path p uses instance p >> (depth-1-l) at level l). Splitting the centres
// top-down by 2-means puts similar clusters under the same subtree, so the
// paths that share early experts are the ones whose inputs look alike.
//
// Each split must give two equal halves (the GoE tree is complete), so it
// is a balanced 2-means: the partition into two halves of equal size with
// the least within-half sum of squared distances to the half means. Up to
// 16 centres it is found exactly, by trying every balanced partition; above
// that, by Lloyd iterations with balanced assignment (sort by the difference
// of distances to the two means, cut in the middle) from the farthest pair.
//
// Thread safety: pure functions.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_ROUTER_CLUSTERTREE_H
#define GOE_ROUTER_CLUSTERTREE_H

#include <cstdint>
#include <vector>

namespace goe::router {

/// Splits `members` (indices into `points`, [*, dim]; an even count >= 2)
/// into two equal halves by balanced 2-means. The half holding the lowest
/// member index comes first; each half keeps ascending index order.
void balancedTwoMeans(const float *points, int64_t dim,
                      const std::vector<int64_t> &members,
                      std::vector<int64_t> &first,
                      std::vector<int64_t> &second);

/// The leaf order of the hierarchical 2-means tree over `count` centres
/// ([count, dim]; count a power of two): result[p] is the centre at leaf p.
/// The first half of every split takes the lower leaves (bit 0 at that
/// level, most significant bit first).
std::vector<int64_t> hierarchicalLeafOrder(const float *centres, int64_t count,
                                           int64_t dim);

} // namespace goe::router

#endif // GOE_ROUTER_CLUSTERTREE_H
