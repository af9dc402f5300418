//===- Activations.h - relu, sigmoid, silu, leaky_relu, softmax -*- C++ -*-===//
//
// The activation ops, and the activation kinds conv's `act` field names.
// Defined in frontends/spec/lib/ops/Activations.cpp; LibTorch in
// frontends/torch/lib/ops/Activations.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_SPEC_OPS_ACTIVATIONS_H
#define GOE_FRONTENDS_SPEC_OPS_ACTIVATIONS_H

#include "goe/Frontends/Spec/LayerOp.h"

#include <optional>

namespace goe::spec::ops {

extern const LayerOp reluOp, sigmoidOp, siluOp, leakyReluOp, softmaxOp;

/// An elementwise activation: an op of its own, or conv's `act`.
enum class Activation { None, Relu, Sigmoid, Silu, LeakyRelu };

/// The activation called `name`, or nullopt.
std::optional<Activation> activationNamed(const std::string &name);
/// The names activationNamed accepts: "leaky_relu, relu, ... or none".
std::string activationNames();

/// The activation a relu, sigmoid, silu or leaky_relu layer applies, with
/// its slope (leaky_relu's, default 0.01; 0 for the others).
struct ActivationParams {
  Activation kind;
  double slope;
};
ActivationParams activationParams(const Layer &layer);

/// softmax's axis, negative from the end (default -1).
int64_t softmaxAxis(const Layer &layer);

} // namespace goe::spec::ops

#endif // GOE_FRONTENDS_SPEC_OPS_ACTIVATIONS_H
