//===- MicrokernelConvs.h - which convolutions the C microkernel runs -*- C++ -*-===//
//
// One predicate for the three places that must agree: goe-tile-and-vectorize
// leaves these convolutions untiled, goe-generalize-named-ops leaves them
// named, and goe-convs-to-microkernel-calls turns them into calls.
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
/// operands 0 and 1 (input, filter) are read, 2 (output) is written.
constexpr llvm::StringLiteral kMicrokernelConvSymbol =
    "goe_conv2d_nhwc_hwcf_f32";

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

} // namespace goe

#endif // GOE_PASSES_LIB_MICROKERNELCONVS_H
