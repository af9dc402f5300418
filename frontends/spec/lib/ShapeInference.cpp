//===- ShapeInference.cpp - shapes of a module instance -------------------===//

#include "goe/Frontends/Spec/ShapeInference.h"
#include "goe/Frontends/Spec/LayerOps.h"

#include "mlir/IR/Diagnostics.h"

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

} // namespace goe::spec

namespace {

struct ShapeError {
  Loc loc;
  std::string message;
};

[[noreturn]] void fail(Loc loc, const std::string &message) {
  throw ShapeError{loc, message};
}

/// Elements per sample goe accepts: 2^31 (8 GiB of f32 per sample) keeps
/// every count and byte offset far from int64 overflow.
constexpr int64_t kMaxElements = int64_t(1) << 31;

/// The element count, saturated at kMaxElements + 1 so it never overflows.
int64_t product(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d > 0 && n > kMaxElements / d)
      return kMaxElements + 1;
    n *= d;
  }
  return n;
}

/// Output length of a window of `kernel` with `stride` over `size` + padding.
int64_t windowOut(const Layer &layer, const std::string &where, int64_t size,
                  int64_t kernel, int64_t stride, int64_t padding,
                  const std::string &what) {
  int64_t padded = size + 2 * padding;
  if (kernel > padded)
    fail(layer.loc, where + ": " + layer.op + " kernel " +
                        std::to_string(kernel) + " is larger than the padded " +
                        what + " " + std::to_string(padded));
  return (padded - kernel) / stride + 1;
}

class Resolver {
public:
  Resolver(const Module &module, ResolvedModule &out)
      : module(module), out(out) {}

  void run() {
    for (const Layer &layer : module.layers)
      resolveLayer(layer);
    for (const Ref &ref : module.outputs) {
      int id = resolveRef(ref, module.first + (int64_t)module.layers.size(),
                          /*isOutput=*/true);
      out.outputs.push_back(id);
      out.outputTypes.push_back(out.valueType(id));
    }
  }

private:
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

  int resolveRef(const Ref &ref, int64_t current, bool isOutput) {
    std::string reader = isOutput ? "the outputs of module '" + module.name +
                                        "'"
                                  : where(current);
    int64_t target = ref.index;
    if (ref.kind == Ref::Name) {
      for (size_t i = 0; i < module.inputs.size(); ++i)
        if (module.inputs[i] == ref.name)
          return (int)i;
      for (const Layer &layer : module.layers) {
        if (layer.name != ref.name)
          continue;
        target = layer.index;
        break;
      }
      if (target < 0)
        fail(ref.loc, reader + " reads '" + ref.name +
                          "', which is neither an input nor a layer of "
                          "module '" +
                          module.name + "'");
    } else if (ref.kind == Ref::Relative) {
      target = current + ref.index;
    }
    if (target >= current) {
      std::string kind = target == current ? "itself" : "a later layer";
      fail(ref.loc, reader + " reads layer " + std::to_string(target) +
                        ", " + kind +
                        ": layers may read only inputs and earlier layers "
                        "(a cycle is not allowed)");
    }
    int id = idAtIndex(target);
    if (id < 0)
      fail(ref.loc, reader + " reads layer " + std::to_string(target) +
                        ", which is not defined in module '" + module.name +
                        "'");
    return id;
  }

  void resolveLayer(const Layer &layer) {
    ResolvedLayer resolved{&layer, {}, {}};
    if (layer.hasFrom) {
      for (const Ref &ref : layer.from)
        resolved.inputs.push_back(resolveRef(ref, layer.index, false));
    } else {
      // The previous index; a module's first layer without one reads the
      // module's first input.
      int id = idAtIndex(layer.index - 1);
      resolved.inputs.push_back(id >= 0 ? id : 0);
    }
    const OpSpec *op = findLayerOp(layer.op);
    int given = (int)resolved.inputs.size();
    if (given < op->minInputs || (op->maxInputs >= 0 && given > op->maxInputs)) {
      std::string wanted =
          op->minInputs == op->maxInputs
              ? std::to_string(op->minInputs)
              : (op->maxInputs < 0 ? "at least " + std::to_string(op->minInputs)
                                   : std::to_string(op->minInputs) + " to " +
                                         std::to_string(op->maxInputs));
      fail(layer.loc, where(layer.index) + ": " + layer.op + " takes " +
                          wanted + " input" + (wanted == "1" ? "" : "s") +
                          ", given " + std::to_string(given));
    }
    std::vector<TensorInfo> inputs;
    for (int id : resolved.inputs) {
      inputs.push_back(out.valueType(id));
      if (inputs.back().isInt)
        fail(layer.loc, where(layer.index) + ": " + layer.op +
                            " cannot read an integer (i64) tensor");
    }
    resolved.result.shape = inferShape(layer, inputs);
    if (product(resolved.result.shape) > kMaxElements)
      fail(layer.loc, where(layer.index) + ": " + layer.op + " gives " +
                          formatShape(resolved.result.shape) +
                          ", more than 2^31 elements per sample");
    out.layers.push_back(resolved);
  }

  void expectRank(const Layer &layer, const Shape &shape, size_t rank,
                  const std::string &meaning) {
    if (shape.size() != rank)
      fail(layer.loc, where(layer.index) + ": " + layer.op + " reads " +
                          meaning + ", got shape " + formatShape(shape));
  }

  /// Weights obey the same per-tensor bound as activations.
  void checkWeights(const Layer &layer, const Shape &weightShape) {
    if (product(weightShape) > kMaxElements)
      fail(layer.loc, where(layer.index) + ": " + layer.op + " needs a " +
                          formatShape(weightShape) +
                          " weight, more than 2^31 elements");
  }

  Shape inferShape(const Layer &layer, const std::vector<TensorInfo> &inputs) {
    const Shape &in = inputs[0].shape;
    const std::string &op = layer.op;
    if (op == "conv2d" || op == "conv" || op == "maxpool" || op == "avgpool") {
      expectRank(layer, in, 3, "an image [C, H, W]");
      int64_t kernel = intField(layer, "kernel", 1);
      bool conv = op == "conv2d" || op == "conv";
      int64_t stride = intField(layer, "stride", conv ? 1 : kernel);
      int64_t padding = intField(layer, "padding", conv ? kernel / 2 : 0);
      int64_t channels = in[0];
      if (conv) {
        int64_t groups = intField(layer, "groups", 1);
        channels = intField(layer, "out", 1);
        if (in[0] % groups != 0 || channels % groups != 0)
          fail(layer.loc, where(layer.index) + ": groups " +
                              std::to_string(groups) +
                              " must divide the input channels (" +
                              std::to_string(in[0]) +
                              ") and the output channels (" +
                              std::to_string(channels) + ")");
        auto act = layer.fields.find("act");
        if (act != layer.fields.end() && act->second.s != "leaky_relu" &&
            act->second.s != "relu" && act->second.s != "silu" &&
            act->second.s != "sigmoid" && act->second.s != "none")
          fail(act->second.loc, "act must be leaky_relu, relu, silu, sigmoid "
                                "or none, got '" +
                                    act->second.s + "'");
      } else if (padding * 2 > kernel) {
        fail(layer.loc, where(layer.index) + ": padding " +
                            std::to_string(padding) +
                            " must be at most half the kernel " +
                            std::to_string(kernel));
      }
      if (conv)
        checkWeights(layer, {channels, in[0], kernel, kernel});
      return {channels,
              windowOut(layer, where(layer.index), in[1], kernel, stride,
                        padding, "height"),
              windowOut(layer, where(layer.index), in[2], kernel, stride,
                        padding, "width")};
    }
    if (op == "global_avgpool") {
      expectRank(layer, in, 3, "an image [C, H, W]");
      return {in[0], 1, 1};
    }
    if (op == "batchnorm") {
      if (in.size() != 1 && in.size() != 3)
        fail(layer.loc, where(layer.index) +
                            ": batchnorm reads [C] or [C, H, W], got " +
                            formatShape(in));
      return in;
    }
    if (op == "relu" || op == "sigmoid" || op == "silu" ||
        op == "leaky_relu" || op == "dropout")
      return in;
    if (op == "linear") {
      if (in.size() != 1)
        fail(layer.loc, where(layer.index) + ": linear reads a rank-1 tensor, "
                                             "got " +
                            formatShape(in) + "; add a flatten layer first");
      checkWeights(layer, {intField(layer, "out", 1), in[0]});
      return {intField(layer, "out", 1)};
    }
    if (op == "flatten")
      return {product(in)};
    if (op == "add" || op == "mul") {
      if (inputs[1].shape != in)
        fail(layer.loc, where(layer.index) + ": " + op +
                            " needs equal shapes, got " + formatShape(in) +
                            " and " + formatShape(inputs[1].shape));
      return in;
    }
    if (op == "concat" || op == "softmax") {
      int64_t rank = (int64_t)in.size();
      int64_t axis = intField(layer, "axis", op == "concat" ? 0 : -1);
      if (axis < -rank || axis >= rank)
        fail(layer.fields.count("axis") ? layer.fields.at("axis").loc
                                        : layer.loc,
             where(layer.index) + ": axis " + std::to_string(axis) +
                 " is out of range for shape " + formatShape(in));
      if (op == "softmax")
        return in;
      axis = (axis + rank) % rank;
      Shape result = in;
      for (size_t i = 1; i < inputs.size(); ++i) {
        const Shape &other = inputs[i].shape;
        bool same = other.size() == in.size();
        for (int64_t d = 0; same && d < rank; ++d)
          same = d == axis || other[d] == in[d];
        if (!same)
          fail(layer.loc, where(layer.index) + ": concat along axis " +
                              std::to_string(axis) +
                              " needs the other dimensions equal, got " +
                              formatShape(in) + " and " + formatShape(other));
        result[axis] += other[axis];
      }
      return result;
    }
    if (op == "upsample") {
      expectRank(layer, in, 3, "an image [C, H, W]");
      int64_t scale = intField(layer, "scale", 2);
      return {in[0], in[1] * scale, in[2] * scale};
    }
    if (op == "reshape") {
      const Shape &target = layer.fields.at("shape").list;
      if (product(target) != product(in))
        fail(layer.fields.at("shape").loc,
             where(layer.index) + ": cannot reshape " + formatShape(in) +
                 " (" + std::to_string(product(in)) + " elements) to " +
                 formatShape(target) + " (" +
                 std::to_string(product(target)) + " elements)");
      return target;
    }
    if (op == "detect") {
      expectRank(layer, in, 3, "an image [C, H, W]");
      const auto &anchors = layer.fields.at("anchors");
      if (anchors.matrix.size() != 3)
        fail(anchors.loc, where(layer.index) + ": detect needs 3 anchors per "
                                               "level, got " +
                              std::to_string(anchors.matrix.size()));
      checkWeights(layer, {3 * (intField(layer, "nc", 1) + 5), in[0]});
      return {3, in[1], in[2], intField(layer, "nc", 1) + 5};
    }
    fail(layer.loc, "no shape rule for op '" + op + "'");
  }

  const Module &module;
  ResolvedModule &out;
};

} // namespace

namespace goe::spec {

mlir::FailureOr<ResolvedModule>
resolveModule(const Spec &spec, const Module &module,
              const std::vector<TensorInfo> &inputs,
              mlir::MLIRContext *context) {
  ResolvedModule out;
  out.module = &module;
  out.inputs = inputs;
  try {
    Resolver(module, out).run();
  } catch (const ShapeError &error) {
    mlir::emitError(mlir::FileLineColLoc::get(context, spec.file,
                                              error.loc.line, error.loc.col))
        << error.message;
    return mlir::failure();
  }
  return out;
}

} // namespace goe::spec
