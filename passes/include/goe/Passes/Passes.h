//===- Passes.h - goe passes ------------------------------------*- C++ -*-===//

#ifndef GOE_PASSES_PASSES_H
#define GOE_PASSES_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace goe {

#define GEN_PASS_DECL
#include "goe/Passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "goe/Passes/Passes.h.inc"

} // namespace goe

#endif // GOE_PASSES_PASSES_H
