//===- TestModels.cpp - artifacts built in code for runtime tests -------===//

#include "TestModels.h"

#include "goe/Runtime/FileIO.h"

#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

namespace goe::runtime::test {

const std::string &kernelBytes() {
  static const std::string bytes = [] {
    StatusOr<std::string> read = readFileBytes(GOE_TEST_KERNELS_SO);
    if (!read.ok()) {
      ADD_FAILURE() << read.status().toString();
      return std::string();
    }
    return std::move(read).value();
  }();
  return bytes;
}

std::string tempPath(const std::string &name) {
  // Leaked on purpose: the atexit cleanup below runs after static
  // destructors may have run.
  static const std::string *dir = [] {
    const char *base = std::getenv("TMPDIR");
    auto *path = new std::string(std::string(base && *base ? base : "/tmp") +
                                 "/goe-runtime-test-XXXXXX");
    if (!::mkdtemp(path->data()))
      ADD_FAILURE() << "mkdtemp failed";
    // Each test process removes its own directory.
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(*dir, ignored);
    });
    return path;
  }();
  return *dir + "/" + name;
}

artifact::ValueType valueType(std::vector<int64_t> shape,
                              artifact::DType dtype) {
  artifact::ValueType type;
  for (int64_t d : shape)
    type.add_shape(d);
  type.set_dtype(dtype);
  return type;
}

void addFunction(artifact::Model &model, const std::string &name,
                 const std::string &symbol,
                 std::vector<artifact::ValueType> inputs,
                 std::vector<artifact::ValueType> outputs,
                 std::vector<std::string> weights) {
  artifact::Function *fn = model.add_functions();
  fn->set_name(name);
  fn->set_symbol(symbol);
  for (auto &t : inputs)
    *fn->add_inputs() = t;
  for (auto &t : outputs)
    *fn->add_outputs() = t;
  for (auto &w : weights)
    fn->add_weights(w);
}

void addWeight(artifact::Model &model, const std::string &name,
               std::vector<int64_t> shape, const std::vector<float> &values) {
  artifact::Tensor *t = model.add_weights();
  t->set_name(name);
  for (int64_t d : shape)
    t->add_shape(d);
  t->set_dtype(artifact::F32);
  t->set_data(std::string(reinterpret_cast<const char *>(values.data()),
                          values.size() * sizeof(float)));
}

void addInput(artifact::Model &model, const std::string &name,
              artifact::ValueType type) {
  artifact::Input *in = model.add_inputs();
  in->set_name(name);
  *in->mutable_type() = type;
}

artifact::Step &addStep(artifact::Model &model, artifact::Step::Kind kind,
                        std::vector<int> inputs, std::vector<int> outputs) {
  artifact::Step *step = model.add_steps();
  step->set_kind(kind);
  for (int i : inputs)
    step->add_inputs(i);
  for (int o : outputs)
    step->add_outputs(o);
  return *step;
}

void addRouter(artifact::Model &model, const std::string &name,
               artifact::Router::KindCase kind, int64_t choices, int64_t k,
               const std::string &body) {
  artifact::Router *r = model.add_routers();
  r->set_name(name);
  switch (kind) {
  case artifact::Router::kOracle:
    r->mutable_oracle();
    break;
  case artifact::Router::kRandom:
    r->mutable_random();
    break;
  case artifact::Router::kTopk:
    r->mutable_topk();
    break;
  case artifact::Router::kVqvaeHclust:
    r->mutable_vqvae_hclust();
    break;
  case artifact::Router::kClusterGate:
    r->mutable_cluster_gate();
    break;
  case artifact::Router::KIND_NOT_SET:
    break;
  }
  r->set_choices(choices);
  r->set_k(k);
  r->set_body(body);
}

void addCode(artifact::Model &model) {
  artifact::CodeObject *code = model.add_code();
  code->set_target("cpu-x86_64");
  code->mutable_cpu()->set_shared_object(kernelBytes());
}

namespace {

void addPaths(artifact::Step &dispatch) {
  dispatch.add_paths()->add_functions("a");
  dispatch.add_paths()->add_functions("b");
  auto *both = dispatch.add_paths();
  both->add_functions("a");
  both->add_functions("b");
}

void addAffineFunctions(artifact::Model &model) {
  addFunction(model, "a", "affine_a", {valueType({4})}, {valueType({4})});
  addFunction(model, "b", "affine_b", {valueType({4})}, {valueType({4})});
}

} // namespace

artifact::Model oracleModel() {
  artifact::Model model;
  model.set_name("oracle3");
  addInput(model, "x", valueType({4}));
  addInput(model, "label", valueType({}, artifact::I64));
  addAffineFunctions(model);
  addRouter(model, "oracle", artifact::Router::kOracle, 3, 1);
  addStep(model, artifact::Step::ROUTE, {1}, {2}).set_router("oracle");
  artifact::Step &dispatch = addStep(model, artifact::Step::DISPATCH, {0}, {3});
  dispatch.set_routing(2);
  addPaths(dispatch);
  *dispatch.add_types() = valueType({1, 4});
  artifact::Step &combine = addStep(model, artifact::Step::COMBINE, {3}, {4});
  combine.set_routing(2);
  combine.mutable_combine()->mutable_select();
  *combine.add_types() = valueType({4});
  model.add_outputs(4);
  *model.add_output_types() = valueType({4});
  model.set_num_values(5);
  addCode(model);
  return model;
}

artifact::Model levelCombineModel(std::vector<int64_t> levelShape,
                                  int64_t choices, int64_t k,
                                  const artifact::Combine &combine) {
  artifact::Model model;
  addInput(model, "level", valueType(std::move(levelShape)));
  addRouter(model, "r", artifact::Router::kRandom, choices, k);
  addStep(model, artifact::Step::ROUTE, {0}, {1}).set_router("r");
  artifact::Step &c = addStep(model, artifact::Step::COMBINE, {0}, {2});
  c.set_routing(1);
  *c.mutable_combine() = combine;
  model.add_outputs(2);
  model.set_num_values(3);
  addCode(model);
  return model;
}

artifact::Model topkModel() {
  artifact::Model model;
  model.set_name("topk3");
  addInput(model, "x", valueType({4}));
  addAffineFunctions(model);
  addFunction(model, "gate", "gate", {valueType({4})}, {valueType({3})});
  addRouter(model, "moe", artifact::Router::kTopk, 3, 2, "gate");
  addStep(model, artifact::Step::ROUTE, {0}, {1}).set_router("moe");
  artifact::Step &dispatch = addStep(model, artifact::Step::DISPATCH, {0}, {2});
  dispatch.set_routing(1);
  addPaths(dispatch);
  artifact::Step &combine = addStep(model, artifact::Step::COMBINE, {2}, {3});
  combine.set_routing(1);
  combine.mutable_combine()->mutable_weighted_sum();
  model.add_outputs(3);
  model.set_num_values(4);
  addCode(model);
  return model;
}

std::shared_ptr<const Model> mustLoad(const artifact::Model &model) {
  StatusOr<std::shared_ptr<const Model>> loaded = Model::fromProto(model);
  EXPECT_TRUE(loaded.ok()) << loaded.status().toString();
  return loaded.ok() ? *loaded : nullptr;
}

float pathResult(int64_t path, float x) {
  switch (path) {
  case 0:
    return 2 * x + 1;
  case 1:
    return x - 3;
  default:
    return 2 * x + 1 - 3;
  }
}

Tensor f32Tensor(std::vector<int64_t> shape, const std::vector<float> &values) {
  StatusOr<Tensor> t = Tensor::fromF32(std::move(shape), values);
  EXPECT_TRUE(t.ok()) << t.status().toString();
  return t.ok() ? std::move(t).value() : Tensor();
}

Tensor i64Tensor(std::vector<int64_t> shape, const std::vector<int64_t> &values) {
  StatusOr<Tensor> t = Tensor::fromI64(std::move(shape), values);
  EXPECT_TRUE(t.ok()) << t.status().toString();
  return t.ok() ? std::move(t).value() : Tensor();
}

} // namespace goe::runtime::test
