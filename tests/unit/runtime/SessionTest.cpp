//===- SessionTest.cpp - executing routed graphs ------------------------===//

#include "TestModels.h"

#include "goe/Router/RandomRouting.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace goe::runtime::test {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::unique_ptr<Session> makeSession(std::shared_ptr<const Model> model,
                                     SessionOptions options = {}) {
  StatusOr<std::unique_ptr<Session>> session = Session::create(model, options);
  EXPECT_TRUE(session.ok()) << session.status().toString();
  return std::move(session).value();
}

/// A batch for oracleModel(): sample b has features b*10 + i and label
/// labels[b].
std::vector<Tensor> oracleInputs(const std::vector<int64_t> &labels) {
  int64_t batch = static_cast<int64_t>(labels.size());
  std::vector<float> x;
  for (int64_t b = 0; b < batch; ++b)
    for (int i = 0; i < 4; ++i)
      x.push_back(static_cast<float>(b * 10 + i));
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({batch, 4}, x));
  inputs.push_back(i64Tensor({batch}, labels));
  return inputs;
}

void expectOracleOutputs(const RunResult &result,
                         const std::vector<int64_t> &labels) {
  ASSERT_EQ(result.outputs.size(), 1u);
  const Tensor &y = result.outputs[0];
  int64_t batch = static_cast<int64_t>(labels.size());
  ASSERT_EQ(y.shape(), (std::vector<int64_t>{batch, 4}));
  for (int64_t b = 0; b < batch; ++b)
    for (int i = 0; i < 4; ++i)
      ASSERT_FLOAT_EQ(y.f32()[b * 4 + i],
                      pathResult(labels[b], static_cast<float>(b * 10 + i)))
          << "sample " << b << " element " << i;
}

uint64_t calls(const Model &model, const std::string &fn) {
  return model.functionStats(fn)->calls;
}
uint64_t samples(const Model &model, const std::string &fn) {
  return model.functionStats(fn)->samples;
}

TEST(Session, OracleRoutesMixedBatchAndKeepsOrder) {
  std::shared_ptr<const Model> model = mustLoad(oracleModel());
  std::unique_ptr<Session> session = makeSession(model);
  std::vector<int64_t> labels{2, 0, 1, 0, 2, 2, 1};
  RunResult result;
  Status status = session->run(oracleInputs(labels), result);
  ASSERT_TRUE(status.ok()) << status.toString();
  expectOracleOutputs(result, labels);

  ASSERT_EQ(result.routes.size(), 1u);
  const RouteDecision &route = result.routes[0];
  EXPECT_EQ(route.router, "oracle");
  EXPECT_EQ(route.k, 1);
  EXPECT_EQ(route.choices, labels);
  EXPECT_THAT(route.weights, ::testing::Each(1.0f));
  ASSERT_EQ(result.dispatches.size(), 1u);
  EXPECT_EQ(result.dispatches[0].step, 1);
  EXPECT_THAT(result.dispatches[0].samplesPerPath, ElementsAre(2, 2, 3));

  // Each path ran once, on its group only: a once, b once, a+b once.
  EXPECT_EQ(calls(*model, "a"), 2u); // path 0 and path 2
  EXPECT_EQ(samples(*model, "a"), 5u);
  EXPECT_EQ(calls(*model, "b"), 2u); // path 1 and path 2
  EXPECT_EQ(samples(*model, "b"), 5u);
}

TEST(Session, BatchOnOnePathRunsNoOtherCode) {
  std::shared_ptr<const Model> model = mustLoad(oracleModel());
  std::unique_ptr<Session> session = makeSession(model);
  std::vector<int64_t> labels(16, 1);
  RunResult result;
  ASSERT_TRUE(session->run(oracleInputs(labels), result).ok());
  expectOracleOutputs(result, labels);
  EXPECT_EQ(calls(*model, "a"), 0u);
  EXPECT_EQ(samples(*model, "a"), 0u);
  EXPECT_EQ(calls(*model, "b"), 1u);
  EXPECT_EQ(samples(*model, "b"), 16u);
  EXPECT_THAT(result.dispatches[0].samplesPerPath, ElementsAre(0, 16, 0));

  model->resetFunctionStats();
  EXPECT_EQ(calls(*model, "b"), 0u);
  EXPECT_FALSE(model->functionStats("zzz").ok());
}

TEST(Session, BatchOfOne) {
  std::shared_ptr<const Model> model = mustLoad(oracleModel());
  std::unique_ptr<Session> session = makeSession(model);
  for (int64_t label : {0, 1, 2}) {
    RunResult result;
    ASSERT_TRUE(session->run(oracleInputs({label}), result).ok());
    expectOracleOutputs(result, {label});
  }
}

TEST(Session, BatchOfThousand) {
  std::shared_ptr<const Model> model = mustLoad(oracleModel());
  std::unique_ptr<Session> session = makeSession(model);
  std::vector<int64_t> labels(1000);
  for (size_t i = 0; i < labels.size(); ++i)
    labels[i] = static_cast<int64_t>((i * 7 + i / 3) % 3);
  RunResult result;
  ASSERT_TRUE(session->run(oracleInputs(labels), result).ok());
  expectOracleOutputs(result, labels);
  int64_t total = 0;
  for (int64_t n : result.dispatches[0].samplesPerPath)
    total += n;
  EXPECT_EQ(total, 1000);
  EXPECT_EQ(calls(*model, "a"), 2u);
}

TEST(Session, OracleLabelOutOfRange) {
  std::unique_ptr<Session> session = makeSession(mustLoad(oracleModel()));
  RunResult result;
  Status status = session->run(oracleInputs({0, 3}), result);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::OutOfRange);
  EXPECT_THAT(status.message(),
              AllOf(HasSubstr("step 0 (ROUTE)"), HasSubstr("input 1"),
                    HasSubstr("label 3"), HasSubstr("outside [0, 3)")));
  EXPECT_TRUE(result.outputs.empty());
}

TEST(Session, WrongInputCount) {
  std::unique_ptr<Session> session = makeSession(mustLoad(oracleModel()));
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({1, 4}, {1, 2, 3, 4}));
  RunResult result;
  Status status = session->run(inputs, result);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::InvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("the model takes 2 inputs (x, label), got 1"));
}

TEST(Session, WrongInputShapeNamesBothShapes) {
  std::unique_ptr<Session> session = makeSession(mustLoad(oracleModel()));
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({2, 5}, std::vector<float>(10, 0.0f)));
  inputs.push_back(i64Tensor({2}, {0, 0}));
  RunResult result;
  Status status = session->run(inputs, result);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(),
              AllOf(HasSubstr("input 'x' (#0)"),
                    HasSubstr("per-sample shape [5] (tensor [2, 5])"),
                    HasSubstr("the model expects [4]")));
}

TEST(Session, WrongInputDtype) {
  std::unique_ptr<Session> session = makeSession(mustLoad(oracleModel()));
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({1, 4}, {1, 2, 3, 4}));
  inputs.push_back(f32Tensor({1}, {0}));
  RunResult result;
  Status status = session->run(inputs, result);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(),
              HasSubstr("input 'label' (#1) is f32, the model expects i64"));
}

TEST(Session, MismatchedBatchAndEmptyBatch) {
  std::unique_ptr<Session> session = makeSession(mustLoad(oracleModel()));
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({2, 4}, std::vector<float>(8, 0.0f)));
  inputs.push_back(i64Tensor({3}, {0, 0, 0}));
  RunResult result;
  Status status = session->run(inputs, result);
  EXPECT_THAT(status.message(),
              HasSubstr("input 'label' (#1) has batch 3, input 'x' (#0) has batch 2"));

  std::vector<Tensor> empty;
  empty.push_back(f32Tensor({0, 4}, {}));
  empty.push_back(i64Tensor({0}, {}));
  status = session->run(empty, result);
  EXPECT_THAT(status.message(), HasSubstr("has batch 0"));

  std::vector<Tensor> scalar;
  scalar.push_back(f32Tensor({}, {1}));
  scalar.push_back(i64Tensor({1}, {0}));
  status = session->run(scalar, result);
  EXPECT_THAT(status.message(), HasSubstr("is a scalar; expected [batch, 4]"));
}

TEST(Session, CallWithWeightsAndTranspose) {
  // x [2, 3] per sample -> transpose to [3, 2] -> output; and a linear layer.
  artifact::Model model;
  addInput(model, "img", valueType({2, 3}));
  addInput(model, "v", valueType({4}));
  artifact::Step &t = addStep(model, artifact::Step::TRANSPOSE, {0}, {2});
  for (int p : {0, 2, 1})
    t.add_perm(p);
  *t.add_types() = valueType({3, 2});
  addWeight(model, "w", {3, 4}, {1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1});
  addWeight(model, "b", {3}, {0.5f, -1, 10});
  addFunction(model, "lin", "linear", {valueType({4})}, {valueType({3})},
              {"w", "b"});
  addStep(model, artifact::Step::CALL, {1}, {3}).set_function("lin");
  model.add_outputs(2);
  model.add_outputs(3);
  model.set_num_values(4);
  addCode(model);

  std::unique_ptr<Session> session = makeSession(mustLoad(model));
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({2, 2, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  inputs.push_back(f32Tensor({2, 4}, {1, 2, 3, 4, -1, -2, -3, -4}));
  RunResult result;
  Status status = session->run(inputs, result);
  ASSERT_TRUE(status.ok()) << status.toString();
  const Tensor &tr = result.outputs[0];
  EXPECT_EQ(tr.shape(), (std::vector<int64_t>{2, 3, 2}));
  EXPECT_THAT(std::vector<float>(tr.f32(), tr.f32() + 12),
              ElementsAre(0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11));
  const Tensor &y = result.outputs[1];
  EXPECT_THAT(std::vector<float>(y.f32(), y.f32() + 6),
              ElementsAre(1.5f, 1, 20, -0.5f, -3, 0));
}

TEST(Session, RandomRoutingIsDeterministicGivenSeed) {
  artifact::Model model = oracleModel();
  model.mutable_routers(0)->mutable_random();
  model.mutable_routers(0)->mutable_random()->set_seed(42);
  std::shared_ptr<const Model> loaded = mustLoad(model);
  std::unique_ptr<Session> one = makeSession(loaded);
  std::unique_ptr<Session> two = makeSession(loaded);
  std::vector<int64_t> unused(64, 0);

  RunOptions seeded;
  seeded.seed = 7;
  RunResult a, b, c;
  ASSERT_TRUE(one->run(oracleInputs(unused), a, seeded).ok());
  ASSERT_TRUE(two->run(oracleInputs(unused), b, seeded).ok());
  EXPECT_EQ(a.routes[0].choices, b.routes[0].choices);
  // All three paths used on 64 samples, and outputs follow the choices.
  EXPECT_THAT(a.dispatches[0].samplesPerPath, ::testing::Each(::testing::Gt(0)));
  expectOracleOutputs(a, a.routes[0].choices);

  seeded.seed = 8;
  ASSERT_TRUE(one->run(oracleInputs(unused), c, seeded).ok());
  EXPECT_NE(a.routes[0].choices, c.routes[0].choices);

  // Unseeded runs: fresh sessions with the same options replay; successive
  // runs of one session differ.
  std::unique_ptr<Session> three = makeSession(loaded);
  std::unique_ptr<Session> four = makeSession(loaded);
  RunResult d1, d2, e1;
  ASSERT_TRUE(three->run(oracleInputs(unused), d1).ok());
  ASSERT_TRUE(three->run(oracleInputs(unused), d2).ok());
  ASSERT_TRUE(four->run(oracleInputs(unused), e1).ok());
  EXPECT_EQ(d1.routes[0].choices, e1.routes[0].choices);
  EXPECT_NE(d1.routes[0].choices, d2.routes[0].choices);
}

TEST(Session, RandomTopKChoicesAreDistinct) {
  artifact::Model model = topkModel();
  model.mutable_routers(0)->mutable_random();
  std::unique_ptr<Session> session = makeSession(mustLoad(model));
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({50, 4}, std::vector<float>(200, 1.0f)));
  RunResult result;
  ASSERT_TRUE(session->run(inputs, result).ok());
  const RouteDecision &r = result.routes[0];
  for (int64_t b = 0; b < 50; ++b) {
    EXPECT_NE(r.choice(b, 0), r.choice(b, 1));
    EXPECT_FLOAT_EQ(r.weight(b, 0), 0.5f);
  }
}

TEST(Session, RandomRouterFollowsTheSharedRoutingRule) {
  // The runtime's random router is router/'s rule, the one goe-train's
  // --router random calls: the routing seed is the router's seed mixed with
  // the run's seed and the ROUTE's step index, a sample's key its index.
  artifact::Model model = topkModel();
  model.mutable_routers(0)->mutable_random()->set_seed(42);
  std::unique_ptr<Session> session = makeSession(mustLoad(model));
  std::vector<Tensor> inputs;
  inputs.push_back(f32Tensor({40, 4}, std::vector<float>(160, 1.0f)));
  RunOptions seeded;
  seeded.seed = 7;
  RunResult result;
  ASSERT_TRUE(session->run(inputs, result, seeded).ok());
  const RouteDecision &r = result.routes[0];
  std::vector<int64_t> expected(40 * 2);
  std::vector<float> weights(40 * 2);
  uint64_t seed = router::mixRandomSeed(router::mixRandomSeed(42, 7),
                                        /*ROUTE step*/ 0);
  router::randomRoutes(seed, 40, 3, 2, expected.data(), weights.data());
  EXPECT_EQ(r.choices, expected);
  EXPECT_EQ(r.weights, weights);
}

TEST(Session, TwoModelsLoadIndependentCode) {
  // Each model gets its own copy of the library: loading, dropping and
  // reloading must not confuse one with another.
  for (int round = 0; round < 3; ++round) {
    std::shared_ptr<const Model> first = mustLoad(oracleModel());
    std::shared_ptr<const Model> second = mustLoad(topkModel());
    std::unique_ptr<Session> session = makeSession(first);
    RunResult result;
    ASSERT_TRUE(session->run(oracleInputs({0, 1, 2}), result).ok());
    expectOracleOutputs(result, {0, 1, 2});
    EXPECT_EQ(calls(*second, "a"), 0u);
  }
}

TEST(Session, SessionKeepsModelAlive) {
  std::unique_ptr<Session> session = makeSession(mustLoad(oracleModel()));
  RunResult result;
  ASSERT_TRUE(session->run(oracleInputs({1, 2}), result).ok());
  expectOracleOutputs(result, {1, 2});
  EXPECT_FALSE(Session::create(nullptr).ok());
}

TEST(Session, DevicesAreChosenByName) {
  std::shared_ptr<const Model> model = mustLoad(oracleModel());
  EXPECT_THAT(availableDevices(), ::testing::ElementsAre("cpu", "cuda"));
  SessionOptions options;
  EXPECT_EQ(options.device, Device::Cpu);
  options.device = "cpu";
  std::unique_ptr<Session> session = makeSession(model, options);
  ASSERT_TRUE(session);
  RunResult result;
  ASSERT_TRUE(session->run(oracleInputs({2, 0}), result).ok());
  expectOracleOutputs(result, {2, 0});

  options.device = "tpu";
  StatusOr<std::unique_ptr<Session>> refused = Session::create(model, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::InvalidArgument);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("unknown device 'tpu' (this runtime has cpu, cuda)"));
}

TEST(Session, FixedRouterSendsEverySampleToItsPath) {
  artifact::Model model = oracleModel();
  model.mutable_routers(0)->mutable_fixed()->set_path(2);
  std::unique_ptr<Session> session = makeSession(mustLoad(model));
  // The labels would send the samples elsewhere; a fixed router ignores them.
  RunResult result;
  ASSERT_TRUE(session->run(oracleInputs({0, 1, 0, 1}), result).ok());
  EXPECT_EQ(result.routes[0].choices, (std::vector<int64_t>{2, 2, 2, 2}));
  EXPECT_THAT(result.routes[0].weights, ::testing::Each(1.0f));
  expectOracleOutputs(result, result.routes[0].choices);

  // A path past the choices is refused at load.
  model.mutable_routers(0)->mutable_fixed()->set_path(3);
  auto bad = Model::fromProto(model);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              ::testing::HasSubstr("fixed path 3 is outside [0, 3)"));
}

} // namespace
} // namespace goe::runtime::test
