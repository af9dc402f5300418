//===- WeightBindingTest.cpp - a weights file bound by recipes ------------===//
//
// A hand-made artifact whose stored weights are a folded, prepacked
// convolution weight, its folded bias and a prepacked linear weight: a
// complete weights file makes all of them, anything less is refused with
// the list of what is wrong, and the model is left as it was.

#include "goe/Runtime/WeightBinding.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

namespace goe::runtime {
namespace {

using ::testing::HasSubstr;

artifact::Tensor tensor(const std::string &name, std::vector<int64_t> shape,
                        const std::vector<float> &values) {
  artifact::Tensor t;
  t.set_name(name);
  for (int64_t d : shape)
    t.add_shape(d);
  t.set_data(values.data(), values.size() * sizeof(float));
  return t;
}

std::vector<float> valuesOf(const artifact::Tensor &t) {
  std::vector<float> out(t.data().size() / sizeof(float));
  std::memcpy(out.data(), t.data().data(), t.data().size());
  return out;
}

void addSource(artifact::Model &model, const std::string &name,
               std::vector<int64_t> shape) {
  artifact::WeightSource *source = model.add_weight_sources();
  source->set_name(name);
  for (int64_t d : shape)
    source->add_shape(d);
}

/// Stored: c.folded_weight.hwcf [1, 1, 1, 2] = transpose(fold(c.weight
/// [2, 1, 1, 1])), c.folded_bias [2] (no conv bias), l.weight.io [2, 3].
artifact::Model foldedModel() {
  artifact::Model model;
  addSource(model, "c.weight", {2, 1, 1, 1});
  for (const char *bn :
       {"bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"})
    addSource(model, bn, {2});
  addSource(model, "l.weight", {3, 2});
  *model.add_weights() = tensor("c.folded_weight.hwcf", {1, 1, 1, 2}, {0, 0});
  *model.add_weights() = tensor("c.folded_bias", {2}, {0, 0});
  *model.add_weights() = tensor("l.weight.io", {2, 3}, std::vector<float>(6));

  artifact::WeightRecipe *w = model.add_weight_recipes();
  w->set_name("c.folded_weight.hwcf");
  for (const char *s : {"c.weight", "bn.weight", "bn.running_var"})
    w->add_sources(s);
  w->add_transforms()->mutable_fold_batch_norm_weight()->set_eps(1.0f);
  artifact::WeightTransform::Transpose *hwcf =
      w->add_transforms()->mutable_transpose();
  for (int d : {2, 3, 1, 0})
    hwcf->add_perm(d);
  artifact::WeightRecipe *b = model.add_weight_recipes();
  b->set_name("c.folded_bias");
  for (const char *s :
       {"bn.running_mean", "bn.weight", "bn.running_var", "bn.bias"})
    b->add_sources(s);
  b->add_transforms()->mutable_fold_batch_norm_bias()->set_eps(1.0f);
  artifact::WeightRecipe *l = model.add_weight_recipes();
  l->set_name("l.weight.io");
  l->add_sources("l.weight");
  artifact::WeightTransform::Transpose *io =
      l->add_transforms()->mutable_transpose();
  for (int d : {1, 0})
    io->add_perm(d);
  return model;
}

/// gamma [2, 1], var [15, 0], eps 1: s = [0.5, 1].
artifact::WeightBundle fullBundle() {
  artifact::WeightBundle bundle;
  *bundle.add_tensors() = tensor("c.weight", {2, 1, 1, 1}, {4, 6});
  *bundle.add_tensors() = tensor("bn.weight", {2}, {2, 1});
  *bundle.add_tensors() = tensor("bn.bias", {2}, {0.5, -1});
  *bundle.add_tensors() = tensor("bn.running_mean", {2}, {1, 0});
  *bundle.add_tensors() = tensor("bn.running_var", {2}, {15, 0});
  *bundle.add_tensors() = tensor("l.weight", {3, 2}, {1, 2, 3, 4, 5, 6});
  return bundle;
}

artifact::WeightBundle without(const std::string &name) {
  artifact::WeightBundle bundle = fullBundle();
  artifact::WeightBundle out;
  for (const artifact::Tensor &t : bundle.tensors())
    if (t.name() != name)
      *out.add_tensors() = t;
  return out;
}

TEST(WeightBinding, MakesEveryStoredWeight) {
  artifact::Model model = foldedModel();
  Status status = bindWeightBundle(fullBundle(), model);
  ASSERT_TRUE(status.ok()) << status.toString();
  EXPECT_EQ(valuesOf(model.weights(0)), (std::vector<float>{2, 6}));
  // (0 - 1) * 0.5 + 0.5, (0 - 0) * 1 - 1.
  EXPECT_EQ(valuesOf(model.weights(1)), (std::vector<float>{0, -1}));
  EXPECT_EQ(valuesOf(model.weights(2)), (std::vector<float>{1, 3, 5, 2, 4, 6}));
}

TEST(WeightBinding, RefusesAMissingTensorByName) {
  artifact::Model model = foldedModel();
  artifact::Model before = model;
  Status status = bindWeightBundle(without("bn.running_var"), model);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(),
              HasSubstr("1 of 6 weight(s) missing: 'bn.running_var' [2]"));
  EXPECT_EQ(model.SerializeAsString(), before.SerializeAsString());
}

TEST(WeightBinding, ListsEveryProblem) {
  artifact::Model model = foldedModel();
  artifact::WeightBundle bundle = without("c.weight");
  for (artifact::Tensor &t : *bundle.mutable_tensors())
    if (t.name() == "l.weight")
      t = tensor("l.weight", {2, 3}, {1, 2, 3, 4, 5, 6});
  *bundle.add_tensors() = tensor("aux.weight", {1}, {0});
  Status status = bindWeightBundle(bundle, model);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(),
              HasSubstr("1 of 6 weight(s) missing: 'c.weight' [2, 1, 1, 1]"));
  EXPECT_THAT(status.message(),
              HasSubstr("'l.weight' is f32[2, 3], the model needs f32[3, 2]"));
  EXPECT_THAT(status.message(),
              HasSubstr("1 tensor(s) the model does not have (another spec "
                        "or --var?): 'aux.weight'"));
}

TEST(WeightBinding, NamesFromTheFileAreEscapedInMessages) {
  // A hostile weights file: a tensor name with a NUL byte and a terminal
  // escape. The message shows them escaped, never raw.
  using namespace std::string_literals;
  artifact::Model model = foldedModel();
  artifact::WeightBundle bundle = fullBundle();
  *bundle.add_tensors() = tensor("aux\0\x1b[2J"s, {1}, {0});
  Status status = bindWeightBundle(bundle, model);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message().find('\0'), std::string::npos);
  EXPECT_EQ(status.message().find('\x1b'), std::string::npos);
  EXPECT_THAT(status.message(), HasSubstr("'aux\\x00\\x1b[2J'"));
}

TEST(WeightBinding, RefusesShortDataAndDuplicates) {
  artifact::Model model = foldedModel();
  artifact::WeightBundle bundle = without("bn.bias");
  *bundle.add_tensors() = tensor("bn.bias", {2}, {1});
  EXPECT_THAT(bindWeightBundle(bundle, model).message(),
              HasSubstr("'bn.bias' has 4 bytes of data, f32[2] needs 8"));
  *bundle.add_tensors() = tensor("bn.bias", {2}, {1, 2});
  EXPECT_THAT(bindWeightBundle(bundle, model).message(),
              HasSubstr("holds 'bn.bias' twice"));
}

TEST(WeightBinding, NeedsTheArtifactsRecipes) {
  artifact::Model model = foldedModel();
  model.clear_weight_sources();
  EXPECT_THAT(bindWeightBundle(fullBundle(), model).message(),
              HasSubstr("does not record which weights it is made of"));
  model = foldedModel();
  model.mutable_weight_recipes()->RemoveLast();
  EXPECT_THAT(bindWeightBundle(fullBundle(), model).message(),
              HasSubstr("weight 'l.weight.io' has no recipe"));
  model = foldedModel();
  model.mutable_weight_recipes(2)->set_sources(0, "bn.weight");
  EXPECT_THAT(bindWeightBundle(fullBundle(), model).message(),
              HasSubstr("weight 'l.weight.io': its recipe fails: transpose"));
}

TEST(WeightBinding, ReplacesAndClearsRouterTables) {
  artifact::Model model = foldedModel();
  artifact::Router *used = model.add_routers();
  used->set_name("latent");
  *used->mutable_vqvae_hclust()->mutable_codebook() = tensor("latent.codebook", {2, 1}, {0, 0});
  *used->mutable_vqvae_hclust()->mutable_centres() = tensor("latent.centres", {1, 1}, {0});
  artifact::Router *unused = model.add_routers();
  unused->set_name("spare");
  *unused->mutable_vqvae_hclust()->mutable_codebook() = tensor("spare.codebook", {2, 1}, {0, 0});
  *unused->mutable_vqvae_hclust()->mutable_centres() = tensor("spare.centres", {1, 1}, {0});
  artifact::Step *route = model.add_steps();
  route->set_kind(artifact::Step::ROUTE);
  route->set_router("latent");

  artifact::Model copy = model;
  EXPECT_THAT(bindWeightBundle(fullBundle(), copy).message(),
              HasSubstr("router 'latent' routes this model and needs both "
                        "'latent.codebook' and 'latent.centres'"));
  artifact::WeightBundle bundle = fullBundle();
  *bundle.add_tensors() = tensor("latent.codebook", {2, 1}, {3, 4});
  *bundle.add_tensors() = tensor("latent.centres", {1, 1}, {5});
  ASSERT_TRUE(bindWeightBundle(bundle, model).ok());
  EXPECT_EQ(valuesOf(model.routers(0).vqvae_hclust().codebook()), (std::vector<float>{3, 4}));
  EXPECT_EQ(valuesOf(model.routers(0).vqvae_hclust().centres()), (std::vector<float>{5}));
  // goe-compile --weights attaches an unused router's tables only if the
  // file has them.
  EXPECT_FALSE(model.routers(1).vqvae_hclust().has_codebook());
  EXPECT_FALSE(model.routers(1).vqvae_hclust().has_centres());
}

} // namespace
} // namespace goe::runtime
