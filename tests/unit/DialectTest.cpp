//===- DialectTest.cpp - goe types and ops through the C++ API ------------===//

#include "TestUtil.h"

#include "goe/Dialect/Goe/CombineKinds.h"
#include "goe/Dialect/Goe/GoeOps.h"
#include "goe/Dialect/Goe/RouterKinds.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

TEST(Dialect, RoutingTypeChecksKAgainstChoices) {
  goe::test::Context context;
  context.get()->loadDialect<goe::GoeDialect>();
  auto emit = [&] { return emitError(UnknownLoc::get(context.get())); };
  EXPECT_TRUE(goe::RoutingType::getChecked(emit, context.get(), int64_t(4), int64_t(2)));
  EXPECT_FALSE(goe::RoutingType::getChecked(emit, context.get(), int64_t(4), int64_t(5)));
  EXPECT_NE(context.lastError().find("picks k in [1, 4] choices, got k = 5"),
            std::string::npos);
  EXPECT_FALSE(goe::RoutingType::getChecked(emit, context.get(), int64_t(0), int64_t(1)));
}

TEST(Dialect, RouterVerifierRejectsMissingBody) {
  goe::test::Context context;
  MLIRContext *ctx = context.get();
  ctx->loadDialect<goe::GoeDialect>();
  OpBuilder b(ctx);
  OwningOpRef<ModuleOp> module = ModuleOp::create(b.getUnknownLoc());
  b.setInsertionPointToEnd(module->getBody());
  b.create<goe::RouterOp>(b.getUnknownLoc(), b.getStringAttr("gate"),
                          goe::RouterKindAttr::get(ctx, goe::RouterKind::TopK),
                          b.getI64IntegerAttr(4), b.getI64IntegerAttr(2),
                          FlatSymbolRefAttr(), DictionaryAttr());
  EXPECT_TRUE(failed(verify(*module)));
  EXPECT_NE(context.lastError().find("of kind 'topk' needs a body function"),
            std::string::npos)
      << context.lastError();
}

TEST(Kinds, EveryKindHasOneDescriptorUnderItsDialectSpelling) {
  EXPECT_EQ(goe::routerKindNames(),
            "oracle, random, vqvae_hclust, topk, cluster_gate, fixed");
  EXPECT_EQ(goe::combineKindNames(),
            "select, weighted_sum, importance_mix, wbf, nms");
  const goe::RouterKindInfo *topk = goe::findRouterKind("topk");
  ASSERT_NE(topk, nullptr);
  EXPECT_EQ(topk->kind, goe::RouterKind::TopK);
  EXPECT_TRUE(topk->picksSeveral);
  EXPECT_STREQ(topk->bodyKey, "gate");
  EXPECT_FALSE(goe::findRouterKind("oracle")->picksSeveral);
  EXPECT_TRUE(goe::findRouterKind("random")->picksSeveral); // top-k ablation
  EXPECT_EQ(goe::findRouterKind("TopK"), nullptr);
  EXPECT_EQ(goe::findCombineKind("pick"), nullptr);
}

TEST(Kinds, RouterRulesReadTheDescriptor) {
  const goe::RouterKindInfo &oracle = goe::routerKindInfo(goe::RouterKind::Oracle);
  EXPECT_TRUE(oracle.accepts({}, /*isInt=*/true));
  EXPECT_FALSE(oracle.accepts({4}, /*isInt=*/true));
  EXPECT_FALSE(oracle.accepts({}, /*isInt=*/false));
  const goe::RouterKindInfo &latent =
      goe::routerKindInfo(goe::RouterKind::VqvaeHclust);
  goe::ParamValues params = goe::withDefaults(latent.params, {{"code_dim", 4}});
  EXPECT_EQ(params.at("beta"), 0.25);
  EXPECT_EQ(params.at("code_dim"), 4);
  EXPECT_EQ(latent.checkBody(4, params, {4, 7, 7}, "'enc'"), "");
  EXPECT_EQ(latent.checkBody(4, params, {7, 7, 4}, "'enc'"),
            "has code_dim 4 but its encoder 'enc' emits [7, 7, 4] (want "
            "[code_dim, H, W])");
}

TEST(Kinds, ClusterGateIsAGateThatPicksOne) {
  const goe::RouterKindInfo *gate = goe::findRouterKind("cluster_gate");
  ASSERT_NE(gate, nullptr);
  EXPECT_EQ(gate->kind, goe::RouterKind::ClusterGate);
  EXPECT_FALSE(gate->picksSeveral);
  EXPECT_STREQ(gate->bodyKey, "gate");
  EXPECT_EQ(gate->state, nullptr);
  EXPECT_TRUE(gate->accepts({1, 28, 28}, /*isInt=*/false));
  goe::ParamValues params = goe::withDefaults(gate->params, {});
  EXPECT_EQ(params.at("statistics"), 0); // centre_of_mass
  EXPECT_EQ(params.at("kmeans_restarts"), 10);
  EXPECT_EQ(gate->checkBody(4, params, {4}, "'g'"), "");
  EXPECT_EQ(gate->checkBody(4, params, {3}, "'g'"),
            "chooses among 4 experts but its gate 'g' emits [3] logits");
}

TEST(Kinds, FixedRouterChecksItsPath) {
  const goe::RouterKindInfo *fixed = goe::findRouterKind("fixed");
  ASSERT_NE(fixed, nullptr);
  EXPECT_FALSE(fixed->picksSeveral);
  EXPECT_FALSE(fixed->hasBody());
  EXPECT_TRUE(fixed->accepts({3, 8, 8}, /*isInt=*/false));
  ASSERT_NE(fixed->checkParams, nullptr);
  goe::ParamValues params = goe::withDefaults(fixed->params, {});
  EXPECT_EQ(params.at("path"), 0);
  EXPECT_EQ(fixed->checkParams(2, params), "");
  params["path"] = 2;
  EXPECT_EQ(fixed->checkParams(2, params),
            "path 2 is not one of its 2 choices (0..1)");
}

TEST(Kinds, CombineResultsFollowTheKind) {
  std::vector<goe::SampleType> out;
  const goe::CombineKindInfo &select = goe::combineKindInfo(goe::CombineKind::Select);
  EXPECT_EQ(select.results(1, {{{1, 10}, false}}, {}, out), "");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape, (std::vector<int64_t>{10}));
  out.clear();
  EXPECT_EQ(select.results(2, {{{2, 10}, false}}, {}, out),
            "select needs a top-1 route, but it picks 2; use weighted_sum or wbf");
  const goe::CombineKindInfo &wbf = goe::combineKindInfo(goe::CombineKind::Wbf);
  out.clear();
  EXPECT_EQ(wbf.results(2, {{{2, 3, 4, 4, 85}, false}},
                        goe::withDefaults(wbf.params, {}), out),
            "");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape, (std::vector<int64_t>{300, 6}));
  EXPECT_TRUE(wbf.readsHeadLevels);
  // nms reads the same levels, by the same rule, and has no fusion
  // parameters.
  const goe::CombineKindInfo &nms = goe::combineKindInfo(goe::CombineKind::Nms);
  EXPECT_TRUE(nms.readsHeadLevels);
  EXPECT_FALSE(select.readsHeadLevels);
  out.clear();
  goe::ParamValues nmsParams = goe::withDefaults(nms.params, {});
  nmsParams["max_det"] = 50;
  EXPECT_EQ(nms.results(2, {{{2, 3, 4, 4, 85}, false}}, nmsParams, out), "");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape, (std::vector<int64_t>{50, 6}));
  EXPECT_EQ(nms.results(2, {{{2, 3, 4, 4, 5}, false}}, nmsParams, out),
            "nms reads YOLO head levels [2, 3, H, W, nc + 5] (k choices of "
            "detect layers) with one nc, got [2, 3, 4, 4, 5]");
  EXPECT_EQ(nmsParams.count("iou"), 0u);
  EXPECT_EQ(goe::combineKindInfo(goe::CombineKind::ImportanceMix).leadingInputs, 1u);
}

} // namespace
