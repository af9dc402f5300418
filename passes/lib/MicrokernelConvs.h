//===- MicrokernelConvs.h - which convolutions the C microkernel runs -*- C++ -*-===//
//
// One predicate for the three places that must agree: goe-tile-and-vectorize
// leaves these convolutions (and their bias broadcasts) untiled,
// goe-generalize-named-ops leaves them named, and
// goe-convs-to-microkernel-calls turns them into calls.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_PASSES_LIB_MICROKERNELCONVS_H
#define GOE_PASSES_LIB_MICROKERNELCONVS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace goe {

/// The microkernel's register tile is 32 output channels wide; narrower
/// layers (the rotated-MNIST experts' 8 and 16 channels) stay with the
/// MLIR-tiled code, which sizes its tiles to them. Wider layers that are
/// not a multiple of 32 (a detect layer's 255) pad their last block.
constexpr int64_t kMicrokernelChannelBlock = 32;

/// The C symbol of the calls (ConvMicrokernel.cpp defines it with the
/// `_mlir_ciface_` prefix llvm.emit_c_interface calls through). Its
/// operands 0, 1 and 3 (input, filter, the values the sums start from) are
/// read, 2 (output) is written.
constexpr llvm::StringLiteral kMicrokernelConvSymbol =
    "goe_conv2d_nhwc_hwcf_f32";
constexpr unsigned kMicrokernelOutputOperand = 2;

/// True for an f32 `linalg.conv_2d_nhwc_hwcf` with static shapes and at
/// least kMicrokernelChannelBlock output channels, on tensors or buffers.
inline bool isMicrokernelConv(mlir::Operation *op) {
  auto conv = llvm::dyn_cast<mlir::linalg::Conv2DNhwcHwcfOp>(op);
  if (!conv)
    return false;
  for (mlir::Value operand : op->getOperands()) {
    auto type = llvm::dyn_cast<mlir::ShapedType>(operand.getType());
    if (!type || !type.hasStaticShape() || !type.getElementType().isF32() ||
        type.getRank() != 4)
      return false;
  }
  auto output = llvm::cast<mlir::ShapedType>(conv.getDpsInits()[0].getType());
  return output.getDimSize(3) >= kMicrokernelChannelBlock;
}

/// True for the bias broadcast a convolution's init is filled with: a
/// linalg.generic copying a 1-D input along the last dimension of a 4-D
/// init, (n, h, w, c) -> (c), on tensors or buffers.
/// goe-tile-and-vectorize leaves it whole when it initialises a
/// microkernel convolution, and goe-convs-to-microkernel-calls folds it
/// into the call (the microkernel starts its sums from the bias).
inline bool isBiasBroadcast(mlir::Operation *op) {
  auto generic = llvm::dyn_cast<mlir::linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 || generic.getNumReductionLoops() != 0)
    return false;
  auto input = llvm::dyn_cast<mlir::ShapedType>(
      generic.getDpsInputOperand(0)->get().getType());
  auto init =
      llvm::dyn_cast<mlir::ShapedType>(generic.getDpsInits()[0].getType());
  if (!input || !init || input.getRank() != 1 || init.getRank() != 4)
    return false;
  auto maps = generic.getIndexingMapsArray();
  mlir::MLIRContext *context = op->getContext();
  if (maps[0] != mlir::AffineMap::get(4, 0, mlir::getAffineDimExpr(3, context)) ||
      !maps[1].isIdentity())
    return false;
  auto yield = llvm::dyn_cast<mlir::linalg::YieldOp>(
      generic.getBody()->getTerminator());
  return yield && yield.getNumOperands() == 1 &&
         yield.getOperand(0) == generic.getBody()->getArgument(0);
}

} // namespace goe

#endif // GOE_PASSES_LIB_MICROKERNELCONVS_H
