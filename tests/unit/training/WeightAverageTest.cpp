//===- WeightAverageTest.cpp - --ema's moving average of the weights ------===//

#include "TestUtil.h"

#include "goe/Frontends/Spec/SpecReader.h"
#include "goe/Training/WeightAverage.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

using namespace goe;
using namespace goe::train;

namespace {

const char *kTiny = R"(goe: 1
name: tiny
inputs:
  x: [3, 4, 4]
modules:
  net:
    layers:
      - {op: conv, out: 2, kernel: 1}
graph:
  - {name: y, module: net, from: x}
outputs: [y]
)";

/// Sets every floating weight of `model` to `value`.
void fill(torchref::Model &model, float value) {
  torch::NoGradGuard noGrad;
  for (auto &[name, weight] : model.parameters())
    if (weight.is_floating_point())
      weight.fill_(value);
}

} // namespace

TEST(WeightAverageTest, FollowsYolov7sRampAndSwapsBothWays) {
  test::Context context;
  auto spec = spec::readSpec(kTiny, "tiny.yaml", {}, context.get());
  ASSERT_TRUE(mlir::succeeded(spec)) << context.lastError();
  auto model = torchref::Model::build(*spec, {}, context.get());
  ASSERT_TRUE(model);

  WeightAverage average;
  EXPECT_FALSE(average.enabled());
  average.configure(0.9, 2.0);
  ASSERT_TRUE(average.enabled());
  fill(*model, 1.0f);
  average.update(*model); // the first update copies
  fill(*model, 3.0f);
  average.update(*model); // d = 0.9 * (1 - exp(-2 / 2))
  double d = 0.9 * (1.0 - std::exp(-1.0));
  EXPECT_EQ(average.updates, 2);
  ASSERT_FALSE(average.averaged.empty());
  for (const auto &[name, tensor] : average.averaged)
    EXPECT_NEAR(tensor.flatten()[0].item<double>(), d * 1.0 + (1 - d) * 3.0,
                1e-6)
        << name;

  {
    AveragedWeightsScope scope(average, *model); // validation's view
    for (const auto &[name, weight] : model->parameters())
      if (weight.is_floating_point())
        EXPECT_NEAR(weight.flatten()[0].item<double>(),
                    d * 1.0 + (1 - d) * 3.0, 1e-6)
            << name;
  }
  for (const auto &[name, weight] : model->parameters()) // trained again
    if (weight.is_floating_point())
      EXPECT_EQ(weight.flatten()[0].item<float>(), 3.0f) << name;

  average.reset();
  EXPECT_TRUE(average.averaged.empty());
  EXPECT_EQ(average.updates, 0);
  AveragedWeightsScope nothing(average, *model); // empty: no change
  for (const auto &[name, weight] : model->parameters())
    if (weight.is_floating_point())
      EXPECT_EQ(weight.flatten()[0].item<float>(), 3.0f) << name;
}
