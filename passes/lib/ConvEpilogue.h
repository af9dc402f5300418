//===- ConvEpilogue.h - activations the conv microkernel applies -*- C++ -*-===//
//
// After bufferisation a convolution writes its buffer and a separate
// elementwise linalg.generic reads all of it back to apply the activation
// (YOLO's LeakyReLU(0.1) after every convolution): one more pass over
// memory per layer. goe-convs-to-microkernel-calls asks here whether that
// activation can be applied by the microkernel as it stores each tile
// instead, and if so folds it in: the generic is erased and its output
// buffer replaced by the convolution's.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_PASSES_LIB_CONVEPILOGUE_H
#define GOE_PASSES_LIB_CONVEPILOGUE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace goe {

/// max(x, slope * x): the one epilogue the microkernel knows.
struct ConvActivation {
  mlir::linalg::GenericOp generic; // the op it replaces
  float slope = 0;
};

/// The LeakyReLU-shaped generic that alone reads `conv`'s output buffer
/// after it, when folding it in is safe: the buffer is a fresh allocation
/// that is only written before the convolution (no view or cast of it)
/// and read after it by the generic alone, and the generic writes the
/// whole of a fresh allocation of the same kind and type that nothing uses
/// before it. None otherwise (the activation then stays a generic).
std::optional<ConvActivation>
findFusableActivation(mlir::linalg::Conv2DNhwcHwcfOp conv);

/// Makes the activation's users read the convolution's buffer and erases
/// the generic and its buffer (and that buffer's deallocations); the
/// caller has the microkernel apply the activation.
void foldActivationIntoConv(mlir::linalg::Conv2DNhwcHwcfOp conv,
                            const ConvActivation &activation);

} // namespace goe

#endif // GOE_PASSES_LIB_CONVEPILOGUE_H
