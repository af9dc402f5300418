//===- Target.cpp - code generators and the stages they run ---------------===//

#include "goe/Compiler/Target.h"

#include "mlir/IR/OperationSupport.h"

using namespace mlir;

goe::Target::~Target() = default;

bool goe::StageTap::reached(
    llvm::StringRef stage,
    llvm::function_ref<void(llvm::raw_ostream &)> print) {
  if (stage != stopAfter_)
    return false;
  llvm::raw_string_ostream os(output_);
  print(os);
  os.flush();
  stopped_ = true;
  return true;
}

bool goe::StageTap::reached(llvm::StringRef stage, ModuleOp module) {
  return reached(stage, [&](llvm::raw_ostream &os) {
    // Default flags read the command line's --mlir-print-* options.
    module->print(os, OpPrintingFlags());
    os << "\n";
  });
}
