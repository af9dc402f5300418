//===- ShapeInference.cpp - shapes of a module instance -------------------===//

#include "goe/Frontends/Spec/ShapeInference.h"
#include "PrintableText.h"
#include "goe/Frontends/Spec/LayerOp.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace goe::spec;

namespace goe::spec {

std::string formatShape(const Shape &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

int64_t intField(const Layer &layer, const std::string &key, int64_t dflt) {
  auto it = layer.fields.find(key);
  return it == layer.fields.end() ? dflt : it->second.i;
}

double floatField(const Fields &fields, const std::string &key, double dflt) {
  auto it = fields.find(key);
  return it == fields.end() ? dflt : it->second.f;
}

bool boolField(const Layer &layer, const std::string &key, bool dflt) {
  auto it = layer.fields.find(key);
  return it == layer.fields.end() ? dflt : it->second.b;
}

std::string strField(const Layer &layer, const std::string &key,
                     const std::string &dflt) {
  auto it = layer.fields.find(key);
  return it == layer.fields.end() ? dflt : it->second.s;
}

int64_t elementCount(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d > 0 && n > kMaxElements / d)
      return kMaxElements + 1;
    n *= d;
  }
  return n;
}

LogicalResult ShapeCheck::fail(Loc loc, const std::string &message) const {
  emitError(FileLineColLoc::get(context, spec.file, loc.line, loc.col))
      << printableText(message);
  return failure();
}

LogicalResult ShapeCheck::failAtLayer(const std::string &message) const {
  return fail(layer.loc, where_ + ": " + message);
}

Loc ShapeCheck::fieldLoc(const std::string &key) const {
  auto it = layer.fields.find(key);
  return it == layer.fields.end() ? layer.loc : it->second.loc;
}

LogicalResult ShapeCheck::expectRank(size_t rank,
                                     const std::string &meaning) const {
  if (in().size() == rank)
    return success();
  return failAtLayer(layer.op + " reads " + meaning + ", got shape " +
                     formatShape(in()));
}

FailureOr<Shape> ShapeCheck::windowShape(int64_t channels, const Shape &in,
                                         int64_t kernel, int64_t stride,
                                         int64_t padding) const {
  Shape out{channels};
  for (auto [size, what] : {std::pair{in[1], "height"}, {in[2], "width"}}) {
    int64_t padded = size + 2 * padding;
    if (kernel > padded)
      return failAtLayer(layer.op + " kernel " + std::to_string(kernel) +
                         " is larger than the padded " + what + " " +
                         std::to_string(padded));
    out.push_back((padded - kernel) / stride + 1);
  }
  return out;
}

} // namespace goe::spec

namespace {

/// Resolves one module's references and shapes in layer order; the first
/// problem is reported through MLIR diagnostics and stops the walk.
class Resolver {
public:
  Resolver(const Spec &spec, const Module &module, ResolvedModule &out,
           MLIRContext *context)
      : spec(spec), module(module), out(out), context(context) {}

  LogicalResult run() {
    for (const Layer &layer : module.layers)
      if (!layer.name.empty())
        layerIndex.emplace(layer.name, layer.index);
    for (const Layer &layer : module.layers)
      if (failed(resolveLayer(layer)))
        return failure();
    for (const Ref &ref : module.outputs) {
      FailureOr<int> id = resolveRef(
          ref, module.first + (int64_t)module.layers.size(), /*isOutput=*/true);
      if (failed(id))
        return failure();
      out.outputs.push_back(*id);
      out.outputTypes.push_back(out.valueType(*id));
    }
    return success();
  }

private:
  LogicalResult fail(Loc loc, const std::string &message) {
    emitError(FileLineColLoc::get(context, spec.file, loc.line, loc.col))
        << printableText(message);
    return failure();
  }

  std::string where(int64_t index) const {
    return "layer " + std::to_string(index) + " of module '" + module.name +
           "'";
  }

  /// The value id at module index `index`, or -1 when nothing is there.
  int idAtIndex(int64_t index) const {
    for (size_t i = 0; i < module.inputIndex.size(); ++i)
      if (module.inputIndex[i] == index)
        return (int)i;
    int64_t layer = index - module.first;
    if (layer >= 0 && layer < (int64_t)module.layers.size())
      return int(module.inputs.size() + layer);
    return -1;
  }

  FailureOr<int> resolveRef(const Ref &ref, int64_t current, bool isOutput) {
    std::string reader = isOutput ? "the outputs of module '" + module.name +
                                        "'"
                                  : where(current);
    int64_t target = ref.index;
    if (ref.kind == Ref::Name) {
      for (size_t i = 0; i < module.inputs.size(); ++i)
        if (module.inputs[i] == ref.name)
          return (int)i;
      auto named = layerIndex.find(ref.name);
      if (named == layerIndex.end())
        return fail(ref.loc, reader + " reads '" + ref.name +
                                 "', which is neither an input nor a layer "
                                 "of module '" +
                                 module.name + "'");
      target = named->second;
    } else if (ref.kind == Ref::Relative) {
      target = current + ref.index;
    }
    if (target >= current) {
      std::string kind = target == current ? "itself" : "a later layer";
      return fail(ref.loc, reader + " reads layer " + std::to_string(target) +
                               ", " + kind +
                               ": layers may read only inputs and earlier "
                               "layers (a cycle is not allowed)");
    }
    int id = idAtIndex(target);
    if (id < 0)
      return fail(ref.loc, reader + " reads layer " + std::to_string(target) +
                               ", which is not defined in module '" +
                               module.name + "'");
    return id;
  }

  LogicalResult resolveLayer(const Layer &layer) {
    ResolvedLayer resolved{&layer, {}, {}};
    if (layer.hasFrom) {
      for (const Ref &ref : layer.from) {
        FailureOr<int> id = resolveRef(ref, layer.index, false);
        if (failed(id))
          return failure();
        resolved.inputs.push_back(*id);
      }
    } else {
      // The previous index; a module's first layer without one reads the
      // module's first input.
      int id = idAtIndex(layer.index - 1);
      resolved.inputs.push_back(id >= 0 ? id : 0);
    }
    if (!findLayerOp(layer.op)) // the reader has checked; a built Spec may not
      return fail(layer.loc, where(layer.index) + ": unknown layer op '" +
                                 layer.op + "'");
    const LayerOp &op = layerOpOf(layer);
    int given = (int)resolved.inputs.size();
    if (given < op.minInputs || (op.maxInputs >= 0 && given > op.maxInputs)) {
      std::string wanted =
          op.minInputs == op.maxInputs
              ? std::to_string(op.minInputs)
              : (op.maxInputs < 0 ? "at least " + std::to_string(op.minInputs)
                                  : std::to_string(op.minInputs) + " to " +
                                        std::to_string(op.maxInputs));
      return fail(layer.loc, where(layer.index) + ": " + layer.op + " takes " +
                                 wanted + " input" +
                                 (wanted == "1" ? "" : "s") + ", given " +
                                 std::to_string(given));
    }
    std::vector<TensorInfo> inputs;
    for (int id : resolved.inputs) {
      inputs.push_back(out.valueType(id));
      if (inputs.back().isInt)
        return fail(layer.loc, where(layer.index) + ": " + layer.op +
                                   " cannot read an integer (i64) tensor");
    }
    ShapeCheck check(spec, layer, inputs, where(layer.index), context);
    FailureOr<Shape> shape = op.inferShape(check);
    if (failed(shape))
      return failure();
    resolved.result.shape = *shape;
    // Weights obey the same per-tensor bound as activations.
    if (op.weights)
      for (const Shape &weight : op.weights(layerShapes(out, resolved)))
        if (elementCount(weight) > kMaxElements)
          return fail(layer.loc, where(layer.index) + ": " + layer.op +
                                     " needs a " + formatShape(weight) +
                                     " weight, more than 2^31 elements");
    if (elementCount(resolved.result.shape) > kMaxElements)
      return fail(layer.loc, where(layer.index) + ": " + layer.op + " gives " +
                                 formatShape(resolved.result.shape) +
                                 ", more than 2^31 elements per sample");
    out.layers.push_back(resolved);
    return success();
  }

  const Spec &spec;
  const Module &module;
  ResolvedModule &out;
  MLIRContext *context;
  std::map<std::string, int64_t> layerIndex; // named layers, by name
};

} // namespace

namespace goe::spec {

FailureOr<ResolvedModule> resolveModule(const Spec &spec, const Module &module,
                                        const std::vector<TensorInfo> &inputs,
                                        MLIRContext *context) {
  ResolvedModule out;
  out.module = &module;
  out.inputs = inputs;
  if (failed(Resolver(spec, module, out, context).run()))
    return failure();
  return out;
}

} // namespace goe::spec
