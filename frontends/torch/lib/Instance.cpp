//===- Instance.cpp - one module instance as a torch::nn::Module ----------===//
//
// Each layer op computes what ExpertEmitter emits for it, in PyTorch's
// channels-first layout. Where the emitter has to work around TOSA (window
// cropping for the floor rule, grouped convs split into slices, transposes
// around flatten), PyTorch's own op already has the intended semantics, so
// the reference uses it directly: that is what makes it a reference.
//
//===----------------------------------------------------------------------===//

#include "Instance.h"

#include <cmath>

using namespace goe::spec;

namespace goe::torchref::detail {
namespace {

bool boolField(const Layer &layer, const std::string &key, bool dflt) {
  auto it = layer.fields.find(key);
  return it == layer.fields.end() ? dflt : it->second.b;
}

std::string strField(const Layer &layer, const std::string &key,
                     const std::string &dflt) {
  auto it = layer.fields.find(key);
  return it == layer.fields.end() ? dflt : it->second.s;
}

/// A logical per-sample axis (negative from the end) as a batched axis.
int64_t batchedAxis(const Shape &perSample, int64_t axis) {
  int64_t rank = (int64_t)perSample.size();
  return (axis + rank) % rank + 1;
}

at::Tensor activation(const std::string &kind, double slope,
                      const at::Tensor &x) {
  if (kind == "relu")
    return at::relu(x);
  if (kind == "sigmoid")
    return at::sigmoid(x);
  if (kind == "silu")
    return at::silu(x);
  if (kind == "leaky_relu")
    return at::leaky_relu(x, slope);
  return x; // none
}

/// PyTorch's default for conv and linear (kaiming_uniform with a = sqrt(5),
/// which works out to the same bound as the bias): U(-1/sqrt(fan_in), ...).
void initLinear(at::Tensor &weight, at::Tensor &bias, at::Generator &gen) {
  int64_t fanIn = weight.numel() / weight.size(0);
  double bound = 1.0 / std::sqrt((double)fanIn);
  weight.uniform_(-bound, bound, gen);
  if (bias.defined())
    bias.uniform_(-bound, bound, gen);
}

/// An empty submodule of `parent`, only to give its parameters a name prefix
/// (`3.conv.weight`, `3.bn.running_mean`) as PyTorch's nested modules do.
std::shared_ptr<torch::nn::Module> child(torch::nn::Module &parent,
                                         const std::string &name) {
  return parent.register_module(name, std::make_shared<torch::nn::Module>());
}

} // namespace

InstanceModule::InstanceModule(const ResolvedModule &resolved)
    : torch::nn::Module("goe::Instance"), resolved(resolved) {
  auto zeros = [](at::IntArrayRef shape) {
    return at::zeros(shape, at::TensorOptions().dtype(at::kFloat));
  };
  auto addNorm = [&](torch::nn::Module &holder, Weights &w, int64_t channels) {
    w.normWeight = holder.register_parameter("weight", zeros({channels}));
    w.normBias = holder.register_parameter("bias", zeros({channels}));
    w.mean = holder.register_buffer("running_mean", zeros({channels}));
    w.var = holder.register_buffer("running_var", zeros({channels}));
  };
  for (const ResolvedLayer &resolvedLayer : resolved.layers) {
    const Layer &layer = *resolvedLayer.layer;
    const std::string &op = layer.op;
    const Shape &in = resolved.valueType(resolvedLayer.inputs[0]).shape;
    const Shape &out = resolvedLayer.result.shape;
    weights.emplace_back(); // every layer has an entry, most stay empty
    if (op != "conv2d" && op != "conv" && op != "batchnorm" &&
        op != "linear" && op != "detect")
      continue;
    // The layer's index is its submodule name: `<index>.weight`.
    auto holder = child(*this, std::to_string(layer.index));
    Weights &lw = weights.back();
    if (op == "conv2d" || op == "conv") {
      int64_t kernel = intField(layer, "kernel", 1);
      int64_t groups = intField(layer, "groups", 1);
      auto conv = op == "conv" ? child(*holder, "conv") : holder;
      lw.weight = conv->register_parameter(
          "weight", zeros({out[0], in[0] / groups, kernel, kernel}));
      if (op == "conv2d" && boolField(layer, "bias", true))
        lw.bias = conv->register_parameter("bias", zeros({out[0]}));
      if (op == "conv")
        addNorm(*child(*holder, "bn"), lw, out[0]);
    } else if (op == "batchnorm") {
      addNorm(*holder, lw, in[0]);
    } else if (op == "linear") {
      lw.weight = holder->register_parameter("weight", zeros({out[0], in[0]}));
      if (boolField(layer, "bias", true))
        lw.bias = holder->register_parameter("bias", zeros({out[0]}));
    } else { // detect: a 1x1 conv with bias to 3 * (nc + 5) channels
      lw.weight =
          holder->register_parameter("weight", zeros({3 * out[3], in[0], 1, 1}));
      lw.bias = holder->register_parameter("bias", zeros({3 * out[3]}));
    }
  }
}

void InstanceModule::init(at::Generator &gen, bool randomNorm) {
  torch::NoGradGuard noGrad;
  for (Weights &w : weights) {
    if (w.weight.defined())
      initLinear(w.weight, w.bias, gen);
    if (!w.normWeight.defined())
      continue;
    if (randomNorm) {
      w.normWeight.uniform_(0.5, 1.5, gen);
      w.normBias.normal_(0.0, 0.1, gen);
      w.mean.normal_(0.0, 0.1, gen);
      w.var.uniform_(0.5, 1.5, gen);
    } else {
      w.normWeight.fill_(1.0);
      w.normBias.zero_();
      w.mean.zero_();
      w.var.fill_(1.0);
    }
  }
}

at::Tensor InstanceModule::batchNorm(const Weights &w, const at::Tensor &x,
                                     double eps, double momentum) {
  // [B, C] or [B, C, H, W]; in eval mode (x - mean) / sqrt(var + eps) *
  // weight + bias with the running statistics, as the emitter computes.
  return at::batch_norm(x, w.normWeight, w.normBias, w.mean, w.var,
                        is_training(), momentum, eps,
                        /*cudnn_enabled=*/false);
}

at::Tensor InstanceModule::detect(const Layer &layer, const Weights &w,
                                  const at::Tensor &x) {
  int64_t batch = x.size(0), height = x.size(2), width = x.size(3);
  int64_t attrs = w.bias.size(0) / 3; // nc + 5
  double stride = (double)intField(layer, "stride", 1);
  // Channel c = anchor * (nc + 5) + attribute, as YOLO's view + permute.
  at::Tensor y = at::conv2d(x, w.weight, w.bias)
                     .view({batch, 3, attrs, height, width})
                     .permute({0, 1, 3, 4, 2})
                     .sigmoid(); // [B, 3, H, W, nc + 5]
  auto options = y.options();
  at::Tensor col = at::arange(width, options).view({1, 1, 1, width});
  at::Tensor row = at::arange(height, options).view({1, 1, height, 1});
  std::vector<float> aw, ah;
  for (const auto &anchor : layer.fields.at("anchors").matrix) {
    aw.push_back((float)anchor[0]);
    ah.push_back((float)anchor[1]);
  }
  at::Tensor anchorW = at::tensor(aw, options).view({1, 3, 1, 1});
  at::Tensor anchorH = at::tensor(ah, options).view({1, 3, 1, 1});
  // xy = (2y - 0.5 + cell) * stride, x by column, y by row;
  // wh = (2y)^2 * anchor in pixels; objectness and classes stay sigmoid.
  at::Tensor bx = (y.select(4, 0) * 2 - 0.5 + col) * stride;
  at::Tensor by = (y.select(4, 1) * 2 - 0.5 + row) * stride;
  at::Tensor bw = (y.select(4, 2) * 2).pow(2) * anchorW;
  at::Tensor bh = (y.select(4, 3) * 2).pow(2) * anchorH;
  return at::cat({at::stack({bx, by, bw, bh}, 4), y.slice(4, 4)}, 4);
}

at::Tensor InstanceModule::runLayer(const ResolvedLayer &resolvedLayer,
                                    const Weights &w,
                                    const std::vector<at::Tensor> &inputs) {
  const Layer &layer = *resolvedLayer.layer;
  const std::string &op = layer.op;
  const Shape &in = resolved.valueType(resolvedLayer.inputs[0]).shape;
  const Shape &out = resolvedLayer.result.shape;
  const at::Tensor &x = inputs[0];

  if (op == "conv2d" || op == "conv") {
    int64_t kernel = intField(layer, "kernel", 1);
    int64_t stride = intField(layer, "stride", 1);
    int64_t padding = intField(layer, "padding", kernel / 2);
    int64_t groups = intField(layer, "groups", 1);
    at::Tensor y = at::conv2d(x, w.weight, w.bias, {stride, stride},
                              {padding, padding}, {1, 1}, groups);
    if (op == "conv2d")
      return y;
    y = batchNorm(w, y, floatField(layer.fields, "eps", 1e-3),
                  floatField(layer.fields, "momentum", 0.03));
    return activation(strField(layer, "act", "leaky_relu"),
                      floatField(layer.fields, "slope", 0.1), y);
  }
  if (op == "batchnorm")
    return batchNorm(w, x, floatField(layer.fields, "eps", 1e-5),
                     floatField(layer.fields, "momentum", 0.1));
  if (op == "relu" || op == "sigmoid" || op == "silu")
    return activation(op, 0, x);
  if (op == "leaky_relu")
    return activation(op, floatField(layer.fields, "slope", 0.01), x);
  if (op == "dropout")
    return at::dropout(x, floatField(layer.fields, "p", 0.5), is_training());
  if (op == "maxpool" || op == "avgpool") {
    int64_t kernel = intField(layer, "kernel", 1);
    int64_t stride = intField(layer, "stride", kernel);
    int64_t padding = intField(layer, "padding", 0);
    // Floor windows (ceil_mode false); max pads with -inf, avg averages the
    // real elements only (count_include_pad false), as docs/spec.md says.
    if (op == "maxpool")
      return at::max_pool2d(x, {kernel, kernel}, {stride, stride},
                            {padding, padding});
    return at::avg_pool2d(x, {kernel, kernel}, {stride, stride},
                          {padding, padding}, /*ceil_mode=*/false,
                          /*count_include_pad=*/false);
  }
  if (op == "global_avgpool")
    return x.mean({2, 3}, /*keepdim=*/true);
  if (op == "linear")
    return at::linear(x, w.weight, w.bias);
  if (op == "flatten")
    return x.flatten(1); // channels-first order, as the emitter's transpose
  if (op == "reshape") {
    std::vector<int64_t> shape{x.size(0)};
    shape.insert(shape.end(), out.begin(), out.end());
    return x.reshape(shape);
  }
  if (op == "add")
    return x + inputs[1];
  if (op == "mul")
    return x * inputs[1];
  if (op == "concat")
    return at::cat(inputs, batchedAxis(in, intField(layer, "axis", 0)));
  if (op == "softmax")
    return at::softmax(x, batchedAxis(in, intField(layer, "axis", -1)));
  if (op == "upsample") {
    // Nearest neighbour with an integer scale: each pixel repeated s x s.
    int64_t scale = intField(layer, "scale", 2);
    return x.repeat_interleave(scale, 2).repeat_interleave(scale, 3);
  }
  if (op == "detect")
    return detect(layer, w, x);
  TORCH_CHECK(false, "goe torch reference: layer op '", op,
              "' has no implementation");
}

std::vector<at::Tensor>
InstanceModule::forward(const std::vector<at::Tensor> &inputs) {
  TORCH_CHECK(inputs.size() == resolved.inputs.size(), "module '",
              resolved.module->name, "' takes ", resolved.inputs.size(),
              " inputs, given ", inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Shape &shape = resolved.inputs[i].shape;
    bool same = inputs[i].dim() == (int64_t)shape.size() + 1;
    for (size_t d = 0; same && d < shape.size(); ++d)
      same = inputs[i].size(d + 1) == shape[d];
    TORCH_CHECK(same, "module '", resolved.module->name, "' input ", i,
                " must be [B] + ", formatShape(shape), ", got ",
                inputs[i].sizes());
  }
  std::vector<at::Tensor> values(inputs.begin(), inputs.end());
  for (size_t i = 0; i < resolved.layers.size(); ++i) {
    std::vector<at::Tensor> layerInputs;
    for (int id : resolved.layers[i].inputs)
      layerInputs.push_back(values[id]);
    values.push_back(runLayer(resolved.layers[i], weights[i], layerInputs));
  }
  std::vector<at::Tensor> outputs;
  for (int id : resolved.outputs)
    outputs.push_back(values[id]);
  return outputs;
}

} // namespace goe::torchref::detail
