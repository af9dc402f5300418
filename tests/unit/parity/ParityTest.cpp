//===- ParityTest.cpp - compiled code against the LibTorch reference ------===//
//
// For each example graph: the spec is compiled to an artifact with the
// weights of a LibTorch model built from the same spec (random, seeded),
// the runtime runs random inputs, and every output must match the LibTorch
// model's within a relative error of 1e-4 (f32). Mixed batches cover every
// path; each path also runs alone, at batch 1 and in a large batch, and the
// runtime's counters must show that unselected paths never ran.
//
//===----------------------------------------------------------------------===//

#include "goe/Compiler/Compile.h"
#include "goe/Frontends/Torch/TorchModel.h"
#include "goe/Frontends/Torch/WeightExport.h"
#include "goe/Runtime/Model.h"
#include "goe/Runtime/Session.h"

#include "mlir/IR/MLIRContext.h"

#include <torch/torch.h>

#include <gtest/gtest.h>

#include <algorithm>

#include <fstream>
#include <functional>
#include <sstream>

namespace rt = goe::runtime;

namespace {

struct Compiled {
  std::unique_ptr<goe::torchref::Model> reference;
  std::shared_ptr<const rt::Model> model;
  std::unique_ptr<rt::Session> session;
};

std::string exampleText(const std::string &example) {
  std::ifstream file(std::string(GOE_EXAMPLES_DIR) + "/" + example);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

/// Builds the LibTorch reference and the compiled model with its weights
/// from spec `text`; `adjust` may change the reference's random weights
/// before they are compiled.
Compiled compileText(
    const std::string &text, const std::string &name,
    goe::spec::VarOverrides vars = {}, goe::spec::BuildOptions options = {},
    const std::function<void(goe::torchref::Model &)> &adjust = {}) {
  mlir::DialectRegistry registry;
  goe::registerCompileDialects(registry);
  mlir::MLIRContext context(registry);
  Compiled out;
  auto spec = goe::spec::readSpec(text, name, vars, &context);
  EXPECT_TRUE(mlir::succeeded(spec));
  if (mlir::failed(spec))
    return out;
  goe::torchref::BuildOptions torchOptions{options.routers};
  out.reference = goe::torchref::Model::build(*spec, torchOptions, &context);
  EXPECT_TRUE(out.reference);
  if (!out.reference)
    return out;
  out.reference->initRandom(7);
  if (adjust)
    adjust(*out.reference);

  auto artifact = goe::compile(
      *spec, options,
      goe::WeightSource::given(goe::torchref::exportWeights(*out.reference)),
      goe::CompileOptions(), &context);
  EXPECT_TRUE(mlir::succeeded(artifact));
  if (mlir::failed(artifact))
    return out;
  auto model = rt::Model::fromProto(*artifact);
  EXPECT_TRUE(model.ok()) << model.status().message();
  if (!model.ok())
    return out;
  out.model = model.value();
  auto session = rt::Session::create(out.model);
  EXPECT_TRUE(session.ok()) << session.status().message();
  if (session.ok())
    out.session = std::move(session).value();
  return out;
}

Compiled compile(const std::string &example, goe::spec::VarOverrides vars = {},
                 goe::spec::BuildOptions options = {},
                 const std::function<void(goe::torchref::Model &)> &adjust = {}) {
  return compileText(exampleText(example), example, vars, options, adjust);
}

using goe::torchref::viewOf;

/// max |compiled - reference| / max |reference|.
double relativeError(const rt::Tensor &compiled, const at::Tensor &reference) {
  at::Tensor expected = reference.contiguous().to(at::kFloat);
  std::vector<int64_t> shape(expected.sizes().begin(), expected.sizes().end());
  EXPECT_EQ(compiled.shape(), shape);
  if (compiled.shape() != shape)
    return INFINITY;
  at::Tensor actual =
      torch::from_blob(const_cast<void *>(compiled.data()), expected.sizes(),
                       at::kFloat);
  double scale = std::max(expected.abs().max().item<double>(), 1e-12);
  return (actual - expected).abs().max().item<double>() / scale;
}

/// Runs both on `inputs` (routing by the runtime's own decision, handed to
/// the reference for routers it cannot compute) and returns the worst
/// relative error over the outputs.
double runBoth(Compiled &c, const std::map<std::string, at::Tensor> &inputs,
               rt::RunResult &result, bool passRouting = false) {
  std::vector<rt::TensorView> views;
  for (size_t i = 0; i < c.model->numInputs(); ++i)
    views.push_back(viewOf(inputs.at(c.model->inputName(i))));
  rt::Status status = c.session->run(views, result);
  EXPECT_TRUE(status.ok()) << status.message();
  if (!status.ok())
    return INFINITY;
  std::map<std::string, goe::torchref::Routing> routing;
  if (passRouting) {
    // The graph's one router node: hand the runtime's decisions over.
    EXPECT_EQ(result.routes.size(), 1u);
    goe::torchref::Routing r;
    r.k = result.routes[0].k;
    r.paths = result.routes[0].choices;
    r.weights = result.routes[0].weights;
    routing["route"] = r;
  }
  goe::torchref::ForwardResult expected = c.reference->forward(inputs, routing);
  EXPECT_TRUE(expected.ok()) << expected.error;
  if (!expected.ok())
    return INFINITY;
  // The same routing decisions on both sides.
  for (const rt::RouteDecision &route : result.routes) {
    for (const auto &[node, report] : expected.routes)
      EXPECT_EQ(report.paths, route.choices) << "routes differ at " << node;
  }
  EXPECT_EQ(result.outputs.size(), expected.outputs.size());
  double worst = 0;
  for (size_t i = 0; i < result.outputs.size(); ++i)
    worst = std::max(worst, relativeError(result.outputs[i], expected.outputs[i]));
  return worst;
}

at::Tensor image(std::vector<int64_t> shape, int64_t batch, uint64_t seed) {
  torch::manual_seed(seed);
  shape.insert(shape.begin(), batch);
  return torch::rand(shape);
}

constexpr double kTolerance = 1e-4;

struct TreeExample {
  const char *name;
  const char *spec;
  int64_t depth;
};

class GoEParity : public ::testing::TestWithParam<TreeExample> {};

TEST_P(GoEParity, EveryPathMixedAloneBatch1AndLarge) {
  Compiled c = compile(GetParam().spec);
  ASSERT_TRUE(c.session);
  std::vector<int64_t> shape = c.model->inputSpec(0).shape;
  const int depth = GetParam().depth;
  const int64_t paths = int64_t(1) << (depth - 1);

  // A mixed batch of 37 covering every path, in scrambled order.
  at::Tensor labels = torch::arange(37, at::kLong).remainder(paths).flip(0);
  rt::RunResult result;
  double error = runBoth(c, {{"image", image(shape, 37, 1)}, {"group", labels}},
                         result);
  EXPECT_LE(error, kTolerance);
  ASSERT_EQ(result.dispatches.size(), 1u);
  for (int64_t p = 0; p < paths; ++p)
    EXPECT_GT(result.dispatches[0].samplesPerPath[p], 0) << "path " << p;
  std::printf("%s mixed batch: max relative error %.3g\n", GetParam().spec,
              error);

  // Each path alone: its function runs, no other path's does.
  for (int64_t p = 0; p < paths; ++p) {
    c.model->resetFunctionStats();
    at::Tensor only = torch::full({5}, p, at::kLong);
    EXPECT_LE(runBoth(c, {{"image", image(shape, 5, 10 + p)}, {"group", only}},
                      result),
              kTolerance)
        << "path " << p;
    for (int64_t other = 0; other < paths; ++other) {
      std::string name = "paths.path" + std::to_string(other);
      auto stats = c.model->functionStats(name);
      ASSERT_TRUE(stats.ok()) << name;
      EXPECT_EQ(stats.value().samples, other == p ? 5u : 0u) << name;
    }
  }

  // Batch 1 and a large batch.
  EXPECT_LE(runBoth(c, {{"image", image(shape, 1, 3)},
                        {"group", torch::full({1}, paths - 1, at::kLong)}},
                    result),
            kTolerance);
  at::Tensor many = torch::randint(0, paths, {512}, at::kLong);
  EXPECT_LE(runBoth(c, {{"image", image(shape, 512, 4)}, {"group", many}},
                    result),
            kTolerance);
}

INSTANTIATE_TEST_SUITE_P(Examples, GoEParity,
                         ::testing::Values(TreeExample{"RotatedMnist",
                                                       "rotated_mnist/goe.yaml", 3},
                                           TreeExample{"CelebA", "celeba/goe.yaml",
                                                       4}),
                         [](const ::testing::TestParamInfo<TreeExample> &info) {
                           return std::string(info.param.name);
                         });

TEST(Parity, RandomRouterMatchesWhenDecisionsAreShared) {
  Compiled c = compile("rotated_mnist/goe.yaml", {}, {{{"", "random"}}});
  ASSERT_TRUE(c.session);
  rt::RunResult result;
  at::Tensor labels = torch::zeros({64}, at::kLong); // unused by `random`
  EXPECT_LE(runBoth(c, {{"image", image({1, 28, 28}, 64, 5)}, {"group", labels}},
                    result, /*passRouting=*/true),
            kTolerance);
}

TEST(Parity, RefOnePathNoRouting) {
  Compiled c = compile("rotated_mnist/ref.yaml");
  ASSERT_TRUE(c.session);
  rt::RunResult result;
  double error = runBoth(c, {{"image", image({1, 28, 28}, 33, 11)}}, result);
  EXPECT_LE(error, kTolerance);
  EXPECT_TRUE(result.routes.empty());
  std::printf("ref (no routing): max relative error %.3g\n", error);
}

TEST(Parity, GatedMixtureWithLearnedGate) {
  Compiled c = compile("gated_mixture/cifar10.yaml");
  ASSERT_TRUE(c.session);
  rt::RunResult result;
  double error =
      runBoth(c, {{"image", image({3, 32, 32}, 48, 6)}}, result);
  EXPECT_LE(error, kTolerance);
  std::printf("gated mixture: max relative error %.3g\n", error);
}

TEST(Parity, FashionMnistGatedMixtureEveryPath) {
  at::Tensor x = image({1, 28, 28}, 64, 7);
  // Random weights send every input to expert 0: the gate's last bias is
  // shifted halfway between the two middle logit gaps, so half the inputs
  // go to each expert and none sits on the tie (shifting by the median gap
  // itself ties that input exactly, and rounding then picks its expert).
  auto balanceGate = [&](goe::torchref::Model &model) {
    torch::NoGradGuard noGrad;
    at::Tensor logits = model.runInstance("gate.gate_cnn", {x})[0];
    at::Tensor gaps =
        std::get<0>((logits.select(1, 0) - logits.select(1, 1)).sort());
    int64_t middle = gaps.size(0) / 2;
    at::Tensor shift = (gaps[middle - 1] + gaps[middle]) / 2;
    model.parameters().at("gate.gate_cnn.11.bias")[1] += shift;
  };
  Compiled c = compile("gated_mixture/fashion_mnist.yaml", {}, {}, balanceGate);
  ASSERT_TRUE(c.session);
  rt::RunResult result;
  double error = runBoth(c, {{"image", x}}, result);
  EXPECT_LE(error, kTolerance);
  // Both experts (and their subgates) ran on some of the inputs.
  ASSERT_EQ(result.routes.size(), 1u);
  const std::vector<int64_t> &choices = result.routes[0].choices;
  EXPECT_GT(std::count(choices.begin(), choices.end(), 0), 0);
  EXPECT_GT(std::count(choices.begin(), choices.end(), 1), 0);
  std::printf("fashion-mnist gated mixture: max relative error %.3g\n", error);
}

TEST(Parity, BackboneGatingWithSharedHead) {
  Compiled c = compile("backbone_gating/screws.yaml");
  ASSERT_TRUE(c.session);
  rt::RunResult result;
  double error =
      runBoth(c, {{"image", image({3, 128, 128}, 6, 8)}}, result);
  EXPECT_LE(error, kTolerance);
  std::printf("backbone gating: max relative error %.3g\n", error);
}

TEST(Parity, BackboneGatingDetectorEveryPath) {
  // The YOLOv7-tiny version at 64 x 64: the gate's top-1 choice, then each
  // backbone for every image through the fixed routers (general_only,
  // expert_only), each with the shared head's three detect levels.
  for (const char *router : {"", "general_only", "expert_only"}) {
    goe::spec::BuildOptions options;
    if (*router)
      options.routers[""] = router;
    Compiled c = compile("backbone_gating/detection.yaml", {{"size", 64}},
                         options);
    ASSERT_TRUE(c.session) << router;
    rt::RunResult result;
    double error =
        runBoth(c, {{"image", image({3, 64, 64}, 6, 10)}}, result);
    EXPECT_LE(error, kTolerance) << router;
    ASSERT_EQ(result.routes.size(), 1u);
    const std::vector<int64_t> &choices = result.routes[0].choices;
    if (*router)
      EXPECT_EQ(std::count(choices.begin(), choices.end(),
                           std::string(router) == "general_only" ? 0 : 1),
                (long)choices.size())
          << router;
    std::printf("backbone gating detector (%s): max relative error %.3g\n",
                *router ? router : "gate", error);
  }
}

TEST(Parity, MoEYoloHeadsTopTwoAt64) {
  // Box fusion is a threshold-laden post-process: a 1e-7 difference can
  // flip an NMS decision. So the heads are compared before it: the same
  // graph with the top-2 results merged by weighted_sum instead of wbf
  // checks the backbone, the gate, top-2 routing and every head level.
  std::string text = exampleText("moe_yolov7_tiny/moe.yaml");
  size_t at = text.find("combine: wbf");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, std::string("combine: wbf").size(), "combine: weighted_sum");
  for (const char *param : {" iou: 0.55,", " conf_type: avg,", " nms_conf: 0.001,",
                            " nms_iou: 0.65,", " max_det: 300"}) {
    size_t p = text.find(param);
    ASSERT_NE(p, std::string::npos) << param;
    text.erase(p, std::string(param).size());
  }
  Compiled c = compileText(text, "moe_weighted.yaml", {{"size", 64}});
  ASSERT_TRUE(c.session);
  rt::RunResult result;
  double error = runBoth(c, {{"image", image({3, 64, 64}, 8, 9)}}, result);
  EXPECT_LE(error, kTolerance);
  ASSERT_EQ(result.routes.size(), 1u);
  EXPECT_EQ(result.routes[0].k, 2);
  std::printf("MoE-YOLOv7-tiny heads (64x64, top-2): max relative error %.3g\n",
              error);
}

} // namespace

namespace {

TEST(Parity, MicrokernelConvShapes) {
  // Convolutions of 32 or more output channels run through the C
  // microkernel (passes/lib/ConvMicrokernel.cpp). These shapes reach each
  // of its edges: rows whose width no tile divides (23, 11, 6 output
  // pixels), channel counts past the last multiple of 32 (40, 75), stride
  // 2, 1x1 to 5x5 windows, a 3-channel stem, padding, and weights larger
  // than the input (64 -> 256 at 5 x 5: run block by block, and over
  // 3.7 M MACs, so split over threads below). The LeakyReLUs are folded
  // into the calls (ConvEpilogue.h), on each of those paths: the padded
  // last channels, the block-by-block weights, the split rows. The packed
  // weight blocks are made by the first call and read from then on
  // (goe_packed_weights): batch 5 and the later sessions use them.
  const std::string text = R"(goe: 1
name: microkernel_shapes
inputs:
  image: [3, 23, 23]
modules:
  body:
    layers:
      - {op: conv2d, out: 32, kernel: 3, padding: 1}
      - {op: relu}
      - {op: conv2d, out: 40, kernel: 5, stride: 2, padding: 2}
      - {op: leaky_relu, slope: 0.1}
      - {op: conv2d, out: 75, kernel: 1}
      - {op: leaky_relu, slope: 0.2}
      - {op: conv2d, out: 64, kernel: 3, stride: 2}
      - {op: conv2d, out: 256, kernel: 3, padding: 1}
      - {op: leaky_relu, slope: 0.1}
      - {op: conv2d, out: 16, kernel: 1}
graph:
  - {name: out, module: body, from: image}
outputs: [out]
)";
  Compiled c = compileText(text, "microkernel_shapes.yaml");
  ASSERT_TRUE(c.session);
  for (int64_t batch : {1, 5}) {
    rt::RunResult result;
    double error = runBoth(c, {{"image", image({3, 23, 23}, batch, 12)}},
                           result);
    EXPECT_LE(error, kTolerance) << "batch " << batch;
    std::printf("microkernel shapes, batch %lld: max relative error %.3g\n",
                static_cast<long long>(batch), error);
  }
  // Large layers split their rows over a batch-1 call's idle threads
  // (CpuDevice.h): the same bits at any thread count.
  at::Tensor x = image({3, 23, 23}, 1, 13);
  std::vector<uint8_t> first;
  for (int threads : {1, 2, 3}) {
    rt::SessionOptions options;
    options.threads = threads;
    auto session = rt::Session::create(c.model, options);
    ASSERT_TRUE(session.ok()) << session.status().message();
    rt::RunResult result;
    rt::Status status = (*session)->run({viewOf(x)}, result);
    ASSERT_TRUE(status.ok()) << status.message();
    const rt::Tensor &out = result.outputs.at(0);
    const auto *bytes = static_cast<const uint8_t *>(out.data());
    std::vector<uint8_t> copy(bytes, bytes + out.byteSize());
    if (first.empty())
      first = copy;
    else
      EXPECT_EQ(copy, first) << threads << " threads";
  }
}

} // namespace
