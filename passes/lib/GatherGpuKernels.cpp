//===- GatherGpuKernels.cpp - one gpu.module, PTX-safe kernel names -------===//
//
// The runtime loads one cubin per artifact and looks kernels up by name
// (cuModuleGetFunction), so the name recorded in the artifact must be
// exactly the PTX entry name and unique across all functions.
//
//===----------------------------------------------------------------------===//

#include "goe/Passes/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringSet.h"

#include <cctype>

namespace goe {
#define GEN_PASS_DEF_GATHERGPUKERNELS
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kModuleName = "goe_kernels";

std::string ptxSafe(StringRef name) {
  std::string out;
  for (char c : name)
    out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_');
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out.front())))
    out.insert(out.begin(), '_');
  return out;
}

struct GatherGpuKernels
    : public goe::impl::GatherGpuKernelsBase<GatherGpuKernels> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    SmallVector<gpu::GPUModuleOp> outlined(module.getOps<gpu::GPUModuleOp>());
    if (outlined.empty())
      return;
    if (SymbolTable::lookupSymbolIn(module, kModuleName)) {
      module.emitError("goe-gather-gpu-kernels: a symbol named '")
          << kModuleName << "' already exists";
      return signalPassFailure();
    }

    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    auto gathered =
        builder.create<gpu::GPUModuleOp>(module.getLoc(), kModuleName);
    Block &target = gathered.getBodyRegion().front();
    StringAttr newModule = gathered.getSymNameAttr();
    llvm::StringSet<> taken;
    llvm::DenseMap<std::pair<StringAttr, StringAttr>, SymbolRefAttr> renamed;

    for (gpu::GPUModuleOp gpuModule : outlined) {
      StringAttr oldModule = gpuModule.getSymNameAttr();
      for (Operation &op : llvm::make_early_inc_range(
               gpuModule.getBodyRegion().front().without_terminator())) {
        auto kernel = dyn_cast<gpu::GPUFuncOp>(op);
        if (!kernel) {
          // A host symbol outlining cloned into every module that uses it:
          // keep the first copy.
          auto name = SymbolTable::getSymbolName(&op);
          if (name && !taken.insert(name.getValue()).second)
            continue;
          op.moveBefore(target.getTerminator());
          continue;
        }
        StringAttr oldKernel = kernel.getNameAttr();
        std::string base = ptxSafe(oldKernel.getValue());
        std::string name = base;
        for (int i = 1; taken.contains(name); ++i)
          name = base + "_" + std::to_string(i);
        taken.insert(name);
        StringAttr newKernel = StringAttr::get(context, name);
        kernel->setAttr(SymbolTable::getSymbolAttrName(), newKernel);
        kernel->moveBefore(target.getTerminator());
        renamed[{oldModule, oldKernel}] = SymbolRefAttr::get(
            newModule, {FlatSymbolRefAttr::get(newKernel)});
      }
      gpuModule.erase();
    }

    WalkResult result = module.walk([&](gpu::LaunchFuncOp launch) {
      auto it = renamed.find(
          {launch.getKernelModuleName(), launch.getKernelName()});
      if (it == renamed.end()) {
        launch.emitOpError("launches a kernel no gpu.module defines");
        return WalkResult::interrupt();
      }
      launch.setKernelAttr(it->second);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
