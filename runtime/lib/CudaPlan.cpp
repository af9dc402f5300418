//===- CudaPlan.cpp - checking a CUDA launch plan against a program -------===//
//
// Everything about a CUDA code object that can be wrong is checked here,
// with no GPU: a bad artifact is reported at session creation, never as a
// wild pointer in a kernel.
//
//===----------------------------------------------------------------------===//

#include "CudaDevice.h"

namespace goe::runtime::detail {

StatusOr<const artifact::CudaCode *> findCudaCode(const Program &program) {
  for (const artifact::CodeObject &code : program.deviceCode)
    if (code.has_cuda())
      return &code.cuda();
  return failedPrecondition(
      "the model has no CUDA code; compile it with goe-compile "
      "--target=cuda (or --target=cpu,cuda)");
}

StatusOr<std::vector<const artifact::CudaFunction *>>
validateCudaPlans(const Program &program, const artifact::CudaCode &code) {
  if (code.plan_version() != kCudaPlanVersion)
    return failedPrecondition(
        "the CUDA code object has launch-plan version " +
        std::to_string(code.plan_version()) + ", this runtime reads " +
        std::to_string(kCudaPlanVersion) + "; recompile the model");
  if (code.cubin().empty() && code.ptx().empty())
    return dataLoss("the CUDA code object holds neither a cubin nor PTX");
  if (code.block_size() < 1 || code.block_size() > 1024)
    return dataLoss("the CUDA code object has block size " +
                    std::to_string(code.block_size()));

  std::unordered_map<std::string, const artifact::CudaFunction *> byName;
  for (const artifact::CudaFunction &fn : code.functions())
    byName[fn.name()] = &fn;
  std::vector<const artifact::CudaFunction *> plans;
  for (const auto &fn : program.functions) {
    auto it = byName.find(fn->name);
    if (it == byName.end())
      return dataLoss("the CUDA code object has no launch plan for function '" +
                      fn->name + "'");
    const artifact::CudaFunction &plan = *it->second;
    int numArguments = static_cast<int>(fn->inputs.size() + fn->weights.size() +
                                        fn->outputs.size());
    std::string where = "CUDA launch plan of '" + fn->name + "'";
    for (const artifact::CudaTemporary &temporary : plan.temporaries())
      if (temporary.element_bytes() < 1 || temporary.element_bytes() > 8)
        return dataLoss(where + ": a temporary has element size " +
                        std::to_string(temporary.element_bytes()));
    for (const artifact::CudaLaunch &launch : plan.launches()) {
      if (launch.kernel().empty())
        return dataLoss(where + ": a launch names no kernel");
      for (const artifact::CudaArgument &argument : launch.arguments()) {
        bool ok = true;
        switch (argument.kind()) {
        case artifact::CudaArgument::ARGUMENT:
          ok = argument.index() >= 0 && argument.index() < numArguments;
          break;
        case artifact::CudaArgument::TEMPORARY:
          ok = argument.index() >= 0 &&
               argument.index() < plan.temporaries_size();
          break;
        case artifact::CudaArgument::SCALAR:
          break;
        default:
          ok = false;
        }
        if (!ok)
          return dataLoss(where + ": kernel '" + launch.kernel() +
                          "' has an argument out of range (kind " +
                          std::to_string(argument.kind()) + ", index " +
                          std::to_string(argument.index()) + ")");
      }
    }
    plans.push_back(&plan);
  }
  return plans;
}

} // namespace goe::runtime::detail
