//===- NumericsTest.cpp - what the torch reference computes ---------------===//
//
// Hand-computed layers, the detect decode on one cell, and the routing
// machinery: per-path grouping against running each path alone, paths that
// nobody chose never running, top-k weights, the combines.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "goe/Frontends/Spec/SpecReader.h"
#include "goe/Frontends/Torch/TorchModel.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

using namespace goe;

namespace {

/// A model from inline YAML (or an example file), built or failed.
struct Built {
  test::Context context;
  std::unique_ptr<torchref::Model> model;

  Built(const std::string &text, const spec::VarOverrides &vars = {},
        bool isFile = false) {
    auto read = isFile ? spec::readSpecFile(std::string(GOE_EXAMPLES_DIR) +
                                                "/" + text,
                                            vars, context.get())
                       : spec::readSpec(text, "inline.yaml", vars,
                                        context.get());
    if (mlir::succeeded(read))
      model = torchref::Model::build(*read, {}, context.get());
  }
  void set(const std::string &name, const at::Tensor &value) {
    std::string error;
    EXPECT_TRUE(model->setParameter(name, value, &error)) << error;
  }
};

at::Tensor floats(std::vector<float> values, std::vector<int64_t> shape) {
  return at::tensor(values, at::kFloat).view(shape);
}

void expectClose(const at::Tensor &actual, const at::Tensor &expected,
                 double tolerance = 1e-5) {
  ASSERT_EQ(actual.sizes(), expected.sizes());
  EXPECT_TRUE(at::allclose(actual, expected, tolerance, tolerance))
      << "actual\n"
      << actual << "\nexpected\n"
      << expected;
}

const char *const kHand = R"(
goe: 1
name: hand
inputs:
  image: [1, 3, 3]
  vec: [2]
  grid: [1, 5, 5]
modules:
  net:
    layers:
      - {op: conv2d, out: 2, kernel: 3, stride: 2}   # padding defaults to 1
      - {op: flatten}
      - {op: linear, out: 2}
  norm:
    layers:
      - {op: batchnorm}
  pools:
    layers:
      - {op: avgpool, kernel: 2, stride: 2, padding: 1}
      - {op: maxpool, kernel: 2, from: x}
    outputs: [0, 1]
graph:
  - {name: n, module: net, from: image}
  - {name: b, module: norm, from: vec}
  - {name: p, module: pools, from: grid}
outputs: [n, b, p]
)";

TEST(TorchNumerics, HandComputedConvAndLinear) {
  Built built(kHand);
  ASSERT_TRUE(built.model) << built.context.lastError();
  // Channel 0 sums the 3x3 neighbourhood (+0.5), channel 1 is the identity
  // at the centre (-1). Stride 2 over the zero-padded 3x3 input visits the
  // four corners.
  std::vector<float> weight(18, 0.f);
  for (int i = 0; i < 9; ++i)
    weight[i] = 1.f;
  weight[9 + 4] = 1.f;
  built.set("n.0.weight", floats(weight, {2, 1, 3, 3}));
  built.set("n.0.bias", floats({0.5f, -1.f}, {2}));
  // Flattened channels-first: [8.5, 12.5, 20.5, 24.5, -1, 1, 5, 7].
  built.set("n.2.weight", floats({1, 1, 1, 1, 1, 1, 1, 1,   //
                                  0, 0, 0, 0, 1, 2, 3, 4},  //
                                 {2, 8}));
  built.set("n.2.bias", floats({1.f, -2.f}, {2}));
  at::Tensor image = at::arange(9, at::kFloat).view({1, 1, 3, 3});
  auto out = built.model->runInstance("n", {image});
  // 66 + 12 + 1 = 79; -1 + 2 + 15 + 28 - 2 = 42.
  expectClose(out[0], floats({79.f, 42.f}, {1, 2}));
}

TEST(TorchNumerics, HandComputedBatchNormAndPools) {
  Built built(kHand);
  ASSERT_TRUE(built.model) << built.context.lastError();
  built.set("b.0.weight", floats({2.f, 1.f}, {2}));
  built.set("b.0.bias", floats({0.f, 1.f}, {2}));
  built.set("b.0.running_mean", floats({0.5f, 1.f}, {2}));
  built.set("b.0.running_var", floats({4.f, 0.25f}, {2}));
  auto norm = built.model->runInstance("b", {floats({1.f, 2.f}, {1, 2})});
  // (1 - 0.5) / sqrt(4 + 1e-5) * 2 + 0, (2 - 1) / sqrt(0.25 + 1e-5) * 1 + 1
  expectClose(norm[0], floats({float(0.5 / std::sqrt(4 + 1e-5) * 2),
                               float(1 / std::sqrt(0.25 + 1e-5) + 1)},
                              {1, 2}));

  at::Tensor grid = at::arange(25, at::kFloat).view({1, 1, 5, 5});
  auto pools = built.model->runInstance("p", {grid});
  // avgpool: (5 + 2 - 2) / 2 + 1 = 3 per side; a corner window holds one
  // real element, an edge window two (padding is not counted).
  ASSERT_EQ(pools[0].sizes().vec(), (std::vector<int64_t>{1, 1, 3, 3}));
  EXPECT_FLOAT_EQ(pools[0][0][0][0][0].item<float>(), 0.f);
  EXPECT_FLOAT_EQ(pools[0][0][0][0][1].item<float>(), 1.5f);
  EXPECT_FLOAT_EQ(pools[0][0][0][1][1].item<float>(), (6 + 7 + 11 + 12) / 4.f);
  // maxpool 2 on 5: the floor rule drops the last row and column.
  expectClose(pools[1], floats({6, 8, 16, 18}, {1, 1, 2, 2}));
}

TEST(TorchNumerics, DetectDecodesAHandCheckedCell) {
  Built built(R"(
goe: 1
name: det
inputs:
  feats: [2, 2, 3]
modules:
  head:
    layers:
      - {op: detect, nc: 1, stride: 8, anchors: [[10, 20], [30, 40], [50, 60]]}
graph:
  - {name: d, module: head, from: feats}
outputs: [d]
)");
  ASSERT_TRUE(built.model) << built.context.lastError();
  // Channel = anchor * 6 + attribute. Anchor 0: logit 0 (sigmoid 0.5)
  // everywhere. Anchor 2: logit -ln 3 (sigmoid 0.25). Anchor 1: logit 0,
  // except its x reads input channel 0, which is ln 3 (sigmoid 0.75) at row
  // 1, column 2 only.
  std::vector<float> bias(18, 0.f);
  for (int j = 0; j < 6; ++j)
    bias[12 + j] = -std::log(3.f);
  std::vector<float> weight(36, 0.f);
  weight[6 * 2 + 0] = 1.f; // out channel 6 (anchor 1, x) <- in channel 0
  built.set("d.0.weight", floats(weight, {18, 2, 1, 1}));
  built.set("d.0.bias", floats(bias, {18}));
  at::Tensor feats = at::zeros({1, 2, 2, 3});
  feats[0][0][1][2] = std::log(3.f);
  at::Tensor out = built.model->runInstance("d", {feats})[0];
  ASSERT_EQ(out.sizes().vec(), (std::vector<int64_t>{1, 3, 2, 3, 6}));
  auto cell = [&](int anchor) {
    return out[0][anchor][1][2]; // row 1 (y), column 2 (x)
  };
  // x = (2s - 0.5 + col) * 8, y = (2s - 0.5 + row) * 8, w/h = (2s)^2 anchor.
  expectClose(cell(0), floats({20, 12, 10, 20, 0.5, 0.5}, {6}));
  expectClose(cell(1), floats({24, 12, 30, 40, 0.5, 0.5}, {6}));
  expectClose(cell(2), floats({16, 8, 12.5, 15, 0.25, 0.25}, {6}));
  // Anchor 1's x at another cell (row 0, column 1) sees input 0.
  expectClose(out[0][1][0][1], floats({12, 4, 30, 40, 0.5, 0.5}, {6}));
}

// Layer axes count per sample: concat axis 1 is H, softmax axis 0 is C.
TEST(TorchNumerics, AxesArePerSample) {
  Built built(R"(
goe: 1
name: axes
inputs:
  a: [2, 2, 2]
modules:
  m:
    layers:
      - {op: concat, axis: 1, from: [x, x]}
      - {op: softmax, axis: 0, from: x}
      - {op: upsample, scale: 2, from: x}
    outputs: [0, 1, 2]
graph:
  - {name: m, module: m, from: a}
outputs: [m]
)");
  ASSERT_TRUE(built.model) << built.context.lastError();
  at::Tensor a = at::arange(16, at::kFloat).view({2, 2, 2, 2});
  auto out = built.model->runInstance("m", {a});
  expectClose(out[0], at::cat({a, a}, 2));
  at::Tensor e0 = at::exp(a.select(1, 0)), e1 = at::exp(a.select(1, 1));
  expectClose(out[1].select(1, 0), e0 / (e0 + e1));
  ASSERT_EQ(out[2].sizes().vec(), (std::vector<int64_t>{2, 2, 4, 4}));
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 4; ++j)
      EXPECT_EQ(out[2][1][1][i][j].item<float>(),
                a[1][1][i / 2][j / 2].item<float>());
}

/// Rotated MNIST at p = 2: small, four paths, an oracle router.
struct Mnist : Built {
  Mnist() : Built("rotated_mnist/goe.yaml", {{"p", 2}}, /*isFile=*/true) {
    if (model)
      model->initRandom(7);
  }
  /// Path `path` of the depth-3 tree run alone, instance by instance.
  at::Tensor runPath(int64_t path, const at::Tensor &image) {
    std::vector<at::Tensor> x{image};
    for (int level = 0; level < 3; ++level)
      x = model->runInstance("paths.level" + std::to_string(level) + "." +
                                 std::to_string(path >> (2 - level)),
                             x);
    return x[0];
  }
};

TEST(TorchRouting, OracleMixedBatchEqualsEachPathAlone) {
  Mnist mnist;
  ASSERT_TRUE(mnist.model) << mnist.context.lastError();
  std::vector<int64_t> labels{3, 0, 1, 2, 0, 3, 1, 2};
  at::Tensor image = at::randn({8, 1, 28, 28});
  auto result = mnist.model->forward(
      {{"image", image}, {"group", at::tensor(labels, at::kLong)}});
  ASSERT_TRUE(result.ok()) << result.error;
  ASSERT_EQ(result.outputs.size(), 1u);
  ASSERT_EQ(result.outputs[0].sizes().vec(), (std::vector<int64_t>{8, 10}));
  const torchref::RouteReport &route = result.routes.at("route");
  EXPECT_EQ(route.paths, labels);
  EXPECT_EQ(route.counts, (std::vector<int64_t>{2, 2, 2, 2}));
  for (int64_t b = 0; b < 8; ++b)
    expectClose(result.outputs[0][b],
                mnist.runPath(labels[b], image.slice(0, b, b + 1))[0]);
  // Paths differ (random weights), so the grouping really mattered.
  EXPECT_FALSE(at::allclose(mnist.runPath(0, image.slice(0, 0, 1)),
                            mnist.runPath(3, image.slice(0, 0, 1))));
  // Level 0 is shared by all paths: it ran once per input; each level-2
  // instance ran on its two inputs only.
  EXPECT_EQ(result.instanceSamples.at("paths.level0.0"), 8);
  EXPECT_EQ(result.instanceSamples.at("paths.level1.0"), 4);
  EXPECT_EQ(result.instanceSamples.at("paths.level2.3"), 2);
}

TEST(TorchRouting, UnchosenPathsNeverRun) {
  Mnist mnist;
  ASSERT_TRUE(mnist.model) << mnist.context.lastError();
  at::Tensor image = at::randn({5, 1, 28, 28});
  auto result = mnist.model->forward(
      {{"image", image}, {"group", at::full({5}, 2, at::kLong)}});
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.routes.at("route").counts,
            (std::vector<int64_t>{0, 0, 5, 0}));
  // Path 2 = binary 10: level1.1, level2.2; nothing else ran.
  std::map<std::string, int64_t> ran{
      {"paths.level0.0", 5}, {"paths.level1.1", 5}, {"paths.level2.2", 5}};
  EXPECT_EQ(result.instanceSamples, ran);
  expectClose(result.outputs[0], mnist.runPath(2, image));
}

TEST(TorchRouting, GivenRoutingOverridesTheOracle) {
  Mnist mnist;
  ASSERT_TRUE(mnist.model) << mnist.context.lastError();
  at::Tensor image = at::randn({2, 1, 28, 28});
  torchref::Routing routing;
  routing.paths = {1, 3};
  auto result = mnist.model->forward(
      {{"image", image}, {"group", at::zeros({2}, at::kLong)}},
      {{"route", routing}});
  ASSERT_TRUE(result.ok()) << result.error;
  expectClose(result.outputs[0][0], mnist.runPath(1, image.slice(0, 0, 1))[0]);
  expectClose(result.outputs[0][1], mnist.runPath(3, image.slice(0, 1, 2))[0]);
}

const char *const kTopK = R"(
goe: 1
name: mixture
inputs:
  x: [6]
modules:
  gate_net:
    layers:
      - {op: linear, out: 4}
  expert:
    layers:
      - {op: linear, out: 3}
      - {op: silu}
routers:
  gate: {kind: topk, choices: 4, k: 2, from: x, gate: gate_net}
graph:
  - {name: route, router: gate}
  - {name: experts, dispatch: route, experts: {module: expert, copies: 4}, from: x}
  - {name: y, combine: weighted_sum, from: experts}
outputs: [y]
)";

TEST(TorchRouting, TopKWeightsAreRenormalisedSoftmaxOfTheChosen) {
  Built built(kTopK);
  ASSERT_TRUE(built.model) << built.context.lastError();
  built.model->initRandom(11);
  at::Tensor x = at::randn({16, 6});
  auto result = built.model->forward({{"x", x}});
  ASSERT_TRUE(result.ok()) << result.error;
  const torchref::RouteReport &route = result.routes.at("route");
  ASSERT_EQ(route.paths.size(), 32u);
  at::Tensor probs =
      at::softmax(built.model->runInstance("gate.gate_net", {x})[0], 1);
  for (int64_t b = 0; b < 16; ++b) {
    int64_t first = route.paths[2 * b], second = route.paths[2 * b + 1];
    float wa = route.weights[2 * b], wb = route.weights[2 * b + 1];
    EXPECT_NEAR(wa + wb, 1.f, 1e-6);
    // The two largest probabilities, the larger first.
    at::Tensor top = std::get<1>(probs[b].topk(2));
    EXPECT_EQ(first, top[0].item<int64_t>());
    EXPECT_EQ(second, top[1].item<int64_t>());
    float pa = probs[b][first].item<float>(), pb = probs[b][second].item<float>();
    EXPECT_NEAR(wa, pa / (pa + pb), 1e-6);
    // weighted_sum: the two chosen experts, weighted.
    at::Tensor xb = x.slice(0, b, b + 1);
    at::Tensor expected =
        wa * built.model->runInstance("experts.expert" + std::to_string(first),
                                      {xb})[0] +
        wb * built.model->runInstance("experts.expert" + std::to_string(second),
                                      {xb})[0];
    expectClose(result.outputs[0].slice(0, b, b + 1), expected);
  }
}

TEST(TorchRouting, TopKTiesGoToTheLowerIndex) {
  Built built(kTopK);
  ASSERT_TRUE(built.model) << built.context.lastError();
  built.set("gate.gate_net.0.weight", at::zeros({4, 6}));
  built.set("gate.gate_net.0.bias", floats({0.5f, 1.f, 1.f, 1.f}, {4}));
  auto result = built.model->forward({{"x", at::randn({3, 6})}});
  ASSERT_TRUE(result.ok()) << result.error;
  const torchref::RouteReport &route = result.routes.at("route");
  EXPECT_EQ(route.paths, (std::vector<int64_t>{1, 2, 1, 2, 1, 2}));
  for (float w : route.weights)
    EXPECT_FLOAT_EQ(w, 0.5f);
  EXPECT_EQ(route.counts, (std::vector<int64_t>{0, 3, 3, 0}));
  EXPECT_EQ(result.instanceSamples.count("experts.expert0"), 0u);
  EXPECT_EQ(result.instanceSamples.count("experts.expert3"), 0u);
}

TEST(TorchRouting, ImportanceMixMixesBaselineAndChosenExpert) {
  Built built("gated_mixture/cifar10.yaml", {}, /*isFile=*/true);
  ASSERT_TRUE(built.model) << built.context.lastError();
  built.model->initRandom(5);
  at::Tensor image = at::randn({4, 3, 32, 32});
  auto result = built.model->forward({{"image", image}});
  ASSERT_TRUE(result.ok()) << result.error;
  at::Tensor base = built.model->runInstance("base", {image})[0];
  const torchref::RouteReport &route = result.routes.at("route");
  for (int64_t b = 0; b < 4; ++b) {
    EXPECT_FLOAT_EQ(route.weights[b], 1.f);
    auto expert = built.model->runInstance(
        "experts.expert" + std::to_string(route.paths[b]),
        {image.slice(0, b, b + 1)});
    ASSERT_EQ(expert.size(), 2u); // scores [1, 10], importance [1, 10, 2]
    at::Tensor mixed = base[b] * expert[1][0].select(1, 0) +
                       expert[0][0] * expert[1][0].select(1, 1);
    expectClose(result.outputs[0][b], mixed);
  }
}

TEST(TorchWeights, InitRandomIsDeterministicAndSane) {
  Mnist a, b;
  ASSERT_TRUE(a.model && b.model);
  auto pa = a.model->parameters(), pb = b.model->parameters();
  for (const auto &[name, tensor] : pa)
    EXPECT_TRUE(at::equal(tensor, pb.at(name))) << name;
  b.model->initRandom(8);
  EXPECT_FALSE(at::equal(pa.at("paths.level0.0.0.weight"),
                         pb.at("paths.level0.0.0.weight")));
  // Conv weights within PyTorch's default bound 1/sqrt(fan_in) = 1/3.
  EXPECT_LE(pa.at("paths.level0.0.0.weight").abs().max().item<float>(),
            1.f / 3.f);

  Built yolo("backbone_gating/screws.yaml", {}, /*isFile=*/true);
  ASSERT_TRUE(yolo.model) << yolo.context.lastError();
  // Fresh: PyTorch's batch norm defaults.
  EXPECT_TRUE(at::equal(yolo.model->parameters().at("dets.0.bn.running_var"),
                        at::ones({64})));
  yolo.model->initRandom(1);
  auto params = yolo.model->parameters();
  at::Tensor var = params.at("dets.0.bn.running_var");
  EXPECT_GE(var.min().item<float>(), 0.5f);
  EXPECT_LE(var.max().item<float>(), 1.5f);
  EXPECT_GT(params.at("dets.0.bn.running_mean").abs().max().item<float>(), 0.f);
  // Running statistics are not trainable; weights and biases are.
  size_t trainable = 0;
  for (const auto &[name, tensor] : params)
    trainable += name.find("running_") == std::string::npos;
  EXPECT_EQ(yolo.model->trainableParameters().size(), trainable);
}

} // namespace

namespace {

TEST(TorchFolding, FoldedBatchNormGivesTheSameOutputsInEvalOnly) {
  Built built(R"(
goe: 1
name: folded
inputs:
  image: [3, 12, 12]
modules:
  body:
    layers:
      - {op: conv, out: 8, kernel: 3, padding: 1}
      - {op: conv, out: 4, kernel: 3, stride: 2}
graph:
  - {name: out, module: body, from: image}
outputs: [out]
)");
  ASSERT_TRUE(built.model) << built.context.lastError();
  built.model->initRandom(3);
  at::Tensor x = at::rand({5, 3, 12, 12});
  auto plain = built.model->forward({{"image", x}});
  ASSERT_TRUE(plain.ok()) << plain.error;
  built.model->foldBatchNorm();
  auto folded = built.model->forward({{"image", x}});
  ASSERT_TRUE(folded.ok()) << folded.error;
  expectClose(folded.outputs[0], plain.outputs[0]);
  // The folded copy is what eval mode runs: changing a batch norm's running
  // mean now no longer changes the output...
  std::map<std::string, at::Tensor> parameters = built.model->parameters();
  ASSERT_TRUE(parameters.count("out.0.bn.running_mean"));
  parameters.at("out.0.bn.running_mean").add_(1.0);
  auto stale = built.model->forward({{"image", x}});
  ASSERT_TRUE(stale.ok()) << stale.error;
  expectClose(stale.outputs[0], plain.outputs[0]);
  // ...while training mode still runs the unfolded layers on batch
  // statistics.
  built.model->train(true);
  auto training = built.model->forward({{"image", x}});
  ASSERT_TRUE(training.ok()) << training.error;
  EXPECT_FALSE(at::allclose(training.outputs[0], plain.outputs[0], 1e-3, 1e-3));
}

} // namespace
