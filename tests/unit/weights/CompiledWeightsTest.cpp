//===- CompiledWeightsTest.cpp - goe-run --weights = goe-compile --weights ===//
//
// One weights file (random, with non-trivial batch-norm statistics and
// latent router tables) compiled in (`goe-compile --weights`) and given at
// load to a model compiled with other weights (`goe-compile --seed` +
// `goe-run --weights`): the stored weights and the outputs are the same
// bits. A file missing a tensor, or with a wrong shape, is refused.

#include "goe/Compiler/ArtifactBuilder.h"
#include "goe/Frontends/Spec/MLIRGen.h"
#include "goe/Frontends/Spec/SpecReader.h"
#include "goe/Passes/Pipelines.h"
#include "goe/Runtime/Artifact.h"
#include "goe/Runtime/Model.h"
#include "goe/Runtime/Session.h"
#include "goe/Runtime/WeightBinding.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <unistd.h>

namespace goe {
namespace {

namespace rt = goe::runtime;
using ::testing::HasSubstr;

struct Case {
  std::string spec;
  spec::VarOverrides vars;
  spec::BuildOptions build;
};

/// The weights file's name in a fresh temporary directory's place.
std::string tempPath(const std::string &name) {
  const char *tmp = std::getenv("TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/goe-weights-test-" +
         std::to_string(getpid()) + "-" + name;
}

artifact::WeightBundle bundleOf(const WeightMap &weights) {
  artifact::WeightBundle bundle;
  for (const auto &entry : weights)
    *bundle.add_tensors() = entry.second;
  return bundle;
}

class CompiledWeights : public ::testing::Test {
protected:
  CompiledWeights() : context(registry()) {}

  static mlir::DialectRegistry registry() {
    mlir::DialectRegistry out;
    spec::registerSpecDialects(out);
    registerCodegenDialects(out);
    return out;
  }

  /// Builds the module of `c`; the trained file is random weights of seed
  /// 11 (batch-norm scales and running variances in [0.5, 1.5], means and
  /// shifts in ±0.1; router tables too).
  void build(const Case &c) {
    auto spec = spec::readSpecFile(c.spec, c.vars, &context);
    ASSERT_TRUE(mlir::succeeded(spec));
    module = spec::buildModule(*spec, c.build, &context);
    ASSERT_TRUE(module);
    trained = bundleOf(randomWeights(*module, 11));
    path =
        tempPath(std::to_string(reinterpret_cast<uintptr_t>(this)) + ".goew");
    ASSERT_TRUE(rt::writeWeightBundle(path, trained).ok());
  }

  ~CompiledWeights() override { std::remove(path.c_str()); }

  /// goe-compile --weights path.
  artifact::Model compileWithFile() {
    mlir::FailureOr<WeightMap> weights = bindWeights(*module, trained);
    EXPECT_TRUE(mlir::succeeded(weights));
    auto model = buildArtifact(*module, *weights, CompileOptions());
    EXPECT_TRUE(mlir::succeeded(model));
    return mlir::succeeded(model) ? *model : artifact::Model();
  }

  /// Why goe-compile --weights refuses `bundle` ("" if it does not).
  std::string compileErrors(const artifact::WeightBundle &bundle) {
    std::string errors;
    mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
      errors += d.str();
      return mlir::success();
    });
    (void)bindWeights(*module, bundle);
    return errors;
  }

  /// goe-compile --seed 3.
  artifact::Model compileWithSeed() {
    auto model =
        buildArtifact(*module, randomWeights(*module, 3), CompileOptions());
    EXPECT_TRUE(mlir::succeeded(model));
    return mlir::succeeded(model) ? *model : artifact::Model();
  }

  /// The model's outputs on 16 fixed random samples (groups 0..3).
  std::vector<std::string> run(const artifact::Model &proto,
                               const std::string &weightsPath) {
    rt::ModelOptions options;
    options.weightsPath = weightsPath;
    auto model = rt::Model::fromProto(proto, options);
    EXPECT_TRUE(model.ok()) << model.status().toString();
    if (!model.ok())
      return {};
    auto session = rt::Session::create(*model);
    EXPECT_TRUE(session.ok());
    std::mt19937 engine(5);
    std::uniform_real_distribution<float> pixel(0, 1);
    std::vector<rt::Tensor> inputs;
    const int64_t batch = 16;
    for (size_t i = 0; i < (*model)->numInputs(); ++i) {
      const rt::TensorSpec &spec = (*model)->inputSpec(i);
      std::vector<int64_t> shape{batch};
      shape.insert(shape.end(), spec.shape.begin(), spec.shape.end());
      int64_t count = batch;
      for (int64_t d : spec.shape)
        count *= d;
      if (spec.dtype == rt::DType::I64) {
        std::vector<int64_t> groups;
        for (int64_t s = 0; s < count; ++s)
          groups.push_back(s % 4);
        inputs.push_back(std::move(rt::Tensor::fromI64(shape, groups)).value());
      } else {
        std::vector<float> values;
        for (int64_t s = 0; s < count; ++s)
          values.push_back(pixel(engine));
        inputs.push_back(std::move(rt::Tensor::fromF32(shape, values)).value());
      }
    }
    rt::RunResult result;
    rt::Status status = (*session)->run(inputs, result);
    EXPECT_TRUE(status.ok()) << status.toString();
    std::vector<std::string> outputs;
    for (const rt::Tensor &out : result.outputs)
      outputs.emplace_back(static_cast<const char *>(out.data()),
                           out.byteSize());
    return outputs;
  }

  /// The whole check for one case.
  void expectSameBits(const Case &c) {
    build(c);
    if (HasFatalFailure())
      return;
    artifact::Model compiled = compileWithFile();
    artifact::Model seeded = compileWithSeed();
    ASSERT_GT(compiled.weights_size(), 0);

    // The stored weights themselves, made at load from the file.
    artifact::Model bound = seeded;
    rt::Status status = rt::bindWeightBundle(trained, bound);
    ASSERT_TRUE(status.ok()) << status.toString();
    ASSERT_EQ(bound.weights_size(), compiled.weights_size());
    for (int i = 0; i < compiled.weights_size(); ++i) {
      EXPECT_EQ(bound.weights(i).name(), compiled.weights(i).name());
      EXPECT_TRUE(bound.weights(i).data() == compiled.weights(i).data())
          << compiled.weights(i).name() << " differs";
    }
    for (int i = 0; i < compiled.routers_size(); ++i) {
      // The whole router, latent tables included.
      EXPECT_EQ(bound.routers(i).SerializeAsString(),
                compiled.routers(i).SerializeAsString())
          << compiled.routers(i).name() << " differs";
    }

    // And what the models compute.
    std::vector<std::string> expected = run(compiled, "");
    std::vector<std::string> atLoad = run(seeded, path);
    std::vector<std::string> seedOnly = run(seeded, "");
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(atLoad, expected);
    EXPECT_NE(seedOnly, expected); // the seed's weights compute otherwise
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  artifact::WeightBundle trained;
  std::string path;
};

TEST_F(CompiledWeights, FoldedBatchNormsAndPrepackedWeights) {
  expectSameBits(
      {std::string(GOE_TEST_INPUTS_DIR) + "/batchnorm.yaml", {}, {}});
}

TEST_F(CompiledWeights, LatentRouterTables) {
  spec::BuildOptions latent;
  latent.routers[""] = "latent";
  expectSameBits({std::string(GOE_EXAMPLES_DIR) + "/rotated_mnist/goe.yaml",
                  {{"p", 2}},
                  latent});
}

TEST_F(CompiledWeights, RefusesAPartialOrMisshapenFile) {
  build({std::string(GOE_TEST_INPUTS_DIR) + "/batchnorm.yaml", {}, {}});
  if (HasFatalFailure())
    return;
  artifact::Model seeded = compileWithSeed();

  artifact::WeightBundle partial;
  for (const artifact::Tensor &t : trained.tensors())
    if (t.name() != "heads.expert2.1.running_var")
      *partial.add_tensors() = t;
  ASSERT_TRUE(rt::writeWeightBundle(path, partial).ok());
  rt::ModelOptions options;
  options.weightsPath = path;
  auto refused = rt::Model::fromProto(seeded, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(),
              HasSubstr("weights file '" + path +
                        "': does not fit the model: "
                        "1 of 37 weight(s) missing: "
                        "'heads.expert2.1.running_var' [4]"));

  // goe-compile --weights refuses it with the same words.
  EXPECT_THAT(
      compileErrors(partial),
      HasSubstr("the weights file does not fit the model: 1 of 37 "
                "weight(s) missing: 'heads.expert2.1.running_var' [4]"));

  artifact::WeightBundle misshapen = trained;
  for (artifact::Tensor &t : *misshapen.mutable_tensors())
    if (t.name() == "heads.expert0.4.weight")
      t.set_shape(1, 195);
  ASSERT_TRUE(rt::writeWeightBundle(path, misshapen).ok());
  refused = rt::Model::fromProto(seeded, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(),
              HasSubstr("'heads.expert0.4.weight' is f32[10, 195], the model "
                        "needs f32[10, 196]"));
  EXPECT_THAT(compileErrors(misshapen),
              HasSubstr("'heads.expert0.4.weight' is f32[10, 195], the model "
                        "needs f32[10, 196]"));
}

} // namespace
} // namespace goe
