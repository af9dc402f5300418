//===- SpecScaleTest.cpp - specs of 100,000 modules read right ------------===//
//
// The reader and the planner look modules, routers and nodes up by name
// through indices; these generated specs (SpecGenerator.h) check that the
// lookups still find, and still refuse, what they should at that size. How
// fast is goe-spec-bench's to measure (tests/bench).
//
//===----------------------------------------------------------------------===//

#include "SpecGenerator.h"
#include "TestUtil.h"

#include "goe/Frontends/Spec/GraphPlan.h"
#include "goe/Frontends/Spec/SpecReader.h"

#include <gtest/gtest.h>

using namespace goe::spec;

namespace {

TEST(SpecScale, ReadsAndPlansAHundredThousandModules) {
  constexpr int kModules = 100000;
  goe::test::Context context;
  auto spec = readSpec(goe::test::chainSpec(kModules), "chain.yaml", {},
                       context.get());
  ASSERT_TRUE(succeeded(spec)) << context.lastError();
  ASSERT_EQ(spec->modules.size(), size_t(kModules));
  ASSERT_EQ(spec->graph.size(), size_t(kModules));
  EXPECT_EQ(spec->graph.back().target, "m99999");
  auto plan = planGraph(*spec, {}, context.get());
  ASSERT_TRUE(succeeded(plan)) << context.lastError();
  ASSERT_EQ(plan->instances.size(), size_t(kModules));
  // Node i runs module i on node i-1: every name found its own.
  for (int i : {0, 1, 50000, kModules - 1}) {
    const PlanNode &node = plan->nodes[i];
    EXPECT_EQ(plan->instances[node.instance].resolved.module->name,
              "m" + std::to_string(i));
    EXPECT_EQ(node.inputs[0].node, i ? "n" + std::to_string(i - 1) : "image");
  }
  ASSERT_EQ(plan->outputs.size(), 1u);
  EXPECT_EQ(plan->outputs[0].node, "n99999");
}

TEST(SpecScale, ADuplicateModuleAtTheEndIsFound) {
  goe::test::Context context;
  // Modules m0..m999 are lines 6..1005; the second m0 is line 1006.
  auto spec = readSpec(goe::test::chainSpec(1000, "  m0: {layers: []}\n"),
                       "chain.yaml", {}, context.get());
  EXPECT_TRUE(failed(spec));
  EXPECT_EQ(context.lastError(), "1006:3: module 'm0' is defined twice");
}

TEST(SpecScale, AnUndefinedModuleAtTheEndIsFound) {
  goe::test::Context context;
  std::string text = goe::test::chainSpec(1000);
  text.replace(text.rfind("module: m999,"), 13, "module: m1000,");
  auto spec = readSpec(text, "chain.yaml", {}, context.get());
  EXPECT_TRUE(failed(spec));
  // "graph:" is line 1006; node 999 is line 2006.
  EXPECT_EQ(context.lastError(), "2006:26: module 'm1000' is not defined");
}

TEST(SpecScale, ADuplicateNodeAtTheEndIsFound) {
  goe::test::Context context;
  std::string text = goe::test::chainSpec(1000);
  text.replace(text.rfind("name: n999,"), 11, "name: n0,  ");
  auto spec = readSpec(text, "chain.yaml", {}, context.get());
  EXPECT_TRUE(failed(spec));
  EXPECT_EQ(context.lastError(), "2006:12: graph node 'n0' is defined twice");
}

} // namespace
