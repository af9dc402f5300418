//===- GoeOps.h - goe operations --------------------------------*- C++ -*-===//

#ifndef GOE_DIALECT_GOE_GOEOPS_H
#define GOE_DIALECT_GOE_GOEOPS_H

#include "goe/Dialect/Goe/GoeDialect.h"
#include "goe/Dialect/Goe/GoeTypes.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "goe/Dialect/Goe/GoeOps.h.inc"

namespace goe {
/// The activation inputs of an expert function: its arguments without the
/// trailing weights that goe-weights-to-arguments appends (`goe.weights`).
llvm::ArrayRef<mlir::Type> getActivationTypes(mlir::func::FuncOp fn);
} // namespace goe

#endif // GOE_DIALECT_GOE_GOEOPS_H
