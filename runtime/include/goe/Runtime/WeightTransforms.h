//===- WeightTransforms.h - stored weights from trained ones ----*- C++ -*-===//
//
// A weights file holds tensors as the spec names them, in PyTorch layouts
// (`feats.0.conv.weight` OIHW, `feats.0.bn.running_var`, ...). The compiler
// stores other tensors: batch-norms folded into the convolution before them,
// weights transposed into the layouts the kernels read. This header is the
// arithmetic of those transforms, once: the compiler's passes
// (goe-fold-batchnorm, goe-prepack-weights) call it on bound constants, and
// the runtime calls it when a model is loaded with a weights file, so both
// produce the same bits.
//
// Each stored weight has a recipe: the source tensors it reads and the
// transforms applied to them. The artifact records it (WeightRecipe in
// artifact.proto); WeightBinding.h applies it at load.
//
// Plain C++ with no dependency (no Protobuf, no MLIR), so that goe-opt's
// passes can link it.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_WEIGHTTRANSFORMS_H
#define GOE_RUNTIME_WEIGHTTRANSFORMS_H

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace goe::runtime {

/// A dense f32 tensor, row-major.
struct FloatTensor {
  std::vector<int64_t> shape;
  std::vector<float> values;
};

/// One transform of a recipe, with its parameters.
struct WeightTransform {
  enum class Kind {
    /// One operand; result dimension i is operand dimension perm[i].
    Transpose,
    /// Operands weight [O, ...], gamma [O], running_var [O]:
    /// weight[o, ...] * s[o], s[o] = gamma[o] / sqrt(running_var[o] + eps).
    FoldBatchNormWeight,
    /// Operands [bias,] running_mean, gamma, running_var, beta, each [O]:
    /// (bias[o] - running_mean[o]) * s[o] + beta[o], bias 0 when left out.
    FoldBatchNormBias,
  };
  Kind kind = Kind::Transpose;
  std::vector<int64_t> perm; // Transpose
  float eps = 0;             // FoldBatchNorm*: the batch-norm's epsilon
};

/// The transform kind's name in IR attributes and messages
/// ("transpose", "fold_batch_norm_weight", "fold_batch_norm_bias").
std::string_view weightTransformName(WeightTransform::Kind kind);
std::optional<WeightTransform::Kind> weightTransformKind(std::string_view name);

/// How a stored weight is made: the first transform reads `sources` (in the
/// operand order its kind lists), each later one maps the previous result.
/// Without transforms the recipe is its one source, unchanged.
struct WeightRecipe {
  std::vector<std::string> sources;
  std::vector<WeightTransform> transforms;
};

/// A tensor, or why there is none (`error` names the problem; empty if ok).
struct TransformResult {
  FloatTensor tensor;
  std::string error;
  bool ok() const { return error.empty(); }
};

/// `transform` applied to `operands`. Operand counts and shapes are
/// checked; a mismatch is an error, never a crash.
TransformResult
applyWeightTransform(const WeightTransform &transform,
                     const std::vector<const FloatTensor *> &operands);

/// `recipe` applied to the tensors `lookup` returns by source name (null:
/// the error names the source).
TransformResult applyWeightRecipe(
    const WeightRecipe &recipe,
    const std::function<const FloatTensor *(const std::string &)> &lookup);

/// The recipe of `transform` applied to tensors made by `operands`: a
/// one-operand transform extends its operand's chain; one with several
/// operands needs each to be a plain source (no transforms), and nullopt
/// says it cannot be written as one recipe.
std::optional<WeightRecipe>
composeRecipe(const WeightTransform &transform,
              const std::vector<WeightRecipe> &operands);

} // namespace goe::runtime

#endif // GOE_RUNTIME_WEIGHTTRANSFORMS_H
