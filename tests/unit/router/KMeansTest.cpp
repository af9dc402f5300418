//===- KMeansTest.cpp - Faiss k-means and the tree on synthetic clusters --===//

#include "goe/Router/ClusterTree.h"
#include "goe/Router/KMeans.h"
#include "goe/Router/NearestCode.h"
#include "goe/Router/Purity.h"

#include <gtest/gtest.h>

#include <random>

namespace goe::router {
namespace {

TEST(KMeans, RecoversFourSeparatedClustersAndTheTreePairsThem) {
  // Four Gaussian blobs in 3-d: two near the origin, two far from it. The
  // clusters must be found exactly (purity 1 against the blob labels), and
  // the tree must put the two near blobs under one subtree.
  std::vector<std::vector<float>> means{
      {0, 0, 0}, {20, 20, 0}, {3, 0, 0}, {20, 23, 0}};
  std::mt19937_64 rng(7);
  std::normal_distribution<float> noise(0.0f, 0.3f);
  std::vector<float> points;
  std::vector<int64_t> labels;
  for (int i = 0; i < 400; ++i) {
    int blob = i % 4;
    for (int d = 0; d < 3; ++d)
      points.push_back(means[blob][d] + noise(rng));
    labels.push_back(blob);
  }
  KMeansOptions options;
  options.clusters = 4;
  options.restarts = 5;
  options.seed = 3;
  KMeansResult result;
  std::string error;
  ASSERT_TRUE(kmeans(points.data(), 400, 3, options, result, &error)) << error;
  ASSERT_EQ(result.centres.size(), 12u);
  std::vector<int64_t> assigned;
  for (int i = 0; i < 400; ++i)
    assigned.push_back(nearestRow(result.centres.data(), 4, 3, &points[i * 3]));
  PurityResult purity;
  ASSERT_TRUE(routingPurity(assigned, labels, 4, 4, purity));
  EXPECT_DOUBLE_EQ(purity.purity, 1.0);

  std::vector<int64_t> order = hierarchicalLeafOrder(result.centres.data(), 4, 3);
  // Leaves 0-1 and 2-3 are siblings: each pair is {blob 0, blob 2} or
  // {blob 1, blob 3}.
  auto blobOf = [&](int64_t cluster) { return purity.groupOfPath[cluster]; };
  EXPECT_EQ(blobOf(order[0]) % 2, blobOf(order[1]) % 2);
  EXPECT_EQ(blobOf(order[2]) % 2, blobOf(order[3]) % 2);
  EXPECT_NE(blobOf(order[0]) % 2, blobOf(order[2]) % 2);
}

TEST(KMeans, RefusesFewerPointsThanClusters) {
  std::vector<float> points{0, 1, 2};
  KMeansOptions options;
  options.clusters = 4;
  KMeansResult result;
  std::string error;
  EXPECT_FALSE(kmeans(points.data(), 3, 1, options, result, &error));
  EXPECT_NE(error.find("3 points into 4 clusters"), std::string::npos) << error;
}

} // namespace
} // namespace goe::router
