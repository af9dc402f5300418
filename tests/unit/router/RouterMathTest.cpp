//===- RouterMathTest.cpp - router/ without Faiss -------------------------===//

#include "goe/Router/ClusterTree.h"
#include "goe/Router/GateStatistics.h"
#include "goe/Router/LatentRouter.h"
#include "goe/Router/NearestCode.h"
#include "goe/Router/Purity.h"

#include <gtest/gtest.h>

#include <cmath>

namespace goe::router {
namespace {

TEST(NearestCode, PicksTheNearestRowAndTheLowerIndexOnTies) {
  std::vector<float> codebook{0, 0, 2, 0, 0, 2, 2, 0}; // rows 1 and 3 equal
  EXPECT_EQ(nearestRow(codebook.data(), 4, 2, std::vector<float>{0.2f, 0.1f}.data()), 0);
  EXPECT_EQ(nearestRow(codebook.data(), 4, 2, std::vector<float>{1.9f, 0.3f}.data()), 1);
  EXPECT_EQ(nearestRow(codebook.data(), 4, 2, std::vector<float>{0.1f, 5.0f}.data()), 2);
  // Equidistant from rows 0, 1 and 3 ((1, 0) is 1 from (0,0) and (2,0)).
  EXPECT_EQ(nearestRow(codebook.data(), 4, 2, std::vector<float>{1.0f, 0.0f}.data()), 0);
}

TEST(NearestCode, QuantiseWritesIndicesAndVectors) {
  std::vector<float> codebook{0, 0, 1, 1};
  std::vector<float> latent{0.9f, 0.8f, 0.1f, -0.2f, 0.6f, 0.6f};
  std::vector<int64_t> indices(3);
  std::vector<float> quantised(6);
  quantise(codebook.data(), 2, 2, latent.data(), 3, indices.data(),
           quantised.data());
  EXPECT_EQ(indices, (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(quantised, (std::vector<float>{1, 1, 0, 0, 1, 1}));
}

TEST(LatentRouter, RoutesByNearestCentreOfTheQuantisedLatent) {
  LatentRouterTables t;
  t.codes = 2;
  t.codeDim = 1;
  t.positions = 2;
  t.paths = 2;
  t.codebook = {0, 1};
  t.centres = {0, 1, 1, 0}; // path 0 = codes (0, 1), path 1 = (1, 0)
  ASSERT_EQ(t.validate(), "");
  EXPECT_EQ(t.searchMacs(), 2 * 2 * 1 + 2 * 2);
  std::vector<float> scratch;
  std::vector<float> a{0.2f, 0.7f}, b{0.8f, 0.4f};
  EXPECT_EQ(routeLatent(t, a.data(), scratch), 0);
  EXPECT_EQ(routeLatent(t, b.data(), scratch), 1);
  EXPECT_EQ(scratch, (std::vector<float>{1, 0}));
  t.centres.pop_back();
  EXPECT_NE(t.validate().find("the centres have 3 numbers"), std::string::npos);
}

/// Points around `count` well separated centres on a line, `per` each.
std::vector<float> clusters(const std::vector<float> &centres, int per) {
  std::vector<float> points;
  for (float c : centres)
    for (int i = 0; i < per; ++i)
      points.push_back(c + 0.01f * float(i % 5) - 0.02f);
  return points;
}

TEST(ClusterTree, SiblingLeavesAreTheNearestCentres) {
  // Centres 0, 10, 1, 11 (1-d): the tree must pair {0, 1} and {10, 11};
  // the half with centre 0 comes first.
  std::vector<float> centres{0, 10, 1, 11};
  std::vector<int64_t> order = hierarchicalLeafOrder(centres.data(), 4, 1);
  EXPECT_EQ(order, (std::vector<int64_t>{0, 2, 1, 3}));
}

TEST(ClusterTree, SplitsAreBalancedEvenWhenTwoMeansWouldNotBe) {
  // Plain 2-means would split {0, 1, 2} from {100}; the tree needs halves.
  std::vector<float> centres{0, 1, 2, 100};
  std::vector<int64_t> a, b;
  balancedTwoMeans(centres.data(), 1, {0, 1, 2, 3}, a, b);
  EXPECT_EQ(a, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(b, (std::vector<int64_t>{2, 3}));
}

TEST(ClusterTree, LargeSetsUseTheIterativeSplit) {
  // 32 points: 16 near 0 and 16 near 50, interleaved by index.
  std::vector<float> points;
  for (int i = 0; i < 32; ++i)
    points.push_back(i % 2 ? 50.0f + float(i) * 0.01f : float(i) * 0.01f);
  std::vector<int64_t> all(32);
  for (int i = 0; i < 32; ++i)
    all[i] = i;
  std::vector<int64_t> a, b;
  balancedTwoMeans(points.data(), 1, all, a, b);
  ASSERT_EQ(a.size(), 16u);
  for (int64_t i : a)
    EXPECT_EQ(i % 2, 0);
  std::vector<int64_t> order = hierarchicalLeafOrder(points.data(), 32, 1);
  EXPECT_EQ(order.size(), 32u);
  for (size_t i = 0; i < 16; ++i)
    EXPECT_EQ(order[i] % 2, 0);
}

TEST(Purity, IsOneUnderAPermutationOfLabels) {
  std::vector<int64_t> groups{0, 1, 2, 3, 0, 1, 2, 3};
  std::vector<int64_t> paths{2, 0, 3, 1, 2, 0, 3, 1};
  PurityResult r;
  ASSERT_TRUE(routingPurity(paths, groups, 4, 4, r));
  EXPECT_DOUBLE_EQ(r.purity, 1.0);
  EXPECT_EQ(r.groupOfPath, (std::vector<int64_t>{1, 3, 0, 2}));
}

TEST(Purity, UsesTheBestOneToOneMatching) {
  // Path 0 holds groups 0 (3) and 1 (2); path 1 holds group 1 (2). Greedy
  // "majority group per path" would count 3 + 2; one-to-one the best is
  // path 0 -> 0, path 1 -> 1: 5 of 7. A path with only group 0 would not
  // get it twice.
  std::vector<int64_t> groups{0, 0, 0, 1, 1, 1, 1};
  std::vector<int64_t> paths{0, 0, 0, 0, 0, 1, 1};
  PurityResult r;
  ASSERT_TRUE(routingPurity(paths, groups, 2, 2, r));
  EXPECT_EQ(r.matched, 5);
  EXPECT_NEAR(r.purity, 5.0 / 7.0, 1e-12);
  std::vector<int64_t> onePath{0, 0, 0, 0, 0, 0, 0};
  ASSERT_TRUE(routingPurity(onePath, groups, 2, 2, r));
  EXPECT_EQ(r.matched, 4); // path 0 -> group 1; path 1 unmatched
  EXPECT_EQ(r.groupOfPath, (std::vector<int64_t>{1, -1}));
}

TEST(Purity, RejectsOutOfRangeValues) {
  PurityResult r;
  std::string error;
  EXPECT_FALSE(routingPurity({0, 4}, {0, 1}, 4, 2, r, &error));
  EXPECT_NE(error.find("input 1 has path 4"), std::string::npos) << error;
  EXPECT_FALSE(routingPurity({0}, {0, 1}, 4, 2, r, &error));
}

TEST(GateStatistics, LoadBalanceLossByHand) {
  // Two experts, batch 2, top-1. Probabilities (0.75, 0.25) and (0.5, 0.5):
  // both inputs pick expert 0 (the tie goes to the lower index).
  // f = (1, 0), P = (0.625, 0.375); loss = 2 * (1 * 0.625) = 1.25.
  std::vector<double> probs{0.75, 0.25, 0.5, 0.5};
  std::vector<int64_t> chosen{0, 0};
  GateStatistics s;
  ASSERT_TRUE(gateStatistics(probs, chosen, 2, 2, 1, s));
  EXPECT_DOUBLE_EQ(s.usage[0], 1.0);
  EXPECT_DOUBLE_EQ(s.usage[1], 0.0);
  EXPECT_DOUBLE_EQ(s.meanProb[0], 0.625);
  EXPECT_DOUBLE_EQ(s.loadBalanceLoss, 1.25);
  // Uniform load and probabilities give exactly 1.
  std::vector<double> uniform{0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25};
  ASSERT_TRUE(gateStatistics(uniform, {0, 1, 2, 3}, 2, 4, 2, s));
  EXPECT_DOUBLE_EQ(s.loadBalanceLoss, 1.0);
  std::string error;
  EXPECT_FALSE(gateStatistics(probs, {0, 2}, 2, 2, 1, s, &error));
}

TEST(GateStatistics, TopkRenormalisesAndBreaksTiesLow) {
  std::vector<float> logits{1.0f, 3.0f, 3.0f, 0.0f};
  std::vector<double> probs(4);
  int64_t chosen[2];
  float weights[2];
  ASSERT_TRUE(topkGate(logits.data(), 4, 2, probs.data(), chosen, weights));
  EXPECT_EQ(chosen[0], 1);
  EXPECT_EQ(chosen[1], 2);
  EXPECT_FLOAT_EQ(weights[0], 0.5f);
  double sum = probs[0] + probs[1] + probs[2] + probs[3];
  EXPECT_NEAR(sum, 1.0, 1e-12);
  logits[3] = std::nanf("");
  int64_t bad = -1;
  EXPECT_FALSE(topkGate(logits.data(), 4, 2, probs.data(), chosen, weights, &bad));
  EXPECT_EQ(bad, 3);
}

TEST(GateStatistics, CapacityRoundsUp) {
  EXPECT_EQ(expertCapacity(1.0, 10, 4, 1), 3);
  EXPECT_EQ(expertCapacity(1.25, 64, 4, 2), 40);
  EXPECT_EQ(expertCapacity(0, 64, 4, 2), 128);
}

} // namespace
} // namespace goe::router
