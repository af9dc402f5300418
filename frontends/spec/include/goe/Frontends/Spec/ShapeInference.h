//===- ShapeInference.h - shapes of a module instance -----------*- C++ -*-===//
//
// Resolves a module's references and infers every layer's per-sample shape
// from the shapes flowing in (channels-first, batch excluded). Both the MLIR
// generator and, later, the LibTorch builder consume the result, so the two
// agree on what every layer reads and produces.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_SPEC_SHAPEINFERENCE_H
#define GOE_FRONTENDS_SPEC_SHAPEINFERENCE_H

#include "goe/Frontends/Spec/Spec.h"

#include "mlir/IR/Location.h"
#include "mlir/Support/LogicalResult.h"

namespace goe::spec {

using Shape = std::vector<int64_t>;

/// A per-sample tensor: its shape and whether it holds integers.
struct TensorInfo {
  Shape shape;
  bool isInt = false;
};

std::string formatShape(const Shape &shape);

/// Value ids inside a module: 0..inputs-1 are the module inputs, then one id
/// per layer in order.
struct ResolvedLayer {
  const Layer *layer;
  std::vector<int> inputs;
  TensorInfo result;
};

struct ResolvedModule {
  const Module *module;
  std::vector<TensorInfo> inputs;
  std::vector<ResolvedLayer> layers;
  std::vector<int> outputs; // value ids
  std::vector<TensorInfo> outputTypes;

  const TensorInfo &valueType(int id) const {
    return id < (int)inputs.size() ? inputs[id]
                                   : layers[id - inputs.size()].result;
  }
};

/// Resolves `module` for `inputs`. Errors are reported against the YAML
/// location of the layer at fault, in `file`, through `context`.
mlir::FailureOr<ResolvedModule>
resolveModule(const Spec &spec, const Module &module,
              const std::vector<TensorInfo> &inputs,
              mlir::MLIRContext *context);

/// A field's value, or `dflt` when it is not given. Layer ops call these
/// once per field, in their family's parameter readers (LayerOp.h).
int64_t intField(const Layer &layer, const std::string &key, int64_t dflt);
double floatField(const Fields &fields, const std::string &key, double dflt);
bool boolField(const Layer &layer, const std::string &key, bool dflt);
std::string strField(const Layer &layer, const std::string &key,
                     const std::string &dflt);

} // namespace goe::spec

#endif // GOE_FRONTENDS_SPEC_SHAPEINFERENCE_H
