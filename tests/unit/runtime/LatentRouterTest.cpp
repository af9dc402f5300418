//===- LatentRouterTest.cpp - vqvae_hclust routing in the runtime --------===//
//
// An artifact with a vqvae_hclust router whose "encoder" (kernels.c latent)
// copies x [4] into a [2, 1, 2] latent: two positions of code_dim 2. With the
// codebook {(0,0), (1,0), (0,1)} and one centre per path, every input's
// path is known by hand; the paths then run as in the oracle model.
//
//===----------------------------------------------------------------------===//

#include "TestModels.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace goe::runtime::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

artifact::Tensor table(std::vector<int64_t> shape, std::vector<float> values) {
  artifact::Tensor t;
  for (int64_t d : shape)
    t.add_shape(d);
  t.set_dtype(artifact::F32);
  t.set_data(std::string(reinterpret_cast<const char *>(values.data()),
                         values.size() * sizeof(float)));
  return t;
}

artifact::Model latentModel() {
  artifact::Model model;
  model.set_name("latent3");
  addInput(model, "x", valueType({4}));
  addFunction(model, "a", "affine_a", {valueType({4})}, {valueType({4})});
  addFunction(model, "b", "affine_b", {valueType({4})}, {valueType({4})});
  addFunction(model, "enc", "latent", {valueType({4})}, {valueType({2, 1, 2})});
  addRouter(model, "latent", artifact::Router::kVqvaeHclust, 3, 1, "enc");
  artifact::Router &router = *model.mutable_routers(0);
  *router.mutable_vqvae_hclust()->mutable_codebook() = table({3, 2}, {0, 0, 1, 0, 0, 1});
  // Path p's centre: both positions code 0; both code 1; codes (2, 1).
  *router.mutable_vqvae_hclust()->mutable_centres() = table({3, 4}, {0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0});
  addStep(model, artifact::Step::ROUTE, {0}, {1}).set_router("latent");
  artifact::Step &dispatch = addStep(model, artifact::Step::DISPATCH, {0}, {2});
  dispatch.set_routing(1);
  dispatch.add_paths()->add_functions("a");
  dispatch.add_paths()->add_functions("b");
  auto *both = dispatch.add_paths();
  both->add_functions("a");
  both->add_functions("b");
  artifact::Step &combine = addStep(model, artifact::Step::COMBINE, {2}, {3});
  combine.set_routing(1);
  combine.mutable_combine()->mutable_select();
  model.add_outputs(3);
  model.set_num_values(4);
  addCode(model);
  return model;
}

TEST(LatentRouter, NearestCodeThenNearestCentreGivesThePath) {
  std::shared_ptr<const Model> model = mustLoad(latentModel());
  ASSERT_TRUE(model);
  StatusOr<std::unique_ptr<Session>> session = Session::create(model);
  ASSERT_TRUE(session.ok());
  // Quantised: (0,0)(0,0) -> path 0; (1,0)(1,0) -> 1; (0,1)(1,0) -> 2; the
  // last is nearest to (1,0)(0,0), whose nearest centre is path 0 (distance
  // 1 to paths 0 and 1 alike: the lower index wins).
  std::vector<float> x{0.1f, 0.1f, -0.1f, 0.2f,  0.9f, 0.1f, 1.2f, 0.0f,
                       0.1f, 0.8f, 0.7f,  0.1f,  0.8f, 0.0f, 0.1f, 0.1f};
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({4, 4}, x));
  RunResult result;
  Status status = (*session)->run(inputs, result);
  ASSERT_TRUE(status.ok()) << status.toString();
  ASSERT_EQ(result.routes.size(), 1u);
  EXPECT_THAT(result.routes[0].choices, ElementsAre(0, 1, 2, 0));
  EXPECT_THAT(result.dispatches[0].samplesPerPath, ElementsAre(2, 1, 1));
  const float *out = result.outputs[0].f32();
  std::vector<int64_t> paths{0, 1, 2, 0};
  for (int64_t b = 0; b < 4; ++b)
    for (int64_t i = 0; i < 4; ++i)
      EXPECT_FLOAT_EQ(out[b * 4 + i], pathResult(paths[b], x[b * 4 + i]));
}

TEST(LatentRouter, MissingTablesAreALoadError) {
  // A used router without tables; then one with centres only.
  artifact::Model model = latentModel();
  model.mutable_routers(0)->mutable_vqvae_hclust()->clear_codebook();
  model.mutable_routers(0)->mutable_vqvae_hclust()->clear_centres();
  StatusOr<std::shared_ptr<const Model>> loaded = Model::fromProto(model);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(),
              HasSubstr("router 'latent' (vqvae_hclust) has no codebook and "
                        "centres: compile weights trained with goe-train "
                        "--router latent"));
  model = latentModel();
  model.mutable_routers(0)->mutable_vqvae_hclust()->clear_codebook();
  loaded = Model::fromProto(model);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(),
              HasSubstr("the codebook must be [codes, code_dim]"));
}

TEST(LatentRouter, AnUnusedRouterNeedsNoTables) {
  // A spec may declare a latent router it does not place: its artifact
  // entry has no tables and must still load.
  artifact::Model model = latentModel();
  addRouter(model, "spare", artifact::Router::kVqvaeHclust, 3, 1, "enc");
  EXPECT_TRUE(Model::fromProto(model).ok());
}

TEST(LatentRouter, MisshapenCentresAreALoadError) {
  artifact::Model model = latentModel();
  *model.mutable_routers(0)->mutable_vqvae_hclust()->mutable_centres() = table({3, 2}, {0, 0, 0, 0, 0, 0});
  StatusOr<std::shared_ptr<const Model>> loaded = Model::fromProto(model);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(),
              HasSubstr("the centres is [3, 2] f32, expected f32 [3, 4]"));
}

TEST(LatentRouter, NonFiniteCodebookIsALoadError) {
  artifact::Model model = latentModel();
  *model.mutable_routers(0)->mutable_vqvae_hclust()->mutable_codebook() =
      table({3, 2}, {0, 0, 1, 0, 0, std::numeric_limits<float>::quiet_NaN()});
  StatusOr<std::shared_ptr<const Model>> loaded = Model::fromProto(model);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("non-finite"));
}

} // namespace
} // namespace goe::runtime::test
