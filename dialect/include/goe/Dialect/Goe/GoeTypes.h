//===- GoeTypes.h - goe types and attributes --------------------*- C++ -*-===//

#ifndef GOE_DIALECT_GOE_GOETYPES_H
#define GOE_DIALECT_GOE_GOETYPES_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include "goe/Dialect/Goe/GoeEnums.h"

#define GET_TYPEDEF_CLASSES
#include "goe/Dialect/Goe/GoeOpsTypes.h.inc"

#endif // GOE_DIALECT_GOE_GOETYPES_H
