//===- ImageMomentsTest.cpp - the cluster_gate's image statistics ---------===//

#include "goe/Router/ImageMoments.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

using goe::router::imageMomentCount;
using goe::router::imageMoments;

std::vector<float> moments(const std::vector<float> &image, int64_t channels,
                           int64_t height, int64_t width, int order) {
  std::vector<float> out(static_cast<size_t>(imageMomentCount(order)), -1.0f);
  imageMoments(image.data(), channels, height, width, order, out.data());
  return out;
}

TEST(ImageMoments, CountsPerOrder) {
  EXPECT_EQ(imageMomentCount(1), 3);
  EXPECT_EQ(imageMomentCount(2), 6);
}

TEST(ImageMoments, OnePixelOfInkIsItsOwnCentreOfMass) {
  std::vector<float> image(5 * 6, 0.0f);
  image[2 * 6 + 4] = 1.0f; // row 2, column 4
  std::vector<float> f = moments(image, 1, 5, 6, 2);
  EXPECT_FLOAT_EQ(f[0], 1.0f / 30.0f);
  EXPECT_FLOAT_EQ(f[1], 2.0f);
  EXPECT_FLOAT_EQ(f[2], 4.0f);
  EXPECT_NEAR(f[3], 0.0f, 1e-6);
  EXPECT_NEAR(f[4], 0.0f, 1e-6);
  EXPECT_NEAR(f[5], 0.0f, 1e-6);
}

TEST(ImageMoments, InvertedImageHasTheSameInkButNotTheSameMean) {
  // Dark ink on light paper measures like light ink on dark paper: the ink
  // is the distance from the border's level.
  std::vector<float> light(7 * 7, 0.0f), dark(7 * 7, 1.0f);
  for (int64_t x = 1; x <= 3; ++x) {
    light[3 * 7 + x] = 1.0f;
    dark[3 * 7 + x] = 0.0f;
  }
  std::vector<float> a = moments(light, 1, 7, 7, 2);
  std::vector<float> b = moments(dark, 1, 7, 7, 2);
  EXPECT_FLOAT_EQ(a[0], 3.0f / 49.0f);
  EXPECT_FLOAT_EQ(b[0], 46.0f / 49.0f);
  for (int i = 1; i < 6; ++i)
    EXPECT_NEAR(a[i], b[i], 1e-5) << "feature " << i;
  // A horizontal bar of columns 1..3 on row 3: centre (3, 2), column
  // variance 2/3, no row variance or covariance.
  EXPECT_FLOAT_EQ(a[1], 3.0f);
  EXPECT_FLOAT_EQ(a[2], 2.0f);
  EXPECT_NEAR(a[3], 0.0f, 1e-5);
  EXPECT_NEAR(a[4], 2.0f / 3.0f, 1e-5);
  EXPECT_NEAR(a[5], 0.0f, 1e-5);
}

TEST(ImageMoments, QuarterTurnMovesTheCentreOfMass) {
  // An off-centre blob, and the same blob turned 90 degrees counter-
  // clockwise (out[r][c] = in[c][side - 1 - r]): the centre moves from
  // (row, col) to (side - 1 - col, row).
  const int64_t side = 6;
  std::vector<float> image(side * side, 0.0f), turned(side * side, 0.0f);
  image[1 * side + 4] = 2.0f;
  image[2 * side + 4] = 1.0f;
  for (int64_t r = 0; r < side; ++r)
    for (int64_t c = 0; c < side; ++c)
      turned[r * side + c] = image[c * side + (side - 1 - r)];
  std::vector<float> a = moments(image, 1, side, side, 1);
  std::vector<float> b = moments(turned, 1, side, side, 1);
  EXPECT_NEAR(a[1], 4.0f / 3.0f, 1e-5);
  EXPECT_NEAR(a[2], 4.0f, 1e-5);
  EXPECT_NEAR(b[1], float(side - 1) - a[2], 1e-5);
  EXPECT_NEAR(b[2], a[1], 1e-5);
  EXPECT_FLOAT_EQ(a[0], b[0]);
}

TEST(ImageMoments, ChannelsAddTheirInk) {
  // Two channels with different backgrounds, ink at one pixel in each.
  std::vector<float> image(2 * 4 * 4);
  for (int64_t i = 0; i < 16; ++i) {
    image[i] = 0.5f;
    image[16 + i] = 0.0f;
  }
  image[1 * 4 + 1] = 1.5f;      // channel 0: ink 1 at (1, 1)
  image[16 + 2 * 4 + 1] = 3.0f; // channel 1: ink 3 at (2, 1)
  std::vector<float> f = moments(image, 2, 4, 4, 1);
  EXPECT_NEAR(f[1], (1.0f * 1 + 3.0f * 2) / 4.0f, 1e-5);
  EXPECT_NEAR(f[2], 1.0f, 1e-5);
}

TEST(ImageMoments, NoInkSitsAtTheFrameCentre) {
  std::vector<float> image(4 * 5, 0.25f);
  std::vector<float> f = moments(image, 1, 4, 5, 2);
  EXPECT_FLOAT_EQ(f[0], 0.25f);
  EXPECT_FLOAT_EQ(f[1], 1.5f);
  EXPECT_FLOAT_EQ(f[2], 2.0f);
  EXPECT_FLOAT_EQ(f[3], 0.0f);
  EXPECT_FLOAT_EQ(f[4], 0.0f);
  EXPECT_FLOAT_EQ(f[5], 0.0f);
}

TEST(Standardise, ZeroMeanUnitSpreadAndConstantFeatures) {
  // Two features over three rows: (1, 5), (2, 5), (3, 5).
  std::vector<float> rows = {1, 5, 2, 5, 3, 5};
  std::vector<float> mean, stddev;
  ASSERT_TRUE(goe::router::standardise(rows, 3, 2, mean, stddev));
  EXPECT_FLOAT_EQ(mean[0], 2.0f);
  EXPECT_FLOAT_EQ(stddev[0], 1.0f);
  EXPECT_FLOAT_EQ(mean[1], 5.0f);
  EXPECT_FLOAT_EQ(stddev[1], 1.0f); // no spread: left at 1
  EXPECT_FLOAT_EQ(rows[0], -1.0f);
  EXPECT_FLOAT_EQ(rows[2], 0.0f);
  EXPECT_FLOAT_EQ(rows[4], 1.0f);
  EXPECT_FLOAT_EQ(rows[1], 0.0f);
}

TEST(Standardise, RefusesFewerThanTwoRows) {
  std::vector<float> rows = {1, 2};
  std::vector<float> mean, stddev;
  std::string error;
  EXPECT_FALSE(goe::router::standardise(rows, 1, 2, mean, stddev, &error));
  EXPECT_NE(error.find("at least 2 rows"), std::string::npos) << error;
}

} // namespace
