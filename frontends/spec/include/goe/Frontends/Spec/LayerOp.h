//===- LayerOp.h - the definition of a spec layer op ------------*- C++ -*-===//
//
// A layer op is defined once, in its family's file under
// frontends/spec/lib/ops/: its fields, how many inputs it reads, its shape
// rule, its multiply-adds per sample and its TOSA emission. Its typed
// parameters (defaults included) are declared in the family's header under
// goe/Frontends/Spec/ops/, so that the LibTorch reference (the paired file
// under frontends/torch/lib/ops/) reads the same values. Everything else
// looks an op up here and never names one. docs/architecture.md, "Adding a
// layer op", lists the files.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_SPEC_LAYEROP_H
#define GOE_FRONTENDS_SPEC_LAYEROP_H

#include "goe/Frontends/Spec/LayerOps.h"
#include "goe/Frontends/Spec/ShapeInference.h"

#include "mlir/IR/Value.h"

namespace goe::spec {

class LayerEmitter; // frontends/spec/lib/ops/LayerEmitter.h

/// Elements per sample goe accepts: 2^31 (8 GiB of f32 per sample) keeps
/// every count and byte offset far from int64 overflow.
constexpr int64_t kMaxElements = int64_t(1) << 31;

/// The element count of `shape`, saturated at kMaxElements + 1.
int64_t elementCount(const Shape &shape);

/// A layer with the per-sample shapes it reads and gives: what MAC counts,
/// emitters and the torch reference work from.
struct LayerShapes {
  const Layer &layer;
  std::vector<Shape> inputs;
  Shape result;

  const Shape &in() const { return inputs[0]; }
};

/// The layer `resolved` of `module`, with its shapes.
LayerShapes layerShapes(const ResolvedModule &module,
                        const ResolvedLayer &resolved);

/// What a shape rule reads, and how it reports a problem: at a YAML
/// location of the layer, through MLIR diagnostics; every helper that
/// reports returns failure, which the rule returns as is.
class ShapeCheck {
public:
  ShapeCheck(const Spec &spec, const Layer &layer,
             const std::vector<TensorInfo> &inputs, std::string where,
             mlir::MLIRContext *context)
      : layer(layer), inputs(inputs), spec(spec), where_(std::move(where)),
        context(context) {}

  const Layer &layer;
  const std::vector<TensorInfo> &inputs;
  const Shape &in() const { return inputs[0].shape; }

  /// "layer 3 of module 'm'": the prefix of messages about this layer.
  const std::string &where() const { return where_; }

  /// Reports `message` at `loc` as given.
  mlir::LogicalResult fail(Loc loc, const std::string &message) const;
  /// Reports "<where>: <message>" at the layer.
  mlir::LogicalResult failAtLayer(const std::string &message) const;
  /// The location of field `key`, or the layer's when it is not given.
  Loc fieldLoc(const std::string &key) const;

  /// Fails unless the first input has `rank`; `meaning` reads "an image
  /// [C, H, W]".
  mlir::LogicalResult expectRank(size_t rank, const std::string &meaning) const;
  /// [channels, H', W'] of a square `kernel` window with `stride` over the
  /// image `in` [C, H, W] plus `padding` on each side (PyTorch's floor
  /// rule); a window larger than the padded image is an error.
  mlir::FailureOr<Shape> windowShape(int64_t channels, const Shape &in,
                                     int64_t kernel, int64_t stride,
                                     int64_t padding) const;

private:
  const Spec &spec;
  std::string where_;
  mlir::MLIRContext *context;
};

/// One layer op: what the reader checks (OpSpec: name, inputs, fields) and
/// its rules. Family files define these as constants; the registry
/// (LayerOps.cpp) lists the families.
struct LayerOp : OpSpec {
  /// The per-sample result shape, or failure once reported through `check`.
  mlir::FailureOr<Shape> (*inferShape)(const ShapeCheck &check);
  /// Multiply-adds per sample (what AnnotateMacs counted on the TOSA).
  int64_t (*macs)(const LayerShapes &layer);
  /// The layer's TOSA on channels-last values; `inputs` as layer.inputs.
  mlir::Value (*emit)(LayerEmitter &emitter, const LayerShapes &layer,
                      llvm::ArrayRef<mlir::Value> inputs);
  /// The shapes of the weight tensors its emission loads (PyTorch
  /// layouts); null for an op without weights. Shape inference holds each
  /// to the per-tensor bound, and the model's total to the weight limit
  /// (docs/spec.md, "Limits").
  std::vector<Shape> (*weights)(const LayerShapes &layer) = nullptr;
};

/// MAC rule of ops that do no multiply-adds worth counting (elementwise,
/// pooling, data movement).
int64_t noMacs(const LayerShapes &layer);

/// Every layer op, family by family.
const std::vector<const LayerOp *> &allLayerOps();

/// The definition of `layer`'s op; the reader has checked that it exists.
const LayerOp &layerOpOf(const Layer &layer);

/// MACs per sample of a resolved module instance; saturates at INT64_MAX.
int64_t moduleMacs(const ResolvedModule &module);

} // namespace goe::spec

#endif // GOE_FRONTENDS_SPEC_LAYEROP_H
