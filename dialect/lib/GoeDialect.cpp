//===- GoeDialect.cpp - the goe dialect, its types and attributes ---------===//

#include "goe/Dialect/Goe/GoeDialect.h"
#include "goe/Dialect/Goe/GoeOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace goe;

#include "goe/Dialect/Goe/GoeOpsDialect.cpp.inc"
#include "goe/Dialect/Goe/GoeOpsEnums.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "goe/Dialect/Goe/GoeOpsTypes.cpp.inc"

void GoeDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "goe/Dialect/Goe/GoeOps.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "goe/Dialect/Goe/GoeOpsTypes.cpp.inc"
      >();
}

LogicalResult
RoutingType::verify(function_ref<InFlightDiagnostic()> emitError,
                    int64_t choices, int64_t k) {
  if (choices < 1)
    return emitError() << "a routing needs at least one choice, got "
                       << choices;
  if (k < 1 || k > choices)
    return emitError() << "a routing picks k in [1, " << choices
                       << "] choices, got k = " << k;
  return success();
}
