//===- SpecReaderTest.cpp - YAML to Spec, and its errors ------------------===//

#include "TestUtil.h"

#include "goe/Frontends/Spec/SpecReader.h"

#include <gtest/gtest.h>

using namespace goe::spec;

namespace {

const char *kTiny = R"(goe: 1
name: tiny
vars: {p: 2}
inputs:
  image: [1, 8, 8]
  group: {shape: [], dtype: i64}
modules:
  body:
    layers:
      - {op: conv2d, out: 2*p, kernel: 3}
      - {op: relu, name: act}
      - {op: flatten}
      - {op: linear, out: 3, from: -1}
routers:
  oracle: {kind: oracle, choices: 2, from: group}
graph:
  - {name: route, router: oracle}
  - {name: paths, dispatch: route, experts: [body, body], from: image}
  - {name: out, combine: select, from: paths}
outputs: [out]
)";

TEST(SpecReader, ReadsEverySection) {
  goe::test::Context context;
  auto spec = readSpec(kTiny, "tiny.yaml", {}, context.get());
  ASSERT_TRUE(succeeded(spec)) << context.lastError();
  EXPECT_EQ(spec->name, "tiny");
  ASSERT_EQ(spec->inputs.size(), 2u);
  EXPECT_EQ(spec->inputs[0].shape, (std::vector<int64_t>{1, 8, 8}));
  EXPECT_TRUE(spec->inputs[1].isInt);
  const Module *body = spec->findModule("body");
  ASSERT_NE(body, nullptr);
  ASSERT_EQ(body->layers.size(), 4u);
  EXPECT_EQ(body->layers[0].fields.at("out").i, 4); // 2*p with p = 2
  EXPECT_EQ(body->layers[1].name, "act");
  EXPECT_EQ(body->layers[3].from[0].kind, Ref::Relative);
  EXPECT_EQ(body->layers[0].loc.line, 10u);
  EXPECT_EQ(body->layers[0].loc.col, 9u);
  ASSERT_EQ(spec->graph.size(), 3u);
  EXPECT_EQ(spec->graph[1].modules.size(), 2u);
  EXPECT_EQ(spec->routers[0].from.name, "group");
}

TEST(SpecReader, VariableOverridesApplyBeforeSizes) {
  goe::test::Context context;
  auto spec = readSpec(kTiny, "tiny.yaml", {{"p", 5}}, context.get());
  ASSERT_TRUE(succeeded(spec)) << context.lastError();
  EXPECT_EQ(spec->findModule("body")->layers[0].fields.at("out").i, 10);
  auto bad = readSpec(kTiny, "tiny.yaml", {{"q", 5}}, context.get());
  EXPECT_TRUE(failed(bad));
  EXPECT_NE(context.lastError().find("no variable 'q'"), std::string::npos);
}

/// Replaces the first occurrence of `from` in the tiny spec and returns the
/// error reported while reading and building it.
std::string errorFor(const std::string &from, const std::string &to) {
  std::string text = kTiny;
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  goe::test::Context context;
  auto spec = readSpec(text, "tiny.yaml", {}, context.get());
  if (succeeded(spec)) {
    auto module = buildModule(*spec, {}, context.get());
    EXPECT_FALSE(module) << "built despite: " << to;
  }
  return context.lastError();
}

TEST(SpecReader, ErrorsPointAtTheNodeAtFault) {
  EXPECT_EQ(errorFor("op: relu,", "op: relux,"),
            "11:14: unknown layer op 'relux' (known: add, avgpool, batchnorm, "
            "concat, conv, conv2d, detect, dropout, flatten, global_avgpool, "
            "leaky_relu, linear, maxpool, mul, relu, reshape, sigmoid, silu, "
            "softmax, upsample)");
  EXPECT_EQ(errorFor("kernel: 3}", "kernal: 3}"),
            "10:32: unknown key 'kernal' in layer 0 of module 'body' (conv2d) "
            "(allowed: bias, doc, from, groups, kernel, name, op, out, "
            "padding, stride)");
  EXPECT_EQ(errorFor("out: 2*p", "out: 2*p-4"),
            "10:27: layer 0 of module 'body' (conv2d) field 'out' must be "
            "positive, got 0");
  EXPECT_EQ(errorFor("from: -1}", "from: 9}"),
            "13:36: layer 3 of module 'body' reads layer 9, a later layer: "
            "layers may read only inputs and earlier layers (a cycle is not "
            "allowed)");
  EXPECT_EQ(errorFor("from: -1}", "from: 3}"),
            "13:36: layer 3 of module 'body' reads layer 3, itself: layers "
            "may read only inputs and earlier layers (a cycle is not "
            "allowed)");
  EXPECT_EQ(errorFor("experts: [body, body]", "experts: [body]"),
            "18:5: router of 'route' chooses among 2 experts but graph node "
            "'paths' has 1");
}

TEST(SpecReader, ShapeMismatchNamesBothShapes) {
  std::string error = errorFor("{op: flatten}",
                   "{op: maxpool, kernel: 2}\n      - {op: add, from: [-1, act]}");
  // conv2d pads kernel/2 by default: 8x8 stays 8x8, the pool halves it.
  EXPECT_EQ(error, "13:9: layer 3 of module 'body': add needs equal shapes, "
                   "got [4, 4, 4] and [4, 8, 8]");
}

TEST(SpecReader, BadYamlIsLocated) {
  goe::test::Context context;
  auto spec = readSpec("goe: 1\nname: [unclosed\n", "bad.yaml", {}, context.get());
  EXPECT_TRUE(failed(spec));
  EXPECT_NE(context.lastError().find("invalid YAML"), std::string::npos);
  EXPECT_EQ(context.lastError().rfind("3:", 0), 0u) << context.lastError();
}

TEST(SpecReader, SecondDocumentIsLocated) {
  goe::test::Context context;
  auto spec = readSpec(std::string(kTiny) + "---\ngoe: 1\n", "two.yaml", {},
                       context.get());
  EXPECT_TRUE(failed(spec));
  EXPECT_NE(context.lastError().find("a second one starts here"), std::string::npos);
  EXPECT_EQ(context.lastError().rfind("21:1:", 0), 0u) << context.lastError();
}

// Found by the spec fuzzer: yaml-cpp's LoadAll never returned on a document
// starting with ',' (goe-compile hung, its memory growing).
TEST(SpecReader, LoneCommaIsAnErrorNotAHang) {
  for (const char *text : {",", "---\n,", "goe: 1\n---\n,\n"}) {
    goe::test::Context context;
    auto spec = readSpec(text, "comma.yaml", {}, context.get());
    EXPECT_TRUE(failed(spec)) << text;
    EXPECT_FALSE(context.lastError().empty()) << text;
  }
}

TEST(SpecReader, MissingFileIsAnError) {
  goe::test::Context context;
  auto spec = readSpecFile("/nonexistent/goe/spec.yaml", {}, context.get());
  EXPECT_TRUE(failed(spec));
  EXPECT_NE(context.lastError().find("cannot read spec '/nonexistent/goe/spec.yaml'"),
            std::string::npos);
}

} // namespace
