//===- GoeDialect.h - the goe dialect ---------------------------*- C++ -*-===//

#ifndef GOE_DIALECT_GOE_GOEDIALECT_H
#define GOE_DIALECT_GOE_GOEDIALECT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Dialect.h"

#include "goe/Dialect/Goe/GoeOpsDialect.h.inc"

#endif // GOE_DIALECT_GOE_GOEDIALECT_H
