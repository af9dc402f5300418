//===- TorchModel.cpp - the LibTorch reference of a goe spec --------------===//
//
// The model is the spec's graph plan (goe/Frontends/Spec/GraphPlan.h, the
// one MLIRGen emits from) plus one InstanceModule per planned instance.
// This file builds it and keeps its parameters; forward() is Forward.cpp.
//
//===----------------------------------------------------------------------===//

#include "goe/Frontends/Torch/TorchModel.h"

#include "Instance.h"
#include "ModelImpl.h"

#include "goe/Frontends/Spec/GraphPlan.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>

using namespace goe::spec;
using goe::torchref::detail::InstanceModule;
using goe::torchref::detail::SelectedOutput;

namespace goe::torchref {

Model::Model() : impl(std::make_unique<Impl>()) {}
Model::~Model() = default;

std::unique_ptr<Model> Model::build(const Spec &spec,
                                    const BuildOptions &options,
                                    mlir::MLIRContext *context) {
  std::unique_ptr<Model> model(new Model());
  Impl &impl = *model->impl;
  impl.spec = spec;
  mlir::FailureOr<GraphPlan> plan =
      planGraph(impl.spec, options.routers, context);
  if (mlir::failed(plan))
    return nullptr;
  impl.plan = std::move(*plan);
  for (const PlanInstance &instance : impl.plan.instances) {
    impl.byName[instance.name] = (int)impl.instances.size();
    impl.instances.push_back(
        std::make_shared<InstanceModule>(instance.resolved));
  }
  // PyTorch's defaults, deterministically: conv/linear from seed 0, batch
  // norm at identity statistics.
  at::Generator gen = at::detail::createCPUGenerator(0);
  for (auto &instance : impl.instances)
    instance->init(gen, /*randomNorm=*/false);
  model->train(false);
  return model;
}

std::vector<std::string> Model::instanceNames() const {
  std::vector<std::string> names;
  for (const auto &instance : impl->plan.instances)
    names.push_back(instance.name);
  return names;
}

bool Model::hasInstance(const std::string &name) const {
  return impl->byName.count(name) != 0;
}

std::vector<std::vector<int64_t>>
Model::instanceInputShapes(const std::string &name) const {
  std::vector<std::vector<int64_t>> shapes;
  for (const TensorInfo &info :
       impl->plan.instances[impl->find(name)].resolved.inputs)
    shapes.push_back(info.shape);
  return shapes;
}

std::vector<std::vector<int64_t>>
Model::instanceOutputShapes(const std::string &name) const {
  std::vector<std::vector<int64_t>> shapes;
  for (const TensorInfo &info :
       impl->plan.instances[impl->find(name)].resolved.outputTypes)
    shapes.push_back(info.shape);
  return shapes;
}

std::map<std::string, std::vector<int64_t>> Model::parameterShapes() const {
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto &[name, tensor] : impl->parameters())
    shapes[name] = tensor.sizes().vec();
  return shapes;
}

std::map<std::string, at::Tensor> Model::parameters() const {
  return impl->parameters();
}

std::vector<at::Tensor> Model::trainableParameters() const {
  std::vector<at::Tensor> all;
  for (const auto &instance : impl->instances)
    for (const at::Tensor &p : instance->parameters())
      all.push_back(p);
  return all;
}

bool Model::setParameter(const std::string &name, const at::Tensor &value,
                         std::string *error) {
  std::map<std::string, at::Tensor> all = impl->parameters();
  auto it = all.find(name);
  std::string problem;
  if (it == all.end())
    problem = "the model has no parameter '" + name + "'";
  else if (!it->second.sizes().equals(value.sizes()))
    problem = "parameter '" + name + "' is " +
              formatShape(it->second.sizes().vec()) + ", given " +
              formatShape(value.sizes().vec());
  if (!problem.empty()) {
    if (error)
      *error = problem;
    return false;
  }
  torch::NoGradGuard noGrad;
  it->second.copy_(value);
  return true;
}

namespace {

/// The seed of one instance's weights: `seed` mixed with an FNV-1a hash of
/// the instance's name and a SplitMix64 finaliser. Each instance draws from
/// its own generator, so its initial weights depend only on (seed, name):
/// not on which other instances the model has or in what order they were
/// created (with --router clusters the gate is created before the paths,
/// and the paths must still start where the oracle run's start).
uint64_t instanceSeed(uint64_t seed, const std::string &name) {
  uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : name)
    hash = (hash ^ c) * 1099511628211ull;
  uint64_t z = seed + 0x9e3779b97f4a7c15ull * (hash | 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

} // namespace

void Model::initRandom(uint64_t seed) {
  for (size_t i = 0; i < impl->instances.size(); ++i) {
    at::Generator gen = at::detail::createCPUGenerator(
        instanceSeed(seed, impl->plan.instances[i].name));
    impl->instances[i]->init(gen, /*randomNorm=*/true);
  }
}

void Model::foldBatchNorm() {
  for (auto &instance : impl->instances)
    instance->foldBatchNorm();
}

void Model::train(bool on) {
  for (auto &instance : impl->instances) {
    // An instance whose parameters a training stage all freezes runs as in
    // inference: its batch norms keep their running statistics (and its
    // dropout is off), so that the part a stage leaves alone stays the
    // model it was. (Frozen weights with moving statistics had cost the
    // backbone-gating detector's general backbone 2 points of mAP while
    // the expert trained behind the same shared head.)
    bool frozen = false;
    if (on) {
      std::vector<at::Tensor> own = instance->parameters();
      frozen = !own.empty() &&
               std::none_of(own.begin(), own.end(), [](const at::Tensor &p) {
                 return p.requires_grad();
               });
    }
    instance->train(on && !frozen);
  }
}

void Model::rawDetections(bool on) {
  for (auto &instance : impl->instances)
    instance->rawOutputs = on;
}

std::vector<at::Tensor> Model::runInstance(const std::string &name,
                                           const std::vector<at::Tensor> &inputs) {
  return impl->instances[impl->find(name)]->forward(inputs);
}

} // namespace goe::torchref
