//===- GoeEnums.h - the goe router and combine kinds ------------*- C++ -*-===//
//
// Only the kind enums (goe::RouterKind, goe::CombineKind) and their
// spellings, for code that names a kind but builds no IR (the spec reader,
// the graph plan, the LibTorch reference).
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DIALECT_GOE_GOEENUMS_H
#define GOE_DIALECT_GOE_GOEENUMS_H

#include "mlir/IR/BuiltinAttributes.h"

#include "goe/Dialect/Goe/GoeOpsEnums.h.inc"

#endif // GOE_DIALECT_GOE_GOEENUMS_H
