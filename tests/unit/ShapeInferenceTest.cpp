//===- ShapeInferenceTest.cpp - per-layer shapes of module instances ------===//

#include "TestUtil.h"

#include "goe/Dialect/Goe/GoeOps.h"
#include "goe/Frontends/Spec/SpecReader.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace goe::spec;

namespace {

Spec readExample(goe::test::Context &context, const std::string &relative,
                 VarOverrides vars = {}) {
  auto spec = readSpecFile(std::string(GOE_EXAMPLES_DIR) + "/" + relative,
                           vars, context.get());
  EXPECT_TRUE(succeeded(spec)) << context.lastError();
  return succeeded(spec) ? *spec : Spec();
}

TEST(ShapeInference, YoloBackboneGivesP3P4P5At320) {
  goe::test::Context context;
  Spec spec = readExample(context, "moe_yolov7_tiny/moe.yaml");
  const Module *backbone = spec.findModule("backbone");
  ASSERT_NE(backbone, nullptr);
  ASSERT_EQ(backbone->layers.size(), 29u); // layers 0..28
  auto resolved =
      resolveModule(spec, *backbone, {TensorInfo{{3, 320, 320}}}, context.get());
  ASSERT_TRUE(succeeded(resolved)) << context.lastError();
  ASSERT_EQ(resolved->outputTypes.size(), 3u);
  EXPECT_EQ(resolved->outputTypes[0].shape, (Shape{128, 40, 40}));
  EXPECT_EQ(resolved->outputTypes[1].shape, (Shape{256, 20, 20}));
  EXPECT_EQ(resolved->outputTypes[2].shape, (Shape{512, 10, 10}));
  // The ELAN concats of the reference table: layer 6 has 128 channels,
  // 13 has 256, 20 has 512, 27 has 1024.
  EXPECT_EQ(resolved->layers[6].result.shape, (Shape{128, 80, 80}));
  EXPECT_EQ(resolved->layers[27].result.shape, (Shape{1024, 10, 10}));
}

TEST(ShapeInference, YoloHeadKeepsReferenceNumbering) {
  goe::test::Context context;
  Spec spec = readExample(context, "moe_yolov7_tiny/moe.yaml");
  const Module *head = spec.findModule("head");
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->first, 29);
  auto resolved = resolveModule(spec, *head,
                                {TensorInfo{{128, 40, 40}}, TensorInfo{{256, 20, 20}},
                                 TensorInfo{{512, 10, 10}}},
                                context.get());
  ASSERT_TRUE(succeeded(resolved)) << context.lastError();
  auto layer = [&](int index) { return resolved->layers[index - 29]; };
  // 30 reads -2 = layer 28 = P5 (module input 2); 40 reads 21 = P4.
  EXPECT_EQ(layer(30).inputs, (std::vector<int>{2}));
  EXPECT_EQ(layer(40).inputs, (std::vector<int>{1}));
  EXPECT_EQ(layer(34).result.shape, (Shape{1024, 10, 10})); // SPP concat
  EXPECT_EQ(layer(39).result.shape, (Shape{128, 20, 20}));  // upsample
  EXPECT_EQ(layer(59).result.shape, (Shape{256, 20, 20}));  // [-1, 47]
  EXPECT_EQ(layer(67).result.shape, (Shape{512, 10, 10}));  // [-1, 37]
  ASSERT_EQ(resolved->outputTypes.size(), 3u);
  EXPECT_EQ(resolved->outputTypes[0].shape, (Shape{3, 40, 40, 85}));
  EXPECT_EQ(resolved->outputTypes[1].shape, (Shape{3, 20, 20, 85}));
  EXPECT_EQ(resolved->outputTypes[2].shape, (Shape{3, 10, 10, 85}));
}

TEST(ShapeInference, WindowsFollowPyTorchFloorRule) {
  goe::test::Context context;
  Spec spec = readExample(context, "rotated_mnist/goe.yaml", {{"p", 3}});
  const Module *stage = spec.findModule("stage1");
  // 27x27: conv keeps 27, maxpool 2 floors to 13.
  auto resolved =
      resolveModule(spec, *stage, {TensorInfo{{1, 27, 27}}}, context.get());
  ASSERT_TRUE(succeeded(resolved)) << context.lastError();
  EXPECT_EQ(resolved->outputTypes[0].shape, (Shape{3, 13, 13}));
}

TEST(ShapeInference, WrongInputRankIsReportedAtTheLayer) {
  goe::test::Context context;
  Spec spec = readExample(context, "rotated_mnist/goe.yaml");
  const Module *classifier = spec.findModule("classifier");
  // Skip the flatten: linear on [16, 7, 7] must fail with a hint.
  Module broken = *classifier;
  broken.layers.erase(broken.layers.begin());
  for (size_t i = 0; i < broken.layers.size(); ++i)
    broken.layers[i].index = i;
  auto resolved =
      resolveModule(spec, broken, {TensorInfo{{16, 7, 7}}}, context.get());
  EXPECT_TRUE(failed(resolved));
  EXPECT_NE(context.lastError().find(
                "linear reads a rank-1 tensor, got [16, 7, 7]; add a flatten "
                "layer first"),
            std::string::npos)
      << context.lastError();
}

TEST(ShapeInference, ErrorsAreDiagnosticsAtTheFieldNotExceptions) {
  goe::test::Context context;
  Spec spec = readExample(context, "rotated_mnist/goe.yaml");
  spec.file = "made.yaml";
  Module made;
  made.name = "m";
  made.inputs = {"x"};
  Layer softmax;
  softmax.op = "softmax";
  softmax.loc = {3, 5};
  softmax.fields["axis"].i = 4;
  softmax.fields["axis"].loc = {3, 20};
  made.layers = {softmax};
  auto resolved = resolveModule(spec, made, {TensorInfo{{10}}}, context.get());
  EXPECT_TRUE(failed(resolved));
  EXPECT_EQ(context.lastError(), "3:20: layer 0 of module 'm': axis 4 is out "
                                 "of range for shape [10]");
  // A Spec built in code may name an op the reader would have refused.
  made.layers[0].op = "softmaxx";
  resolved = resolveModule(spec, made, {TensorInfo{{10}}}, context.get());
  EXPECT_TRUE(failed(resolved));
  EXPECT_EQ(context.lastError(),
            "3:5: layer 0 of module 'm': unknown layer op 'softmaxx'");
}

TEST(Examples, EveryExampleBuildsAndVerifies) {
  namespace fs = std::filesystem;
  int built = 0;
  for (const auto &dir : fs::directory_iterator(GOE_EXAMPLES_DIR)) {
    if (!dir.is_directory())
      continue;
    for (const auto &file : fs::directory_iterator(dir.path())) {
      if (file.path().extension() != ".yaml")
        continue;
      goe::test::Context context;
      auto spec = readSpecFile(file.path().string(), {}, context.get());
      ASSERT_TRUE(succeeded(spec)) << file.path() << ": " << context.lastError();
      auto module = buildModule(*spec, {}, context.get());
      ASSERT_TRUE(module) << file.path() << ": " << context.lastError();
      // At most one routing point (Ref has none); every dispatch has as
      // many paths as its router's choices.
      int dispatches = 0;
      module->walk([&](goe::DispatchOp dispatch) {
        ++dispatches;
        EXPECT_EQ((int64_t)dispatch.getNumPaths(),
                  dispatch.getRouting().getType().getChoices());
      });
      EXPECT_LE(dispatches, 1) << file.path();
      ++built;
    }
  }
  EXPECT_EQ(built, 10);
}

} // namespace
