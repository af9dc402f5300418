//===- FreshBuffers.h - buffers a pass may rewrite freely ---------*- C++ -*-===//
//
// The rewrites on buffers after bufferisation (the LeakyReLU folded into a
// convolution, producers writing into their slices) only touch buffers
// they can see all of: a fresh allocation with a static identity layout,
// whose every use they can inspect.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_PASSES_LIB_FRESHBUFFERS_H
#define GOE_PASSES_LIB_FRESHBUFFERS_H

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace goe {

/// `value`'s buffer is a fresh memref.alloc or memref.alloca with a static
/// identity layout (so no size operands): the op, or null.
inline mlir::Operation *freshAllocation(mlir::Value value) {
  mlir::Operation *def = value.getDefiningOp();
  if (!def || !llvm::isa<mlir::memref::AllocOp, mlir::memref::AllocaOp>(def))
    return nullptr;
  auto type = llvm::cast<mlir::MemRefType>(value.getType());
  return type.getLayout().isIdentity() && type.hasStaticShape() ? def
                                                                 : nullptr;
}

} // namespace goe

#endif // GOE_PASSES_LIB_FRESHBUFFERS_H
