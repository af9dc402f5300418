//===- StructureTest.cpp - the torch model against the MLIR module --------===//
//
// For every example spec: the torch model's instances, parameters and shapes
// must be exactly those of the MLIR module goe::spec::buildModule makes from
// the same spec, since compiled code binds weights by those names and is
// compared against this model output by output.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "goe/Dialect/Goe/GoeOps.h"
#include "goe/Frontends/Spec/SpecReader.h"
#include "goe/Frontends/Torch/TorchModel.h"

#include "mlir/Dialect/MLProgram/IR/MLProgram.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

using namespace goe;

namespace {

using Shapes = std::map<std::string, std::vector<int64_t>>;

const char *const kExamples[] = {
    "rotated_mnist/goe.yaml",     "rotated_mnist/ref.yaml",     "celeba/goe.yaml",
    "moe_yolov7_tiny/moe.yaml",   "gated_mixture/cifar10.yaml",
    "backbone_gating/screws.yaml", "yolov7_tiny/dense.yaml"};

/// A logical per-sample shape from a physical batched MLIR type: drop the
/// batch, and [H, W, C] back to [C, H, W].
std::vector<int64_t> logicalShape(mlir::Type type) {
  auto shape = mlir::cast<mlir::RankedTensorType>(type).getShape().vec();
  shape.erase(shape.begin());
  if (shape.size() == 3)
    shape = {shape[2], shape[0], shape[1]};
  return shape;
}

std::string describe(const Shapes &shapes) {
  std::string text;
  for (const auto &[name, shape] : shapes)
    text += "  " + name + " " + spec::formatShape(shape) + "\n";
  return text;
}

/// Spec, MLIR module and torch model of one example.
struct Built {
  test::Context context;
  spec::Spec spec;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::unique_ptr<torchref::Model> model;

  explicit Built(const std::string &file,
                 const std::map<std::string, std::string> &routers = {}) {
    auto read = spec::readSpecFile(std::string(GOE_EXAMPLES_DIR) + "/" + file,
                                   {}, context.get());
    if (mlir::failed(read))
      return;
    spec = *read;
    spec::BuildOptions mlirOptions;
    mlirOptions.routers = routers;
    module = spec::buildModule(spec, mlirOptions, context.get());
    torchref::BuildOptions torchOptions;
    torchOptions.routers = routers;
    model = torchref::Model::build(spec, torchOptions, context.get());
  }
  bool ok() const { return module && model; }

  Shapes globals() {
    Shapes shapes;
    module->walk([&](mlir::ml_program::GlobalOp global) {
      std::string name = global.getSymName().str();
      EXPECT_EQ(shapes.count(name), 0u) << "duplicate global " << name;
      shapes[name] =
          mlir::cast<mlir::RankedTensorType>(global.getType()).getShape().vec();
    });
    return shapes;
  }
};

class Examples : public ::testing::TestWithParam<const char *> {};

TEST_P(Examples, ParametersAreTheMLIRGlobals) {
  Built built(GetParam());
  ASSERT_TRUE(built.ok()) << built.context.lastError();
  Shapes globals = built.globals();
  Shapes params = built.model->parameterShapes();
  ASSERT_FALSE(globals.empty());
  Shapes missing, extra;
  for (const auto &[name, shape] : globals)
    if (!params.count(name))
      missing[name] = shape;
  for (const auto &[name, shape] : params)
    if (!globals.count(name))
      extra[name] = shape;
  EXPECT_TRUE(missing.empty()) << "globals without a parameter:\n"
                               << describe(missing);
  EXPECT_TRUE(extra.empty()) << "parameters without a global:\n"
                             << describe(extra);
  for (const auto &[name, shape] : globals) {
    if (params.count(name)) {
      EXPECT_EQ(params[name], shape) << name;
    }
  }
  // parameters() is the same set as parameterShapes(), shapes included.
  auto tensors = built.model->parameters();
  EXPECT_EQ(tensors.size(), params.size());
  for (const auto &[name, tensor] : tensors)
    EXPECT_EQ(tensor.sizes().vec(), params[name]) << name;
}

TEST_P(Examples, InstancesAreTheMLIRFunctions) {
  Built built(GetParam());
  ASSERT_TRUE(built.ok()) << built.context.lastError();
  std::vector<std::string> functions;
  built.module->walk([&](mlir::func::FuncOp fn) {
    functions.push_back(fn.getSymName().str());
  });
  EXPECT_EQ(built.model->instanceNames(), functions);
}

// Each instance, run alone, gives the shapes shape inference promised, and
// the MLIR function of the same name declares (read back to channels-first).
TEST_P(Examples, InstanceOutputShapesMatchShapeInference) {
  Built built(GetParam());
  ASSERT_TRUE(built.ok()) << built.context.lastError();
  const int64_t batch = 2;
  for (const std::string &name : built.model->instanceNames()) {
    auto fn = built.module->lookupSymbol<mlir::func::FuncOp>(name);
    ASSERT_TRUE(fn) << name;
    std::vector<at::Tensor> inputs;
    for (const auto &shape : built.model->instanceInputShapes(name)) {
      std::vector<int64_t> batched{batch};
      batched.insert(batched.end(), shape.begin(), shape.end());
      inputs.push_back(at::randn(batched));
    }
    std::vector<at::Tensor> outputs = built.model->runInstance(name, inputs);
    auto expected = built.model->instanceOutputShapes(name);
    ASSERT_EQ(outputs.size(), expected.size()) << name;
    ASSERT_EQ(fn.getFunctionType().getNumResults(), expected.size()) << name;
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::vector<int64_t> batched{batch};
      batched.insert(batched.end(), expected[i].begin(), expected[i].end());
      EXPECT_EQ(outputs[i].sizes().vec(), batched) << name << " output " << i;
      EXPECT_EQ(logicalShape(fn.getFunctionType().getResult(i)), expected[i])
          << name << " output " << i;
      EXPECT_TRUE(at::isfinite(outputs[i]).all().item<bool>()) << name;
    }
  }
}

// The whole graph runs with computed routing (oracle labels, top-k gates)
// and gives the goe.graph's result shapes, except where a wbf combine is
// left to the runtime (the reference returns the raw [B, k, 3, H, W, nc+5]
// levels; box fusion is tested in goe-runtime-tests).
TEST_P(Examples, GraphOutputsMatchTheGraphSignature) {
  Built built(GetParam());
  ASSERT_TRUE(built.ok()) << built.context.lastError();
  built.model->initRandom(3);
  const int64_t batch = 3;
  std::map<std::string, at::Tensor> inputs;
  for (const spec::Input &input : built.spec.inputs) {
    std::vector<int64_t> shape{batch};
    shape.insert(shape.end(), input.shape.begin(), input.shape.end());
    inputs[input.name] = input.isInt ? at::arange(batch, at::kLong)
                                     : at::randn(shape);
  }
  torchref::ForwardResult result = built.model->forward(inputs);
  ASSERT_TRUE(result.ok()) << result.error;
  bool wbf = false;
  for (const spec::Node &node : built.spec.graph)
    wbf |= node.kind == spec::Node::CombineNode && node.target == "wbf";
  goe::GraphOp graph;
  built.module->walk([&](goe::GraphOp op) { graph = op; });
  ASSERT_TRUE(graph);
  if (wbf) {
    ASSERT_EQ(result.outputs.size(), 3u);
    for (const at::Tensor &level : result.outputs) {
      ASSERT_EQ(level.dim(), 6);
      EXPECT_EQ(level.size(0), batch);
      EXPECT_EQ(level.size(1), 2); // k
      EXPECT_EQ(level.size(2), 3);
      EXPECT_EQ(level.size(5), 85);
    }
    return;
  }
  auto types = graph.getResultTypes();
  ASSERT_EQ(result.outputs.size(), types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    // Graph results are channels-first already: only the batch is dynamic.
    auto shape =
        mlir::cast<mlir::RankedTensorType>(types[i]).getShape().vec();
    shape[0] = batch;
    EXPECT_EQ(result.outputs[i].sizes().vec(), shape) << "output " << i;
    EXPECT_TRUE(at::isfinite(result.outputs[i]).all().item<bool>());
  }
  for (const auto &[node, route] : result.routes) {
    int64_t total = 0;
    for (int64_t count : route.counts)
      total += count;
    EXPECT_EQ(total, batch * route.k) << node;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Torch, Examples, ::testing::ValuesIn(kExamples),
    [](const ::testing::TestParamInfo<const char *> &info) {
      // folder_stem: rotated_mnist_goe, rotated_mnist_ref, ...
      std::string name = info.param;
      name = name.substr(0, name.rfind('.'));
      for (char &c : name)
        if (c == '/')
          c = '_';
      return name;
    });

// `--router latent` swaps the router body in: the parameters still match,
// and the swapped-in router (learned state) must be given its routing.
TEST(TorchStructure, RouterSwapKeepsTheGlobalsAndNeedsGivenRouting) {
  Built built("rotated_mnist/goe.yaml", {{"", "latent"}});
  ASSERT_TRUE(built.ok()) << built.context.lastError();
  EXPECT_EQ(built.model->parameterShapes(), built.globals());
  std::map<std::string, at::Tensor> inputs{
      {"image", at::randn({2, 1, 28, 28})},
      {"group", at::zeros({2}, at::kLong)}};
  torchref::ForwardResult missing = built.model->forward(inputs);
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.error.find("latent"), std::string::npos) << missing.error;
  EXPECT_TRUE(missing.outputs.empty());
  torchref::Routing routing;
  routing.paths = {3, 1};
  torchref::ForwardResult given =
      built.model->forward(inputs, {{"route", routing}});
  ASSERT_TRUE(given.ok()) << given.error;
  EXPECT_EQ(given.routes.at("route").counts,
            (std::vector<int64_t>{0, 1, 0, 1}));
}

TEST(TorchStructure, BadInputsGiveErrorsNotAborts) {
  Built built("rotated_mnist/goe.yaml");
  ASSERT_TRUE(built.ok()) << built.context.lastError();
  auto run = [&](std::map<std::string, at::Tensor> inputs,
                 std::map<std::string, torchref::Routing> routing = {}) {
    return built.model->forward(inputs, routing).error;
  };
  at::Tensor image = at::randn({2, 1, 28, 28});
  EXPECT_NE(run({{"image", image}}).find("missing input 'group'"),
            std::string::npos);
  EXPECT_NE(run({{"image", at::randn({2, 28, 28})},
                 {"group", at::zeros({2}, at::kLong)}})
                .find("must be [B] + [1, 28, 28]"),
            std::string::npos);
  EXPECT_NE(run({{"image", image}, {"group", at::full({2}, 7, at::kLong)}})
                .find("chose path 7"),
            std::string::npos);
  torchref::Routing shortRouting;
  shortRouting.paths = {0};
  EXPECT_NE(run({{"image", image}, {"group", at::zeros({2}, at::kLong)}},
                {{"route", shortRouting}})
                .find("has 1 choices for 2 inputs"),
            std::string::npos);
  std::string error;
  EXPECT_FALSE(built.model->setParameter("paths.level0.0.0.weight",
                                         at::zeros({1}), &error));
  EXPECT_NE(error.find("is [8, 1, 3, 3]"), std::string::npos) << error;
}

} // namespace
