//===- GraphPlanTest.cpp - the one walk of a spec's graph -----------------===//
//
// Instance names and order, tree path numbering, `--router` substitution,
// unplaced routers and combine result types, as MLIRGen and the LibTorch
// reference both read them; and errors reported once, at their location.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "goe/Frontends/Spec/GraphPlan.h"
#include "goe/Frontends/Spec/SpecReader.h"

#include <gtest/gtest.h>

using namespace goe::spec;

namespace {

const char *kTree = R"(goe: 1
name: tree
inputs:
  image: [1, 8, 8]
  group: {shape: [], dtype: i64}
modules:
  stem:
    layers:
      - {op: conv2d, out: 2, kernel: 3}
  head:
    layers:
      - {op: flatten}
      - {op: linear, out: 3}
  gate_net:
    layers:
      - {op: flatten}
      - {op: linear, out: 4}
routers:
  oracle: {kind: oracle, choices: 4, from: group}
  random: {kind: random, choices: 4, from: image}
  gate: {kind: topk, choices: 4, from: image, gate: gate_net}
graph:
  - {name: route, router: oracle}
  - {name: paths, dispatch: route, tree: [stem, stem, head], from: image}
  - {name: out, combine: select, from: paths}
outputs: [out]
)";

struct Planned {
  goe::test::Context context;
  Spec spec;
  mlir::FailureOr<GraphPlan> plan = mlir::failure();

  Planned(const std::string &text, const RouterChoices &routers = {}) {
    auto read = readSpec(text, "tree.yaml", {}, context.get());
    if (mlir::failed(read))
      return;
    spec = *read;
    plan = planGraph(spec, routers, context.get());
  }
  int instance(const std::string &name) const {
    for (size_t i = 0; i < plan->instances.size(); ++i)
      if (plan->instances[i].name == name)
        return (int)i;
    return -1;
  }
};

TEST(GraphPlan, TreePathsAreNumberedMostSignificantBitFirst) {
  Planned p(kTree);
  ASSERT_TRUE(mlir::succeeded(p.plan)) << p.context.lastError();
  const PlanNode &dispatch = p.plan->nodes[1];
  ASSERT_EQ(dispatch.kind, PlanNode::Dispatch);
  ASSERT_EQ(dispatch.paths.size(), 4u);
  for (int path = 0; path < 4; ++path) {
    ASSERT_EQ(dispatch.paths[path].size(), 3u);
    for (int level = 0; level < 3; ++level)
      EXPECT_EQ(dispatch.paths[path][level],
                p.instance("paths.level" + std::to_string(level) + "." +
                           std::to_string(path >> (2 - level))))
          << "path " << path << " level " << level;
  }
  // Instances level by level (MLIRGen's function order), then the gate of
  // the router the graph does not place.
  std::vector<std::string> names;
  for (const PlanInstance &instance : p.plan->instances)
    names.push_back(instance.name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "paths.level0.0", "paths.level1.0", "paths.level1.1",
                       "paths.level2.0", "paths.level2.1", "paths.level2.2",
                       "paths.level2.3", "gate.gate_net"}));
  // The dispatch stacks k = 1 choice; select removes it.
  EXPECT_EQ(dispatch.outputTypes[0].shape, (Shape{1, 3}));
  EXPECT_EQ(p.plan->nodes[2].outputTypes[0].shape, (Shape{3}));
  EXPECT_EQ(p.plan->outputTypes[0].shape, (Shape{3}));
}

TEST(GraphPlan, EveryRouterIsDeclaredOnceWithItsKind) {
  Planned p(kTree);
  ASSERT_TRUE(mlir::succeeded(p.plan)) << p.context.lastError();
  ASSERT_EQ(p.plan->routers.size(), 3u);
  EXPECT_EQ(p.plan->routers[0].kind->kind, goe::RouterKind::Oracle);
  EXPECT_EQ(p.plan->routers[0].body, -1);
  EXPECT_EQ(p.plan->routers[2].router->name, "gate");
  EXPECT_EQ(p.plan->routers[2].body, p.instance("gate.gate_net"));
  EXPECT_EQ(p.plan->routers[2].input.shape, (Shape{1, 8, 8}));
}

TEST(GraphPlan, RouterOptionSwapsTheRouterAndItsInput) {
  Planned p(kTree, {{"", "gate"}});
  ASSERT_TRUE(mlir::succeeded(p.plan)) << p.context.lastError();
  const PlanNode &route = p.plan->nodes[0];
  ASSERT_EQ(route.kind, PlanNode::Router);
  EXPECT_EQ(p.plan->routers[route.router].router->name, "gate");
  ASSERT_EQ(route.inputs.size(), 1u);
  EXPECT_EQ(route.inputs[0].node, "image"); // the gate's own `from`
  // The placed oracle is still declared, as an unplaced router.
  bool oracle = false;
  for (const PlanRouter &router : p.plan->routers)
    oracle |= router.router->name == "oracle";
  EXPECT_TRUE(oracle);
}

TEST(GraphPlan, ErrorsAreReportedOnceAtTheirLocation) {
  std::string text = kTree;
  text.replace(text.find("tree: [stem, stem, head]"), 24,
               "tree: [stem, head]");
  Planned p(text);
  EXPECT_TRUE(mlir::failed(p.plan));
  ASSERT_EQ(p.context.errors.size(), 1u);
  EXPECT_EQ(p.context.lastError(),
            "24:5: a tree of depth 2 has 2 paths but the router of 'route' "
            "chooses among 4");
}

TEST(GraphPlan, RouterOptionMustNameARouter) {
  Planned p(kTree, {{"", "nope"}});
  EXPECT_TRUE(mlir::failed(p.plan));
  EXPECT_EQ(p.context.lastError(),
            "23:27: --router nope: the spec has no router of that name");
}

TEST(GraphPlan, GateOutputIsCheckedByItsKind) {
  std::string text = kTree;
  text.replace(text.find("out: 4}"), 7, "out: 5}");
  Planned p(text);
  EXPECT_TRUE(mlir::failed(p.plan));
  EXPECT_EQ(p.context.lastError(),
            "21:53: router 'gate' chooses among 4 experts but its gate "
            "'gate_net' emits [5] logits");
}

TEST(GraphPlan, CombineParametersGetTheirKindsDefaults) {
  Fields given;
  given["iou"].kind = Field::Float;
  given["iou"].f = 0.4;
  given["conf_type"].kind = Field::Str;
  given["conf_type"].s = "max";
  goe::ParamValues values =
      paramValues(given, goe::combineKindInfo(goe::CombineKind::Wbf).params);
  EXPECT_EQ(values.at("iou"), 0.4);
  EXPECT_EQ(values.at("conf_type"), 1); // avg, max, ...
  EXPECT_EQ(values.at("max_det"), 300);
  EXPECT_EQ(values.at("nms_iou"), 0.65);
}

} // namespace

namespace {

TEST(GraphPlanOutputs, NamedAsTheSpecReferencesThem) {
  // `out` is one tensor; `feats` a node of two named outputs.
  std::string text = kTree;
  text.replace(text.find("  gate_net:"), 0,
               "  two:\n    inputs: [x]\n    layers:\n"
               "      - {op: relu, name: a}\n      - {op: sigmoid, from: x, name: b}\n"
               "    outputs: {a: a, b: b}\n");
  text.replace(text.find("  - {name: route"), 0,
               "  - {name: feats, module: two, from: image}\n");
  text.replace(text.find("outputs: [out]"), 14, "outputs: [out, feats, feats.b]");
  Planned planned(text);
  ASSERT_TRUE(mlir::succeeded(planned.plan));
  EXPECT_EQ(planned.plan->outputNames,
            (std::vector<std::string>{"out", "feats.a", "feats.b", "feats.b"}));
}

} // namespace
