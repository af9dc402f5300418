//===- RandomRoutingTest.cpp - the one random-routing rule ----------------===//
//
// goe-train (--router random) and the runtime's random router both call
// randomRoutes(); these tests pin down what it promises. The runtime side
// is checked against it in tests/unit/runtime/SessionTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "goe/Router/RandomRouting.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

namespace goe::router {
namespace {

TEST(RandomRouting, ChoicesAreDistinctInRangeWithWeightOneOverK) {
  for (int64_t choices : {1, 2, 5, 24}) {
    for (int64_t k = 1; k <= choices; k += std::max<int64_t>(1, choices / 3)) {
      int64_t batch = 200;
      std::vector<int64_t> paths(batch * k);
      std::vector<float> weights(batch * k);
      randomRoutes(1234, batch, choices, k, paths.data(), weights.data());
      for (int64_t b = 0; b < batch; ++b) {
        std::set<int64_t> chosen(paths.begin() + b * k,
                                 paths.begin() + (b + 1) * k);
        EXPECT_EQ(static_cast<int64_t>(chosen.size()), k)
            << "sample " << b << " of " << k << " of " << choices;
        EXPECT_GE(*chosen.begin(), 0);
        EXPECT_LT(*chosen.rbegin(), choices);
        for (int64_t j = 0; j < k; ++j)
          EXPECT_FLOAT_EQ(weights[b * k + j], 1.0f / static_cast<float>(k));
      }
    }
  }
}

TEST(RandomRouting, APureFunctionOfSeedAndKey) {
  // The batch form is the per-sample rule with key = index; a sample's
  // paths do not depend on the batch size or on the other samples.
  std::vector<int64_t> batch(64 * 2), alone(2), shorter(16 * 2);
  randomRoutes(99, 64, 8, 2, batch.data());
  randomRoutes(99, 16, 8, 2, shorter.data());
  EXPECT_TRUE(std::equal(shorter.begin(), shorter.end(), batch.begin()));
  for (int64_t b = 63; b >= 0; --b) {
    randomRoute(99, static_cast<uint64_t>(b), 8, 2, alone.data());
    EXPECT_EQ(alone[0], batch[b * 2]);
    EXPECT_EQ(alone[1], batch[b * 2 + 1]);
  }
  // Another seed routes differently.
  std::vector<int64_t> other(64 * 2);
  randomRoutes(100, 64, 8, 2, other.data());
  EXPECT_NE(other, batch);
}

TEST(RandomRouting, ChoicesAreUniform) {
  // 6000 samples, 2 of 4 each: every path is chosen 3000 times in
  // expectation (standard deviation about 47); every slot too.
  const int64_t batch = 6000, choices = 4, k = 2;
  std::vector<int64_t> paths(batch * k);
  randomRoutes(7, batch, choices, k, paths.data());
  std::vector<int64_t> perPath(choices, 0), firstSlot(choices, 0);
  for (int64_t b = 0; b < batch; ++b) {
    ++perPath[paths[b * k]];
    ++perPath[paths[b * k + 1]];
    ++firstSlot[paths[b * k]];
  }
  for (int64_t p = 0; p < choices; ++p) {
    EXPECT_NEAR(perPath[p], 3000, 250) << "path " << p;
    EXPECT_NEAR(firstSlot[p], 1500, 200) << "path " << p;
  }
}

TEST(RandomRouting, KEqualToChoicesIsAPermutation) {
  std::vector<int64_t> paths(5);
  randomRoute(3, 11, 5, 5, paths.data());
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<int64_t>{0, 1, 2, 3, 4}));
}

TEST(RandomRouting, SeedMixingDependsOnBothSeeds) {
  EXPECT_NE(mixRandomSeed(1, 2), mixRandomSeed(2, 1));
  EXPECT_NE(mixRandomSeed(1, 2), mixRandomSeed(1, 3));
  EXPECT_EQ(mixRandomSeed(5, 6), mixRandomSeed(5, 6));
}

} // namespace
} // namespace goe::router
