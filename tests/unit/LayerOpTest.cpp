//===- LayerOpTest.cpp - the layer op registry ----------------------------===//
//
// The op definitions (frontends/spec/lib/ops/) against what they replaced:
// their MACs against AnnotateMacs' count of the TOSA they emit, their
// defaults against docs/spec.md.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "goe/Frontends/Spec/GraphPlan.h"
#include "goe/Frontends/Spec/SpecReader.h"
#include "goe/Frontends/Spec/ops/Convolution.h"
#include "goe/Frontends/Spec/ops/Pooling.h"
#include "goe/Passes/Passes.h"

#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

using namespace goe::spec;

namespace {

/// Every function's `goe.macs`, by name.
std::map<std::string, int64_t> macsByFunction(mlir::ModuleOp module) {
  std::map<std::string, int64_t> macs;
  for (auto fn : module.getOps<mlir::func::FuncOp>())
    if (auto count = fn->getAttrOfType<mlir::IntegerAttr>("goe.macs"))
      macs[fn.getSymName().str()] = count.getInt();
  return macs;
}

TEST(LayerOp, MacsEqualTheTosaCountOnEveryExample) {
  namespace fs = std::filesystem;
  int instances = 0;
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
      // The frontend's counts (the op definitions'), then the same module
      // counted from its TOSA alone.
      std::map<std::string, int64_t> fromOps = macsByFunction(*module);
      mlir::OwningOpRef<mlir::ModuleOp> tosa = module->clone();
      for (auto fn : tosa->getOps<mlir::func::FuncOp>())
        fn->removeAttr("goe.macs");
      mlir::PassManager pm(context.get());
      pm.addPass(goe::createAnnotateMacs());
      ASSERT_TRUE(succeeded(pm.run(*tosa)));
      std::map<std::string, int64_t> fromTosa = macsByFunction(*tosa);
      for (auto fn : module->getOps<mlir::func::FuncOp>()) {
        if (!fn->hasAttr("goe.module"))
          continue; // not a module instance
        std::string name = fn.getSymName().str();
        ASSERT_TRUE(fromOps.count(name)) << file.path() << ": @" << name;
        EXPECT_EQ(fromOps[name], fromTosa[name]) << file.path() << ": @" << name;
        ++instances;
      }
    }
  }
  EXPECT_GT(instances, 20);
}

TEST(LayerOp, WeightShapesAreTheGlobalsTheEmissionLoads) {
  // The weights rule (what the size limits count) against the weight
  // globals the same layers emit, layer by layer, on every example.
  namespace fs = std::filesystem;
  int layers = 0;
  for (const auto &dir : fs::directory_iterator(GOE_EXAMPLES_DIR)) {
    if (!dir.is_directory())
      continue;
    for (const auto &file : fs::directory_iterator(dir.path())) {
      if (file.path().extension() != ".yaml")
        continue;
      goe::test::Context context;
      auto spec = readSpecFile(file.path().string(), {}, context.get());
      ASSERT_TRUE(succeeded(spec)) << file.path() << ": " << context.lastError();
      auto plan = planGraph(*spec, {}, context.get());
      ASSERT_TRUE(succeeded(plan)) << file.path() << ": " << context.lastError();
      auto module = buildModule(*spec, {}, context.get());
      ASSERT_TRUE(module) << file.path() << ": " << context.lastError();
      std::map<std::string, Shape> globals;
      for (auto global : module->getOps<mlir::ml_program::GlobalOp>()) {
        auto type = mlir::cast<mlir::RankedTensorType>(global.getType());
        globals[global.getSymName().str()] = Shape(type.getShape());
      }
      for (const PlanInstance &instance : plan->instances) {
        for (const ResolvedLayer &layer : instance.resolved.layers) {
          std::string prefix = instance.name + "." +
                               std::to_string(layer.layer->index) + ".";
          std::multiset<Shape> emitted, counted;
          for (const auto &[name, shape] : globals)
            if (name.rfind(prefix, 0) == 0)
              emitted.insert(shape);
          const LayerOp &op = layerOpOf(*layer.layer);
          if (op.weights)
            for (const Shape &shape :
                 op.weights(layerShapes(instance.resolved, layer)))
              counted.insert(shape);
          EXPECT_EQ(emitted, counted) << file.path() << ": " << prefix;
          layers += !counted.empty();
        }
      }
    }
  }
  EXPECT_GT(layers, 100);
}

TEST(LayerOp, MacsCountEveryConvolutionAndLinear) {
  goe::test::Context context;
  auto spec = readSpecFile(std::string(GOE_EXAMPLES_DIR) +
                               "/rotated_mnist/goe.yaml",
                           {}, context.get());
  ASSERT_TRUE(succeeded(spec)) << context.lastError();
  const Module *stage = spec->findModule("stage1");
  ASSERT_NE(stage, nullptr);
  auto resolved = resolveModule(*spec, *stage, {TensorInfo{{1, 28, 28}}},
                                context.get());
  ASSERT_TRUE(succeeded(resolved)) << context.lastError();
  // A 3x3 conv2d from 1 to 8 channels keeps 28x28: 28·28·8 · 3·3·1.
  EXPECT_EQ(moduleMacs(*resolved), 28 * 28 * 8 * 9);
}

TEST(LayerOp, DefaultsThatDependOnOtherFields) {
  Layer conv;
  conv.fields["kernel"].i = 5;
  ops::ConvParams c = ops::convParams(conv);
  EXPECT_EQ(c.padding, 2); // kernel / 2
  EXPECT_EQ(c.stride, 1);
  EXPECT_TRUE(c.bias);
  ops::ConvBlockParams block = ops::convBlockParams(conv);
  EXPECT_EQ(block.norm.eps, 1e-3); // YOLO's, not batchnorm's 1e-5
  EXPECT_EQ(block.act, ops::Activation::LeakyRelu);
  EXPECT_EQ(block.slope, 0.1);

  Layer pool;
  pool.fields["kernel"].i = 3;
  ops::PoolParams p = ops::poolParams(pool);
  EXPECT_EQ(p.stride, 3); // the kernel
  EXPECT_EQ(p.padding, 0);
  pool.fields["stride"].i = 1;
  EXPECT_EQ(ops::poolParams(pool).stride, 1);
}

TEST(LayerOp, NamesAreUniqueAndLookedUp) {
  std::set<std::string> names;
  for (const LayerOp *op : allLayerOps()) {
    EXPECT_TRUE(names.insert(op->name).second) << op->name;
    EXPECT_EQ(findLayerOp(op->name), op);
    EXPECT_NE(op->inferShape, nullptr) << op->name;
    EXPECT_NE(op->macs, nullptr) << op->name;
    EXPECT_NE(op->emit, nullptr) << op->name;
  }
  EXPECT_EQ(findLayerOp("relux"), nullptr);
  EXPECT_EQ(names.size(), 20u);
}

} // namespace
