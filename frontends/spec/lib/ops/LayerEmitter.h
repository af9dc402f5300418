//===- LayerEmitter.h - TOSA building blocks for layer ops ------*- C++ -*-===//
//
// What a layer op's emission (LayerOp::emit) builds with: the body builder
// of the instance function, the layer's location, weight globals named as
// PyTorch names them (`<instance>.<layer>.weight`, OIHW), and the layout
// helpers. Values are channels-last with a dynamic batch dimension.
// Implemented in ExpertEmitter.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_SPEC_OPS_LAYEREMITTER_H
#define GOE_FRONTENDS_SPEC_OPS_LAYEREMITTER_H

#include "goe/Frontends/Spec/LayerOp.h"
#include "goe/Frontends/Spec/MLIRGen.h"
#include "goe/Frontends/Spec/ops/Activations.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"

namespace goe::spec {

/// tosa.mul's shift applies to integers only; floats always use 0.
constexpr uint8_t kNoShift = 0;

class LayerEmitter {
public:
  /// Weight globals are created through `moduleBuilder`.
  LayerEmitter(mlir::OpBuilder &moduleBuilder, std::string instance);

  mlir::OpBuilder b; // inside the instance function's body
  mlir::MLIRContext *context;
  mlir::Location loc; // the current layer's YAML location

  mlir::RankedTensorType f32(llvm::ArrayRef<int64_t> shape);
  /// `[?, physical...]` for a logical per-sample shape.
  mlir::RankedTensorType batched(const Shape &logical);

  /// Loads the weight global `<instance>.<layer index>.<name>`.
  mlir::Value weight(const Layer &layer, const std::string &name,
                     llvm::ArrayRef<int64_t> shape);
  mlir::Value constant(llvm::ArrayRef<int64_t> shape,
                       llvm::ArrayRef<float> values);
  mlir::Value splat(int64_t rank, float value);
  mlir::Value zeros(int64_t size);
  mlir::Value reshape(mlir::Value input, llvm::ArrayRef<int64_t> perSample);
  mlir::Value transpose(mlir::Value input, llvm::ArrayRef<int32_t> perms);
  /// A slice; a negative size[0] keeps the dynamic batch.
  mlir::Value slice(mlir::Value input, llvm::ArrayRef<int64_t> start,
                    llvm::ArrayRef<int64_t> size);
  /// Channels-last <-> channels-first for images; other ranks unchanged.
  mlir::Value toLogical(mlir::Value input, const Shape &logical);
  mlir::Value fromLogical(mlir::Value input, const Shape &logical);

private:
  mlir::OpBuilder &moduleBuilder;
  std::string instance;
};

/// PyTorch windows drop the trailing rows that do not fill a whole stride;
/// TOSA wants the window to fit exactly, so the bottom/right padding shrinks
/// (and, rarely, the input is cropped) to give the same output.
struct Window {
  int64_t padBefore, padAfter, crop;
};
Window fitWindow(int64_t size, int64_t kernel, int64_t stride,
                 int64_t padding);

// Emission shared between families.

/// Inference batch norm with the weights `<layer>.<prefix>weight`, `bias`,
/// `running_mean`, `running_var` (Normalization.cpp).
mlir::Value emitBatchNorm(LayerEmitter &e, const Layer &layer,
                          mlir::Value input, const Shape &shape,
                          const std::string &prefix, double eps);
/// `kind` applied elementwise; `slope` is leaky_relu's (Activations.cpp).
mlir::Value emitActivation(LayerEmitter &e, ops::Activation kind,
                           double slope, mlir::Value input);

} // namespace goe::spec

#endif // GOE_FRONTENDS_SPEC_OPS_LAYEREMITTER_H
