//===- WeightTransformsTest.cpp - the shared weight transforms ------------===//
//
// The transforms against naive references written index by index, their
// refusals, and recipes (chains, composition).

#include "goe/Runtime/WeightTransforms.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace goe::runtime {
namespace {

using ::testing::HasSubstr;
using Kind = WeightTransform::Kind;

FloatTensor randomTensor(std::vector<int64_t> shape, float low, float high,
                         unsigned seed) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<float> uniform(low, high);
  FloatTensor t;
  t.shape = std::move(shape);
  int64_t count = 1;
  for (int64_t d : t.shape)
    count *= d;
  for (int64_t i = 0; i < count; ++i)
    t.values.push_back(uniform(engine));
  return t;
}

TransformResult apply(const WeightTransform &t,
                      std::vector<const FloatTensor *> operands) {
  return applyWeightTransform(t, operands);
}

TEST(WeightTransforms, TransposeOihwToHwcfMatchesNaive) {
  const int64_t O = 3, I = 2, H = 2, W = 4;
  FloatTensor in = randomTensor({O, I, H, W}, -1, 1, 1);
  TransformResult out = apply({Kind::Transpose, {2, 3, 1, 0}, 0}, {&in});
  ASSERT_TRUE(out.ok()) << out.error;
  EXPECT_EQ(out.tensor.shape, (std::vector<int64_t>{H, W, I, O}));
  for (int64_t o = 0; o < O; ++o)
    for (int64_t i = 0; i < I; ++i)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w)
          EXPECT_EQ(out.tensor.values[((h * W + w) * I + i) * O + o],
                    in.values[((o * I + i) * H + h) * W + w]);
}

TEST(WeightTransforms, TransposeMatrixMatchesNaive) {
  FloatTensor in = randomTensor({5, 3}, -1, 1, 2);
  TransformResult out = apply({Kind::Transpose, {1, 0}, 0}, {&in});
  ASSERT_TRUE(out.ok()) << out.error;
  EXPECT_EQ(out.tensor.shape, (std::vector<int64_t>{3, 5}));
  for (int r = 0; r < 5; ++r)
    for (int c = 0; c < 3; ++c)
      EXPECT_EQ(out.tensor.values[c * 5 + r], in.values[r * 3 + c]);
}

TEST(WeightTransforms, FoldBatchNormMatchesNaive) {
  const int64_t O = 4, perChannel = 2 * 3 * 3;
  FloatTensor weight = randomTensor({O, 2, 3, 3}, -1, 1, 3);
  FloatTensor bias = randomTensor({O}, -1, 1, 4);
  FloatTensor mean = randomTensor({O}, -0.5, 0.5, 5);
  FloatTensor gamma = randomTensor({O}, 0.5, 1.5, 6);
  FloatTensor var = randomTensor({O}, 0.1, 2, 7);
  FloatTensor beta = randomTensor({O}, -0.5, 0.5, 8);
  const float eps = 1e-3f;
  TransformResult w =
      apply({Kind::FoldBatchNormWeight, {}, eps}, {&weight, &gamma, &var});
  TransformResult b = apply({Kind::FoldBatchNormBias, {}, eps},
                            {&bias, &mean, &gamma, &var, &beta});
  TransformResult b0 =
      apply({Kind::FoldBatchNormBias, {}, eps}, {&mean, &gamma, &var, &beta});
  ASSERT_TRUE(w.ok()) << w.error;
  ASSERT_TRUE(b.ok()) << b.error;
  ASSERT_TRUE(b0.ok()) << b0.error;
  EXPECT_EQ(w.tensor.shape, weight.shape);
  for (int64_t o = 0; o < O; ++o) {
    // The batch-norm of a convolution output y: (y - mean) / sqrt(var + eps)
    // * gamma + beta, in double.
    double s = gamma.values[o] / std::sqrt(double(var.values[o]) + eps);
    for (int64_t i = 0; i < perChannel; ++i)
      EXPECT_NEAR(w.tensor.values[o * perChannel + i],
                  weight.values[o * perChannel + i] * s, 1e-6);
    EXPECT_NEAR(b.tensor.values[o],
                (bias.values[o] - mean.values[o]) * s + beta.values[o], 1e-6);
    EXPECT_NEAR(b0.tensor.values[o], -mean.values[o] * s + beta.values[o],
                1e-6);
  }
}

TEST(WeightTransforms, RefusesMisfitOperands) {
  FloatTensor weight = randomTensor({4, 2}, -1, 1, 1);
  FloatTensor three = randomTensor({3}, 0.5, 1, 2);
  FloatTensor four = randomTensor({4}, 0.5, 1, 3);
  TransformResult r =
      apply({Kind::FoldBatchNormWeight, {}, 1e-5f}, {&weight, &three, &four});
  EXPECT_THAT(r.error, HasSubstr("fold_batch_norm_weight: gamma has shape "
                                 "[3], expected [4]"));
  r = apply({Kind::FoldBatchNormBias, {}, 1e-5f},
            {&four, &four, &three, &four});
  EXPECT_THAT(r.error, HasSubstr("running_var has shape [3], expected [4]"));
  r = apply({Kind::FoldBatchNormBias, {}, 1e-5f}, {&four, &four});
  EXPECT_THAT(r.error, HasSubstr("got 2 operands"));
  r = apply({Kind::Transpose, {0, 0}, 0}, {&weight});
  EXPECT_THAT(r.error, HasSubstr("perm [0, 0] is not a permutation"));
  r = apply({Kind::Transpose, {0}, 0}, {&weight});
  EXPECT_THAT(r.error, HasSubstr("does not fit shape [4, 2]"));
  FloatTensor torn{{2, 2}, {1, 2, 3}};
  r = apply({Kind::Transpose, {1, 0}, 0}, {&torn});
  EXPECT_THAT(r.error, HasSubstr("do not fill its shape"));
}

TEST(WeightTransforms, RecipeChainsItsTransforms) {
  FloatTensor weight = randomTensor({3, 2, 1, 2}, -1, 1, 9);
  FloatTensor gamma = randomTensor({3}, 0.5, 1.5, 10);
  FloatTensor var = randomTensor({3}, 0.5, 1.5, 11);
  WeightTransform fold{Kind::FoldBatchNormWeight, {}, 1e-5f};
  WeightTransform pack{Kind::Transpose, {2, 3, 1, 0}, 0};
  WeightRecipe recipe{{"w", "g", "v"}, {fold, pack}};
  auto lookup = [&](const std::string &name) -> const FloatTensor * {
    return name == "w"   ? &weight
           : name == "g" ? &gamma
           : name == "v" ? &var
                         : nullptr;
  };
  TransformResult chained = applyWeightRecipe(recipe, lookup);
  TransformResult folded = apply(fold, {&weight, &gamma, &var});
  TransformResult stepwise = apply(pack, {&folded.tensor});
  ASSERT_TRUE(chained.ok()) << chained.error;
  EXPECT_EQ(chained.tensor.shape, stepwise.tensor.shape);
  EXPECT_EQ(chained.tensor.values, stepwise.tensor.values);

  TransformResult identity = applyWeightRecipe({{"g"}, {}}, lookup);
  EXPECT_EQ(identity.tensor.values, gamma.values);
  EXPECT_THAT(applyWeightRecipe({{"w", "x", "v"}, {fold}}, lookup).error,
              HasSubstr("no tensor 'x'"));
  EXPECT_THAT(applyWeightRecipe({{"w", "g"}, {}}, lookup).error,
              HasSubstr("needs one source"));
}

TEST(WeightTransforms, ComposesRecipes) {
  WeightTransform fold{Kind::FoldBatchNormWeight, {}, 1e-5f};
  WeightTransform pack{Kind::Transpose, {1, 0}, 0};
  std::optional<WeightRecipe> folded =
      composeRecipe(fold, {{{"w"}, {}}, {{"g"}, {}}, {{"v"}, {}}});
  ASSERT_TRUE(folded);
  EXPECT_EQ(folded->sources, (std::vector<std::string>{"w", "g", "v"}));
  std::optional<WeightRecipe> packed = composeRecipe(pack, {*folded});
  ASSERT_TRUE(packed);
  ASSERT_EQ(packed->transforms.size(), 2u);
  EXPECT_EQ(packed->transforms[1].perm, (std::vector<int64_t>{1, 0}));
  // A transform of several operands cannot take a derived one.
  EXPECT_FALSE(composeRecipe(fold, {*packed, {{"g"}, {}}, {{"v"}, {}}}));
}

TEST(WeightTransforms, NamesRoundTrip) {
  for (Kind kind :
       {Kind::Transpose, Kind::FoldBatchNormWeight, Kind::FoldBatchNormBias})
    EXPECT_EQ(weightTransformKind(weightTransformName(kind)), kind);
  EXPECT_FALSE(weightTransformKind("fold"));
}

} // namespace
} // namespace goe::runtime
