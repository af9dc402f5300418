//===- Weights.h - the weights an artifact carries --------------*- C++ -*-===//

#ifndef GOE_COMPILER_WEIGHTS_H
#define GOE_COMPILER_WEIGHTS_H

#include "goe/Runtime/proto/artifact.pb.h"

#include "mlir/IR/BuiltinOps.h"

#include <map>
#include <string>

namespace goe {

/// Weights by global name (`paths.level1.0.0.weight`), PyTorch layouts.
using WeightMap = std::map<std::string, artifact::Tensor>;

/// Deterministic random weights for every `ml_program.global` of `module`,
/// for tests and benchmarks: conv/linear weights and biases uniform in
/// ±1/sqrt(fan_in) as PyTorch initialises them, batch-norm scales and
/// running variances in [0.5, 1.5], shifts and running means in ±0.1, so
/// every term of a folded batch-norm is exercised. Each tensor's stream
/// depends only on `seed` and its name.
WeightMap randomWeights(mlir::ModuleOp module, uint64_t seed);

/// Checks that `bundle` holds exactly the module's globals with their shapes
/// (f32), plus learned router tables (RouterState.h); otherwise one error
/// lists every missing, misshapen and unknown tensor. goe-run --weights
/// applies the same rule at load (goe/Runtime/WeightBinding.h).
mlir::FailureOr<WeightMap> bindWeights(mlir::ModuleOp module,
                                       const artifact::WeightBundle &bundle);

} // namespace goe

#endif // GOE_COMPILER_WEIGHTS_H
