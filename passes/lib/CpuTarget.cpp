//===- CpuTarget.cpp - the CPU target: which CPU, and its stages ----------===//
//
// "native" compiles for the build host, every feature it has: the fastest
// code where build and serving machines are one kind. An x86-64 level
// (x86-64-v3: AVX2, FMA, BMI2; x86-64-v4: AVX-512) gives code every CPU of
// that level runs. Either way the artifact records the features the code
// may use, so that the runtime refuses it on a CPU without them instead of
// dying of SIGILL.
//
//===----------------------------------------------------------------------===//

#include "goe/Compiler/CpuCodegen.h"
#include "goe/Passes/Pipelines.h"
#include "goe/Runtime/CpuFeatures.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/TargetParser/X86TargetParser.h"

using namespace mlir;

namespace {

/// `enabled`'s names that the runtime can check, in its order.
std::vector<std::string> recordable(const llvm::StringMap<bool> &enabled) {
  std::vector<std::string> out;
  for (const std::string &name : goe::runtime::knownCpuFeatures()) {
    auto it = enabled.find(name);
    if (it != enabled.end() && it->second)
      out.push_back(name);
  }
  return out;
}

std::string joined(const std::vector<std::string> &names,
                   llvm::StringRef separator) {
  std::string out;
  for (const std::string &name : names)
    out += (out.empty() ? "" : separator.str()) + name;
  return out;
}

class CpuTarget : public goe::Target {
public:
  explicit CpuTarget(goe::CpuChoice cpu) : cpu_(std::move(cpu)) {}

  llvm::StringRef name() const override { return "cpu"; }

  std::vector<goe::StageInfo> stages() const override {
    return {{"kernels", "the expert functions tiled, vectorised and "
                        "lowered to the LLVM dialect (CPU)"},
            {"llvm", "the optimised LLVM IR compiled to machine code (CPU)"}};
  }

  std::string describe() const override {
    std::string line = "cpu " + cpu_.cpu;
    if (cpu_.requested != cpu_.cpu)
      line += " (--cpu=" + cpu_.requested + ")";
    return line + ", needs " + joined(cpu_.features, " ");
  }

  LogicalResult compile(ModuleOp module, goe::artifact::CodeObject &code,
                        goe::StageTap *tap,
                        llvm::raw_ostream *) const override {
    PassManager lower(module.getContext());
    goe::buildCpuKernelPipeline(lower);
    if (failed(lower.run(module)))
      return failure();
    if (tap && tap->reached("kernels", module))
      return success();
    FailureOr<goe::CpuCodeObject> object =
        goe::compileToSharedObject(module, cpu_, tap);
    if (failed(object))
      return failure();
    if (tap && tap->stopped())
      return success();
    code.set_target(object->target);
    goe::artifact::CpuCode *cpu = code.mutable_cpu();
    cpu->set_shared_object(std::move(object->sharedObject));
    cpu->set_cpu(cpu_.cpu);
    for (const std::string &feature : cpu_.features)
      cpu->add_features(feature);
    return success();
  }

private:
  goe::CpuChoice cpu_;
};

} // namespace

const std::vector<std::string> &goe::cpuChoices() {
  static const std::vector<std::string> names = {
      "native", "x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4"};
  return names;
}

llvm::Expected<goe::CpuChoice> goe::chooseCpu(llvm::StringRef name) {
  const std::vector<std::string> &names = cpuChoices();
  if (llvm::find(names, name) == names.end())
    return llvm::createStringError(
        "unknown CPU '" + name + "' (--cpu takes " +
        joined({names.begin(), names.end() - 1}, ", ") + " or " +
        names.back() + ")");
  CpuChoice choice;
  choice.requested = name.str();
  llvm::StringMap<bool> enabled;
  if (name == "native") {
    choice.cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures features;
    for (const auto &[feature, on] : llvm::sys::getHostCPUFeatures()) {
      features.AddFeature(feature, on);
      enabled[feature] = on;
    }
    choice.llvmFeatures = features.getString();
  } else {
    if (!llvm::Triple(llvm::sys::getDefaultTargetTriple()).isX86())
      return llvm::createStringError("--cpu=" + name +
                                     " is an x86-64 level, and this "
                                     "compiler builds for " +
                                     llvm::sys::getDefaultTargetTriple());
    // The level's features and everything they imply (avx2 implies avx,
    // sse4.2, ...).
    choice.cpu = name.str();
    llvm::SmallVector<llvm::StringRef> features;
    llvm::X86::getFeaturesForCPU(name, features);
    features.push_back("64bit");
    for (llvm::StringRef feature : features) {
      enabled[feature] = true;
      llvm::X86::updateImpliedFeatures(feature, true, enabled);
    }
  }
  choice.features = recordable(enabled);
  return choice;
}

std::shared_ptr<const goe::Target>
goe::createCpuTarget(const CpuChoice &cpu) {
  return std::make_shared<CpuTarget>(cpu);
}
