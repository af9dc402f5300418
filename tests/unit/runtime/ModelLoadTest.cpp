//===- ModelLoadTest.cpp - referential integrity at load time -----------===//
//
// A broken artifact must fail to load with a message naming the culprit,
// never load and then crash or misbehave in the middle of a run. So must
// code this CPU cannot run.
//
//===----------------------------------------------------------------------===//

#include "TestModels.h"

#include "goe/Runtime/Detection.h"
#include "goe/Runtime/CpuFeatures.h"
#include "goe/Runtime/FileIO.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

namespace goe::runtime::test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

std::string loadError(const artifact::Model &model) {
  StatusOr<std::shared_ptr<const Model>> loaded = Model::fromProto(model);
  EXPECT_FALSE(loaded.ok());
  return loaded.ok() ? "" : loaded.status().message();
}

TEST(ModelLoad, ValidModelLoadsFromFileAndMemory) {
  std::string path = tempPath("oracle.goe");
  ASSERT_TRUE(writeModel(path, oracleModel()).ok());
  StatusOr<std::shared_ptr<const Model>> model = Model::load(path);
  ASSERT_TRUE(model.ok()) << model.status().toString();
  EXPECT_EQ((*model)->name(), "oracle3");
  ASSERT_EQ((*model)->numInputs(), 2u);
  EXPECT_EQ((*model)->inputName(1), "label");
  EXPECT_EQ((*model)->inputSpec(1).dtype, DType::I64);
  ASSERT_EQ((*model)->numOutputs(), 1u);
  EXPECT_EQ((*model)->outputSpec(0).shape, std::vector<int64_t>{4});

  StatusOr<std::string> bytes = serializeModel(oracleModel());
  ASSERT_TRUE(bytes.ok());
  EXPECT_TRUE(Model::loadFromMemory(*bytes).ok());
}

TEST(ModelLoad, LoadPropagatesFileErrors) {
  StatusOr<std::shared_ptr<const Model>> model =
      Model::load(tempPath("absent.goe"));
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::NotFound);
}

TEST(ModelLoad, UnknownFunctionInPath) {
  artifact::Model model = oracleModel();
  model.mutable_steps(1)->mutable_paths(2)->set_functions(1, "nope");
  EXPECT_THAT(loadError(model),
              AllOf(HasSubstr("step 1 (DISPATCH)"), HasSubstr("path 2"),
                    HasSubstr("unknown function 'nope'")));
}

TEST(ModelLoad, UnknownRouter) {
  artifact::Model model = oracleModel();
  model.mutable_steps(0)->set_router("ghost");
  EXPECT_THAT(loadError(model), AllOf(HasSubstr("step 0 (ROUTE)"),
                                      HasSubstr("unknown router 'ghost'")));
}

TEST(ModelLoad, UnknownWeight) {
  artifact::Model model = oracleModel();
  model.mutable_functions(0)->add_weights("missing.weight");
  EXPECT_THAT(loadError(model),
              AllOf(HasSubstr("function 'a'"),
                    HasSubstr("unknown weight 'missing.weight'")));
}

TEST(ModelLoad, WeightSizeMismatch) {
  artifact::Model model = oracleModel();
  addWeight(model, "w", {3, 4}, std::vector<float>(10, 0.0f));
  EXPECT_THAT(loadError(model),
              AllOf(HasSubstr("weight 'w'"), HasSubstr("40 bytes"),
                    HasSubstr("f32[3, 4] needs 48")));
}

TEST(ModelLoad, ValueIdOutOfRange) {
  artifact::Model model = oracleModel();
  model.mutable_steps(2)->set_inputs(0, 9);
  EXPECT_THAT(loadError(model),
              AllOf(HasSubstr("step 2 (COMBINE)"), HasSubstr("value 9"),
                    HasSubstr("outside [0, 5)")));
}

TEST(ModelLoad, ValueUsedBeforeDefinition) {
  artifact::Model model = oracleModel();
  model.mutable_steps(1)->set_inputs(0, 4);
  EXPECT_THAT(loadError(model), HasSubstr("which no earlier step defines"));
}

TEST(ModelLoad, RoutingUsedAsTensor) {
  artifact::Model model = oracleModel();
  model.mutable_steps(1)->set_inputs(0, 2);
  EXPECT_THAT(loadError(model), HasSubstr("a routing, not a tensor"));
}

TEST(ModelLoad, PathCountMustMatchChoices) {
  artifact::Model model = oracleModel();
  model.mutable_routers(0)->set_choices(4);
  EXPECT_THAT(loadError(model),
              HasSubstr("has 3 paths, router 'oracle' has 4 choices"));
}

TEST(ModelLoad, PathTypeMismatch) {
  artifact::Model model = oracleModel();
  addWeight(model, "w", {3, 4}, std::vector<float>(12, 0.0f));
  addWeight(model, "bias", {3}, std::vector<float>(3, 0.0f));
  addFunction(model, "lin", "linear", {valueType({4})}, {valueType({3})},
              {"w", "bias"});
  model.mutable_steps(1)->mutable_paths(1)->set_functions(0, "lin");
  EXPECT_THAT(loadError(model),
              AllOf(HasSubstr("path 1 yields (f32[3])"),
                    HasSubstr("path 0 yields (f32[4])")));
}

TEST(ModelLoad, DeclaredTypeMismatch) {
  artifact::Model model = oracleModel();
  *model.mutable_steps(2)->mutable_types(0) = valueType({5});
  EXPECT_THAT(loadError(model),
              HasSubstr("declares output 0 as f32[5], but computes f32[4]"));
}

TEST(ModelLoad, MissingSymbol) {
  artifact::Model model = oracleModel();
  model.mutable_functions(1)->set_symbol("not_in_library");
  EXPECT_THAT(loadError(model),
              AllOf(HasSubstr("function 'b'"),
                    HasSubstr("_mlir_ciface_not_in_library")));
}

TEST(ModelLoad, NotElfCode) {
  artifact::Model model = oracleModel();
  model.mutable_code(0)->mutable_cpu()->set_shared_object("this is not a library");
  EXPECT_THAT(loadError(model), HasSubstr("not an ELF shared library"));
}

TEST(ModelLoad, NoCpuCode) {
  // GPU-only code (goe-compile --target=cuda) loads; a CPU session on it is
  // refused with the reason.
  artifact::Model model = oracleModel();
  model.mutable_code(0)->set_target("cuda-sm_90");
  std::shared_ptr<const Model> loaded = mustLoad(model);
  StatusOr<std::unique_ptr<Session>> session = Session::create(loaded);
  ASSERT_FALSE(session.ok());
  EXPECT_THAT(session.status().message(), HasSubstr("no CPU code"));
  // No code at all is still a load error.
  model.clear_code();
  EXPECT_THAT(loadError(model), HasSubstr("no cpu-x86_64 code object"));
}

TEST(ModelLoad, UnknownRouterKindAndBadK) {
  // No kind, as an artifact from a newer compiler with a kind this runtime
  // does not know parses.
  artifact::Model model = oracleModel();
  model.mutable_routers(0)->clear_kind();
  EXPECT_THAT(loadError(model),
              HasSubstr("router 'oracle' has no kind this runtime knows "
                        "(oracle, random, topk, vqvae_hclust, "
                        "cluster_gate, fixed)"));
  model = oracleModel();
  model.mutable_routers(0)->set_k(4);
  EXPECT_THAT(loadError(model), HasSubstr("k must be in [1, choices]"));
}

TEST(ModelLoad, OracleNeedsI64Label) {
  artifact::Model model = oracleModel();
  *model.mutable_inputs(1)->mutable_type() = valueType({}, artifact::F32);
  EXPECT_THAT(loadError(model), HasSubstr("one i64 label per sample"));
}

TEST(ModelLoad, TransposeMustKeepBatch) {
  artifact::Model model;
  addInput(model, "x", valueType({2, 3}));
  artifact::Step &t = addStep(model, artifact::Step::TRANSPOSE, {0}, {1});
  t.add_perm(1);
  t.add_perm(0);
  t.add_perm(2);
  model.add_outputs(1);
  model.set_num_values(2);
  EXPECT_THAT(loadError(model), HasSubstr("moves the batch dimension"));
  t.set_perm(0, 0);
  t.set_perm(1, 1);
  t.set_perm(2, 1);
  EXPECT_THAT(loadError(model), HasSubstr("is not a permutation"));
}

/// A wbf combine of one [1, 3, 1, 1, 7] level under a random router.
artifact::Model wbfOnly(const artifact::WbfCombine &wbf) {
  artifact::Combine combine;
  *combine.mutable_wbf() = wbf;
  return levelCombineModel({1, 3, 1, 1, 7}, 1, 1, combine);
}

TEST(ModelLoad, WbfNeedsImageSize) {
  EXPECT_THAT(loadError(wbfOnly(artifact::WbfCombine())),
              HasSubstr("image_width and image_height"));
}

TEST(ModelLoad, WbfFieldsLeftOutTakeDetectionDefaults) {
  artifact::WbfCombine wbf;
  wbf.set_image_width(64);
  wbf.set_image_height(48);
  std::shared_ptr<const Model> loaded = mustLoad(wbfOnly(wbf));
  ASSERT_TRUE(loaded);
  // max_det left out: NmsOptions' default.
  EXPECT_EQ(loaded->outputSpec(0).shape,
            (std::vector<int64_t>{NmsOptions().maxDetections, 6}));
  wbf.set_max_det(7);
  loaded = mustLoad(wbfOnly(wbf));
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->outputSpec(0).shape,
            (std::vector<int64_t>{7, 6}));
  wbf.set_max_det(0);
  EXPECT_THAT(loadError(wbfOnly(wbf)), HasSubstr("max_det must be in [1, 1e6]"));
  wbf.clear_max_det();
  wbf.set_conf_type(static_cast<artifact::WbfCombine::ConfType>(9));
  EXPECT_THAT(loadError(wbfOnly(wbf)),
              HasSubstr("wbf conf_type 9 is not one this runtime knows"));
}

TEST(ModelLoad, CombineWithoutKind) {
  artifact::Model model = oracleModel();
  model.mutable_steps(2)->clear_combine();
  EXPECT_THAT(loadError(model),
              HasSubstr("step 2 (COMBINE): has no combine kind this runtime "
                        "knows (select, weighted_sum, importance_mix, wbf, "
                        "nms)"));
}

TEST(ModelLoad, NumValuesBounded) {
  artifact::Model model = oracleModel();
  model.set_num_values(1 << 30);
  EXPECT_THAT(loadError(model), HasSubstr("num_values is 1073741824"));
}

TEST(ModelLoad, WeightBundleBindsEveryWeight) {
  artifact::Model model;
  addInput(model, "x", valueType({4}));
  addWeight(model, "w", {3, 4}, std::vector<float>(12, 0.0f));
  addWeight(model, "bias", {3}, {0, 0, 0});
  // Stored as the weights file names them (WeightBinding.h).
  for (const auto &[name, shape] :
       std::vector<std::pair<std::string, std::vector<int64_t>>>{
           {"w", {3, 4}}, {"bias", {3}}}) {
    artifact::WeightSource *source = model.add_weight_sources();
    source->set_name(name);
    for (int64_t d : shape)
      source->add_shape(d);
    artifact::WeightRecipe *recipe = model.add_weight_recipes();
    recipe->set_name(name);
    recipe->add_sources(name);
  }
  addFunction(model, "lin", "linear", {valueType({4})}, {valueType({3})},
              {"w", "bias"});
  addStep(model, artifact::Step::CALL, {0}, {1}).set_function("lin");
  model.add_outputs(1);
  model.set_num_values(2);
  addCode(model);

  artifact::WeightBundle bundle;
  artifact::Tensor *bias = bundle.add_tensors();
  bias->set_name("bias");
  bias->add_shape(3);
  std::vector<float> values{7, 8, 9};
  bias->set_data(std::string(reinterpret_cast<const char *>(values.data()), 12));
  std::string path = tempPath("bias.goew");
  ASSERT_TRUE(writeWeightBundle(path, bundle).ok());
  ModelOptions options;
  options.weightsPath = path;

  // A file with only some of the weights is refused, naming the others.
  StatusOr<std::shared_ptr<const Model>> partial = Model::fromProto(model, options);
  ASSERT_FALSE(partial.ok());
  EXPECT_THAT(partial.status().message(),
              HasSubstr("1 of 2 weight(s) missing: 'w' [3, 4]"));

  artifact::Tensor *w = bundle.add_tensors();
  w->set_name("w");
  w->add_shape(3);
  w->add_shape(4);
  std::vector<float> ones(12, 1.0f);
  w->set_data(std::string(reinterpret_cast<const char *>(ones.data()), 48));
  ASSERT_TRUE(writeWeightBundle(path, bundle).ok());
  StatusOr<std::shared_ptr<const Model>> loaded = Model::fromProto(model, options);
  ASSERT_TRUE(loaded.ok()) << loaded.status().toString();
  std::unique_ptr<Session> session = std::move(Session::create(*loaded)).value();
  RunResult result;
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({1, 4}, {1, 1, 1, 1}));
  ASSERT_TRUE(session->run(inputs, result).ok());
  const float *y = result.outputs[0].f32();
  EXPECT_EQ(y[0], 11);
  EXPECT_EQ(y[2], 13);

  bias->set_shape(0, 4);
  ASSERT_TRUE(writeWeightBundle(path, bundle).ok());
  StatusOr<std::shared_ptr<const Model>> bad = Model::fromProto(model, options);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("'bias' is f32[4], the model needs f32[3]"));
}

} // namespace
} // namespace goe::runtime::test

//===----------------------------------------------------------------------===//
// CPU features: the code object names the features its code needs, and a
// CPU without one of them refuses the model at load.
//===----------------------------------------------------------------------===//

namespace goe::runtime::test {
namespace {

/// goe-compile on tests/tools/Inputs/tiny.yaml with `flags`; the artifact's
/// path, or "" (a test failure names the command and its output).
std::string compileTiny(const std::string &name, const std::string &flags) {
  std::string path = tempPath(name);
  std::string log = tempPath(name + ".log");
  std::string command = std::string(GOE_COMPILE) + " " + GOE_TINY_SPEC +
                        " --seed 1 " + flags + " -o " + path + " > " + log +
                        " 2>&1";
  if (std::system(command.c_str()) != 0) {
    StatusOr<std::string> output = readFileBytes(log);
    ADD_FAILURE() << command << " failed:\n"
                  << (output.ok() ? *output : output.status().message());
    return "";
  }
  return path;
}

const artifact::CpuCode *cpuCode(const artifact::Model &model) {
  for (const artifact::CodeObject &code : model.code())
    if (code.has_cpu())
      return &code.cpu();
  return nullptr;
}

/// A feature of the runtime's list this CPU lacks ("" if it has them all).
std::string missingFeature() {
  for (const std::string &name : knownCpuFeatures())
    if (!cpuHasFeature(name))
      return name;
  return "";
}

TEST(CpuFeatures, DetectionAgreesWithTheCompilersBuiltin) {
#if defined(__x86_64__)
  // GCC and Clang read cpuid too; the names they share with LLVM's must
  // get the same answer.
#define GOE_SAME_AS_BUILTIN(name)                                              \
  EXPECT_EQ(cpuHasFeature(name), __builtin_cpu_supports(name) != 0) << name
  GOE_SAME_AS_BUILTIN("cmov");
  GOE_SAME_AS_BUILTIN("sse2");
  GOE_SAME_AS_BUILTIN("sse4.2");
  GOE_SAME_AS_BUILTIN("popcnt");
  GOE_SAME_AS_BUILTIN("avx");
  GOE_SAME_AS_BUILTIN("avx2");
  GOE_SAME_AS_BUILTIN("fma");
  GOE_SAME_AS_BUILTIN("bmi2");
  GOE_SAME_AS_BUILTIN("avx512f");
  GOE_SAME_AS_BUILTIN("avx512bw");
  GOE_SAME_AS_BUILTIN("avx512vl");
  GOE_SAME_AS_BUILTIN("avx512vnni");
  GOE_SAME_AS_BUILTIN("avx512bf16");
  GOE_SAME_AS_BUILTIN("avx512vp2intersect");
  GOE_SAME_AS_BUILTIN("fma4");
  GOE_SAME_AS_BUILTIN("xop");
#undef GOE_SAME_AS_BUILTIN
  EXPECT_TRUE(cpuHasFeature("sse2")) << "every x86-64 CPU has SSE2";
#endif
  EXPECT_FALSE(isKnownCpuFeature("avx9000"));
  EXPECT_FALSE(cpuHasFeature("avx9000"));
  EXPECT_EQ(missingCpuFeatures({"sse2", "avx9000"}),
            std::vector<std::string>{"avx9000"});
}

TEST(CpuFeatures, X8664V3CodeRecordsItsLevelLoadsAndRuns) {
  if (!cpuHasFeature("avx2") || !cpuHasFeature("fma"))
    GTEST_SKIP() << "this CPU is below x86-64-v3";
  std::string path = compileTiny("v3.goe", "--cpu=x86-64-v3");
  ASSERT_FALSE(path.empty());
  StatusOr<artifact::Model> proto = readModel(path);
  ASSERT_TRUE(proto.ok()) << proto.status().toString();
  const artifact::CpuCode *code = cpuCode(*proto);
  ASSERT_NE(code, nullptr);
  EXPECT_EQ(code->cpu(), "x86-64-v3");
  std::vector<std::string> features(code->features().begin(),
                                    code->features().end());
  for (const char *needed : {"avx", "avx2", "fma", "bmi2", "sse4.2"})
    EXPECT_THAT(features, ::testing::Contains(needed));
  // x86-64-v3 code must not need AVX-512.
  EXPECT_THAT(features, ::testing::Not(::testing::Contains("avx512f")));

  StatusOr<std::shared_ptr<const Model>> model = Model::load(path);
  ASSERT_TRUE(model.ok()) << model.status().toString();
  StatusOr<std::unique_ptr<Session>> session = Session::create(*model);
  ASSERT_TRUE(session.ok()) << session.status().toString();
  std::vector<float> image(2 * 16);
  for (size_t i = 0; i < image.size(); ++i)
    image[i] = 0.1f * static_cast<float>(i);
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({2, 1, 4, 4}, image));
  inputs.push_back(i64Tensor({2}, {0, 1}));
  RunResult result;
  Status status = (*session)->run(inputs, result);
  ASSERT_TRUE(status.ok()) << status.toString();
  ASSERT_EQ(result.outputs.size(), 1u);
  EXPECT_EQ(result.outputs[0].shape(), (std::vector<int64_t>{2, 3}));
}

TEST(CpuFeatures, ForgedRequirementIsRefusedNamingTheFeature) {
  std::string missing = missingFeature();
  if (missing.empty())
    GTEST_SKIP() << "this CPU has every feature goe checks";
  std::string path = compileTiny("native.goe", "");
  ASSERT_FALSE(path.empty());
  ASSERT_TRUE(Model::load(path).ok()) << "native code must load here";

  // The same artifact, claiming to need a feature this CPU lacks and one
  // no runtime knows, written back with a valid header and checksum.
  StatusOr<artifact::Model> proto = readModel(path);
  ASSERT_TRUE(proto.ok());
  artifact::CodeObject *code = nullptr;
  for (artifact::CodeObject &candidate : *proto->mutable_code())
    if (candidate.has_cpu())
      code = &candidate;
  ASSERT_NE(code, nullptr);
  code->mutable_cpu()->add_features(missing);
  std::string forged = tempPath("forged.goe");
  ASSERT_TRUE(writeModel(forged, *proto).ok());

  StatusOr<std::shared_ptr<const Model>> model = Model::load(forged);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::FailedPrecondition);
  EXPECT_THAT(model.status().message(),
              AllOf(HasSubstr("model 'tiny'"),
                    HasSubstr("compiled for " + code->cpu().cpu()),
                    HasSubstr("CPU features this CPU lacks: " + missing),
                    HasSubstr("--cpu=")));

  code->mutable_cpu()->add_features("avx9000");
  ASSERT_TRUE(writeModel(forged, *proto).ok());
  model = Model::load(forged);
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(),
              HasSubstr("CPU features this runtime cannot check: avx9000"));
}

} // namespace
} // namespace goe::runtime::test
