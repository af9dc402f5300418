//===- Weights.cpp - the weights an artifact carries ----------------------===//

#include "goe/Compiler/Weights.h"
#include "goe/Compiler/RouterState.h"

#include "mlir/Dialect/MLProgram/IR/MLProgram.h"

#include <cmath>
#include <random>

using namespace mlir;

namespace {

std::vector<int64_t> shapeOf(ml_program::GlobalOp global) {
  auto type = cast<RankedTensorType>(global.getType());
  return {type.getShape().begin(), type.getShape().end()};
}

uint64_t nameHash(const std::string &name, uint64_t seed) {
  uint64_t hash = 1469598103934665603ull ^ seed;
  for (unsigned char c : name)
    hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

std::string joined(const std::vector<std::string> &items,
                   const char *separator = ", ") {
  std::string out;
  for (const std::string &item : items)
    out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string dims(const std::vector<int64_t> &shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

bool endsWith(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The uniform range [low, high) of a parameter, from its name and shape.
std::pair<float, float> initRange(const std::string &name,
                                  const std::vector<int64_t> &shape) {
  if (endsWith(name, "running_var"))
    return {0.5f, 1.5f};
  if (endsWith(name, "running_mean"))
    return {-0.1f, 0.1f};
  if (shape.size() == 1 && endsWith(name, "weight")) // batch-norm scale
    return {0.5f, 1.5f};
  if (shape.size() == 1) // a bias: PyTorch uses its layer's fan-in, near 0.1
    return {-0.1f, 0.1f};
  int64_t fanIn = 1;
  for (size_t d = 1; d < shape.size(); ++d)
    fanIn *= shape[d];
  float bound = 1.0f / std::sqrt(float(std::max<int64_t>(fanIn, 1)));
  return {-bound, bound};
}

} // namespace

goe::WeightMap goe::randomWeights(ModuleOp module, uint64_t seed) {
  WeightMap weights;
  for (auto global : module.getOps<ml_program::GlobalOp>()) {
    std::string name = global.getSymName().str();
    std::vector<int64_t> shape = shapeOf(global);
    int64_t count = 1;
    for (int64_t d : shape)
      count *= d;
    auto [low, high] = initRange(name, shape);
    std::mt19937_64 engine(nameHash(name, seed));
    std::uniform_real_distribution<float> uniform(low, high);
    std::string data(count * sizeof(float), '\0');
    auto *values = reinterpret_cast<float *>(data.data());
    for (int64_t i = 0; i < count; ++i)
      values[i] = uniform(engine);
    artifact::Tensor &tensor = weights[name];
    tensor.set_name(name);
    for (int64_t d : shape)
      tensor.add_shape(d);
    tensor.set_dtype(artifact::F32);
    tensor.set_data(std::move(data));
  }
  addRandomRouterState(module, seed, weights);
  return weights;
}

FailureOr<goe::WeightMap>
goe::bindWeights(ModuleOp module, const artifact::WeightBundle &bundle) {
  std::map<std::string, const artifact::Tensor *> given;
  for (const artifact::Tensor &tensor : bundle.tensors())
    if (!given.emplace(tensor.name(), &tensor).second)
      return module.emitError("the weights file holds '")
             << tensor.name() << "' twice";
  // Every problem in one message, worded as the runtime's check of a file
  // given at load (goe/Runtime/WeightBinding.h), which has the same rule.
  WeightMap weights;
  std::vector<std::string> missing, misfits;
  int total = 0;
  for (auto global : module.getOps<ml_program::GlobalOp>()) {
    ++total;
    std::string name = global.getSymName().str();
    std::vector<int64_t> expected = shapeOf(global);
    auto it = given.find(name);
    if (it == given.end()) {
      missing.push_back("'" + name + "' " + dims(expected));
      continue;
    }
    const artifact::Tensor &tensor = *it->second;
    given.erase(it);
    std::vector<int64_t> actual(tensor.shape().begin(), tensor.shape().end());
    int64_t count = 1;
    for (int64_t d : expected)
      count *= d;
    std::string needs = "f32" + dims(expected);
    if (actual != expected || tensor.dtype() != artifact::F32) {
      misfits.push_back("'" + name + "' is " +
                        (tensor.dtype() == artifact::F32 ? "f32" : "i64") +
                        dims(actual) + ", the model needs " + needs);
      continue;
    }
    if ((int64_t)tensor.data().size() != count * (int64_t)sizeof(float)) {
      misfits.push_back("'" + name + "' has " +
                        std::to_string(tensor.data().size()) +
                        " bytes of data, " + needs + " needs " +
                        std::to_string(count * sizeof(float)));
      continue;
    }
    weights[name] = tensor;
  }
  // Learned router tables (RouterState.h) travel with the weights.
  std::vector<std::string> unknown;
  for (const auto &[name, tensor] : given) {
    if (isRouterStateName(module, name))
      weights[name] = *tensor;
    else
      unknown.push_back("'" + name + "'");
  }
  std::vector<std::string> problems;
  if (!missing.empty())
    problems.push_back(std::to_string(missing.size()) + " of " +
                       std::to_string(total) +
                       " weight(s) missing: " + joined(missing));
  problems.insert(problems.end(), misfits.begin(), misfits.end());
  if (!unknown.empty())
    problems.push_back(std::to_string(unknown.size()) +
                       " tensor(s) the model does not have (another spec or "
                       "--var?): " +
                       joined(unknown));
  if (!problems.empty())
    return module.emitError("the weights file does not fit the model: ")
           << joined(problems, "; ");
  return weights;
}
