//===- Model.cpp - a loaded, validated, executable artifact -------------===//

#include "goe/Runtime/Model.h"

#include "CpuDevice.h"
#include "Program.h"
#include "goe/Runtime/Artifact.h"
#include "goe/Runtime/CpuFeatures.h"
#include "goe/Runtime/QuoteText.h"
#include "goe/Runtime/WeightBinding.h"

#include <optional>

namespace goe::runtime {
namespace detail {
namespace {

std::string joined(const std::vector<std::string> &names) {
  std::string out;
  for (const std::string &name : names)
    out += (out.empty() ? "" : ", ") + name;
  return out;
}

/// Native code may use every instruction of the features it was compiled
/// for; on a CPU without one it would die of SIGILL mid-batch. Refused here
/// instead, naming what is missing.
Status checkCpuFeatures(const artifact::CpuCode &code) {
  std::vector<std::string> unknown, missing;
  for (const std::string &feature : code.features()) {
    if (!isKnownCpuFeature(feature))
      unknown.push_back(feature);
    else if (!cpuHasFeature(feature))
      missing.push_back(feature);
  }
  if (unknown.empty() && missing.empty())
    return okStatus();
  std::string message = "its CPU code was compiled for " +
                        (code.cpu().empty() ? "another CPU" : code.cpu()) +
                        " and needs ";
  if (!missing.empty())
    message += "CPU features this CPU lacks: " + joined(missing);
  if (!unknown.empty())
    message += std::string(missing.empty() ? "" : "; and ") +
               "CPU features this runtime cannot check: " + joined(unknown);
  return failedPrecondition(
      message + "; recompile it with goe-compile --cpu=native on this "
                "machine, or an x86-64 level this CPU has (--cpu=x86-64-v3)");
}

} // namespace

Status bindCode(const artifact::Model &model, Program &program) {
  static const std::string kTarget = "cpu-x86_64";
  for (int i = 0; i < model.code_size(); ++i) {
    const artifact::CodeObject &code = model.code(i);
    // Code for other targets (GPUs) is loaded by sessions on that device.
    if (code.target() != kTarget || !code.has_cpu()) {
      program.deviceCode.push_back(code);
      continue;
    }
    GOE_RETURN_IF_ERROR(checkCpuFeatures(code.cpu()));
    StatusOr<std::unique_ptr<NativeLibrary>> library = NativeLibrary::load(
        code.cpu().shared_object(), kTarget + " #" + std::to_string(i));
    if (!library.ok())
      return library.status();
    // Code that can fan out (CpuDevice.h) gets the runtime's runner; older
    // artifacts have no such symbol and run every kernel on one thread.
    StatusOr<void *> setRunner =
        (*library)->lookup("goe_set_parallel_runner");
    if (setRunner.ok() && *setRunner)
      reinterpret_cast<void (*)(decltype(&kernelParallelRunner))>(*setRunner)(
          &kernelParallelRunner);
    // Code with the conv microkernel reports its calls to the profile.
    StatusOr<void *> setConvProbe = (*library)->lookup("goe_set_conv_probe");
    if (setConvProbe.ok() && *setConvProbe)
      reinterpret_cast<void (*)(decltype(&kernelConvProbe))>(*setConvProbe)(
          &kernelConvProbe);
    // The weights stay where they are, unchanged, while the code is
    // loaded: kernels may keep packed copies of them (KernelSupport.cpp's
    // goe_packed_weights). Older artifacts have no such symbol.
    StatusOr<void *> registerWeights =
        (*library)->lookup("goe_register_weights");
    if (registerWeights.ok() && *registerWeights)
      for (const LoadedWeight &weight : program.weights)
        reinterpret_cast<void (*)(const void *, int64_t)>(*registerWeights)(
            weight.tensor.data(), int64_t(weight.tensor.byteSize()));
    program.libraries.push_back(std::move(library).value());
  }
  // A model compiled for a GPU only loads; a CPU session on it is refused
  // (Session::create) instead.
  if (program.libraries.empty() && !program.deviceCode.empty())
    return okStatus();
  for (auto &fn : program.functions) {
    if (program.libraries.empty())
      return failedPrecondition("function " + quoteText(fn->name) +
                                " needs native code, and the artifact has "
                                "no " +
                                kTarget + " code object");
    Status firstError;
    for (const auto &library : program.libraries) {
      StatusOr<void *> entry = library->lookup(fn->symbol);
      if (entry.ok() && *entry) {
        fn->entry = *entry;
        break;
      }
      if (firstError.ok())
        firstError = entry.ok() ? notFound("symbol " + quoteText(fn->symbol) +
                                           " is null in " + library->name())
                                : entry.status();
    }
    if (!fn->entry)
      return firstError.withContext("function " + quoteText(fn->name));
  }
  program.hasCpuCode = true;
  return okStatus();
}

} // namespace detail

Model::Model(std::unique_ptr<detail::Program> program)
    : program_(std::move(program)) {}

Model::~Model() = default;

/// `model` with every weight made from the weights file at `path`
/// (WeightBinding.h): all of them, or an error listing what does not fit.
static StatusOr<artifact::Model>
withWeightsFile(const artifact::Model &model, const std::string &path) {
  StatusOr<artifact::WeightBundle> bundle = readWeightBundle(path);
  if (!bundle.ok())
    return bundle.status();
  artifact::Model bound = model;
  GOE_RETURN_IF_ERROR(bindWeightBundle(*bundle, bound)
                          .withContext("weights file " + quoteText(path)));
  return bound;
}

StatusOr<std::shared_ptr<const Model>>
Model::fromProto(const artifact::Model &given, const ModelOptions &options) {
  std::optional<artifact::Model> bound;
  if (!options.weightsPath.empty()) {
    StatusOr<artifact::Model> made = withWeightsFile(given, options.weightsPath);
    if (!made.ok())
      return made.status();
    bound = std::move(made).value();
  }
  const artifact::Model &model = bound ? *bound : given;
  std::string source =
      model.name().empty() ? "model" : "model " + quoteText(model.name());
  StatusOr<std::unique_ptr<detail::Program>> program =
      detail::buildProgram(model, nullptr);
  if (!program.ok())
    return program.status().withContext(source);
  GOE_RETURN_IF_ERROR(detail::bindCode(model, **program).withContext(source));
  return std::shared_ptr<const Model>(new Model(std::move(program).value()));
}

StatusOr<std::shared_ptr<const Model>>
Model::loadFromMemory(std::string_view file, const ModelOptions &options,
                      const std::string &source) {
  StatusOr<artifact::Model> model = parseModel(file, source);
  if (!model.ok())
    return model.status();
  return fromProto(*model, options);
}

StatusOr<std::shared_ptr<const Model>> Model::load(const std::string &path,
                                                   const ModelOptions &options) {
  StatusOr<artifact::Model> model = readModel(path);
  if (!model.ok())
    return model.status();
  return fromProto(*model, options);
}

const std::string &Model::name() const { return program_->name; }
size_t Model::numInputs() const { return program_->inputSpecs.size(); }
const std::string &Model::inputName(size_t index) const {
  return program_->inputNames.at(index);
}
const TensorSpec &Model::inputSpec(size_t index) const {
  return program_->inputSpecs.at(index);
}
size_t Model::numOutputs() const { return program_->outputSpecs.size(); }
const TensorSpec &Model::outputSpec(size_t index) const {
  return program_->outputSpecs.at(index);
}
const std::string &Model::outputName(size_t index) const {
  return program_->outputNames.at(index);
}

StatusOr<FunctionStats> Model::functionStats(const std::string &function) const {
  auto it = program_->functionIndex.find(function);
  if (it == program_->functionIndex.end())
    return notFound("model has no function " + quoteText(function));
  const detail::LoadedFunction &fn = *program_->functions[it->second];
  return FunctionStats{fn.name, fn.calls.load(), fn.samples.load()};
}

std::vector<FunctionStats> Model::allFunctionStats() const {
  std::vector<FunctionStats> stats;
  for (const auto &fn : program_->functions)
    stats.push_back(FunctionStats{fn->name, fn->calls.load(), fn->samples.load()});
  return stats;
}

void Model::resetFunctionStats() const {
  for (const auto &fn : program_->functions) {
    fn->calls.store(0);
    fn->samples.store(0);
  }
}

} // namespace goe::runtime
