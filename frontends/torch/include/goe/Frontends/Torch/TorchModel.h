//===- TorchModel.h - the LibTorch reference of a goe spec ------*- C++ -*-===//
//
// Builds, from the same parsed Spec and the same graph plan as the MLIR
// generator (goe::spec::planGraph), a LibTorch model that computes what the
// compiled goe graph computes. It is the numerical reference for every compiled path and the
// starting point of the trainer.
//
// This header needs no LibTorch headers: tensors appear only by reference or
// inside containers, through a forward declaration of at::Tensor (which is
// torch::Tensor). Code that calls the tensor-typed functions includes
// <torch/torch.h> (or <ATen/ATen.h>) itself; code that only builds a model,
// lists its instances or reads parameter shapes does not.
//
// Conventions (those of the goe graph's edges, docs/architecture.md):
//   - tensors are float32 (i64 for integer inputs), batch first, images
//     channels-first [B, C, H, W]; a module's per-sample shapes are the
//     logical ones of goe::spec::resolveModule;
//   - one torch::nn::Module per module instance, named as MLIRGen names the
//     functions: `<node>`, `<node>.expert<i>`, `<node>.level<l>.<i>`,
//     `<router>.<module>`; parameters and buffers are named as the MLIR
//     weight globals, `<instance>.<layer index>.weight` etc., with PyTorch
//     layouts (conv OIHW, linear [out, in]);
//   - inference semantics by default (eval mode): dropout is the identity,
//     batch norm uses the running statistics.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_TORCH_TORCHMODEL_H
#define GOE_FRONTENDS_TORCH_TORCHMODEL_H

#include "goe/Frontends/Spec/ShapeInference.h"
#include "goe/Frontends/Spec/Spec.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace at {
class Tensor;
} // namespace at

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace goe::torchref {

struct BuildOptions {
  /// Router replacements, as goe::spec::BuildOptions::routers (`--router`):
  /// node name (or "" for the graph's only router node) to router name.
  std::map<std::string, std::string> routers;
};

/// The routing decision of one router node for a batch of B inputs: each
/// input's k chosen paths (tree) or experts (dispatch), in choice order.
struct Routing {
  int64_t k = 1;
  /// [B * k], row-major: input b's choices are paths[b*k .. b*k + k - 1].
  std::vector<int64_t> paths;
  /// [B * k], the combine weights of the choices; empty means 1/k each.
  std::vector<float> weights;
};

/// What a forward pass decided at one router node.
struct RouteReport : Routing {
  int64_t choices = 0;
  /// [choices]: how many (input, choice) pairs went to each path.
  std::vector<int64_t> counts;
};

struct ForwardResult {
  /// The spec's `outputs`, in order, each node output separately (a node
  /// with several outputs gives several tensors). A `wbf` or `nms` combine
  /// is not implemented here: its value is the raw per-choice head levels
  /// of the dispatch it reads, one tensor [B, k, 3, H, W, nc + 5] per level, in
  /// place of the compiled graph's [B, max_det, 6] boxes.
  std::vector<at::Tensor> outputs;
  /// By router node name.
  std::map<std::string, RouteReport> routes;
  /// Per router node, in graph order: its name and the combine weights
  /// [B, k] as a tensor, which carries the gradient back to a learned gate
  /// (topk); constant for the other kinds. What a mixture objective weights
  /// each choice's loss by.
  std::vector<std::string> routeWeightNodes;
  std::vector<at::Tensor> routeWeights;
  /// Aligned with routeWeightNodes: a topk gate's logits [B, choices] (with
  /// their gradient; what a load-balancing loss reads); undefined for the
  /// other kinds and for routing given to forward().
  std::vector<at::Tensor> gateLogits;
  /// Samples each module instance ran on in this pass (instances that did
  /// not run are absent). A routed instance sees only the inputs sent to it.
  std::map<std::string, int64_t> instanceSamples;
  /// Empty on success; otherwise what was wrong (outputs are then empty).
  std::string error;
  bool ok() const { return error.empty(); }
};

class Model {
public:
  /// Builds the model of `spec` (copied: the model does not refer to it
  /// afterwards). Errors (shapes that do not meet, unknown names) go to
  /// `context`'s diagnostic handler as `file:line:col: error:`, as
  /// goe::spec::buildModule reports them, and give null.
  static std::unique_ptr<Model> build(const spec::Spec &spec,
                                      const BuildOptions &options,
                                      mlir::MLIRContext *context);
  ~Model();
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  // --- Structure (no tensors involved) -----------------------------------

  /// Instance names, in the order MLIRGen creates the functions.
  std::vector<std::string> instanceNames() const;
  bool hasInstance(const std::string &name) const;
  /// Logical per-sample shapes of an instance's inputs and outputs.
  std::vector<std::vector<int64_t>> instanceInputShapes(
      const std::string &name) const;
  std::vector<std::vector<int64_t>> instanceOutputShapes(
      const std::string &name) const;
  /// Every weight global's name and PyTorch shape: parameters and batch
  /// norm running statistics (PyTorch's num_batches_tracked is not kept).
  std::map<std::string, std::vector<int64_t>> parameterShapes() const;

  // --- Weights ------------------------------------------------------------

  /// The same set as parameterShapes(); the tensors share storage with the
  /// model, so writing into them (under torch::NoGradGuard) changes it.
  std::map<std::string, at::Tensor> parameters() const;
  /// The trainable ones (not the running statistics), in a stable order.
  std::vector<at::Tensor> trainableParameters() const;
  /// Copies `value` into parameter `name`; false (with `error`) when there
  /// is no such parameter or the shape differs.
  bool setParameter(const std::string &name, const at::Tensor &value,
                    std::string *error = nullptr);
  /// Deterministic random weights that exercise every term: conv and linear
  /// as PyTorch's default init (U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for
  /// weights and biases); batch norm weight U(0.5, 1.5), bias N(0, 0.1),
  /// running_mean N(0, 0.1), running_var U(0.5, 1.5). A freshly built model
  /// has the conv/linear part (seed 0) and PyTorch's batch norm defaults.
  /// Each instance draws from a generator seeded by (seed, its name), so
  /// an instance starts the same whichever router the model is built with.
  void initRandom(uint64_t seed);

  /// For inference benchmarks: every conv block's batch norm folded into
  /// its convolution from the current weights, as PyTorch users deploy
  /// (yolov7's fuse()); eval-mode forward then runs one conv per block.
  /// Training mode and later weight changes do not see the folded copy, so
  /// call it once the weights are final.
  void foldBatchNorm();

  /// Training mode (dropout active, batch norm on batch statistics and
  /// updating its running statistics) or eval mode, the default. In
  /// training mode an instance none of whose parameters requires a gradient
  /// (frozen by a training stage) stays in eval mode.
  void train(bool on);

  /// With `on`, every `detect` layer gives its raw logits, [B, 3, H, W,
  /// nc + 5] before the sigmoid and the box decoding (what yolov7's IDetect
  /// returns in training and the YOLO loss reads), in either mode; off (the
  /// default) it gives the decoded boxes the compiled graph computes.
  void rawDetections(bool on);

  // --- Staged training (goe/Training/Stages.h) ----------------------------

  /// What forward() gives as `outputs` from now on, in place of the spec's
  /// (an empty list restores them): per reference a node's value (`base`),
  /// one of its outputs (`experts.scores`; a dispatch of k = 1 gives
  /// [B, ...], its one choice) or a topk router node (its gate logits
  /// [B, choices]). `types` gets each one's per-sample type. False, with
  /// `error`, for a reference the graph cannot give; nothing changes then.
  bool setOutputs(const std::vector<std::string> &refs,
                  std::vector<spec::TensorInfo> &types, std::string &error);
  /// `ref` itself, or for a node of several outputs (and no `.output`)
  /// one `node.<i>` per output, in order: what a loss reading all of a
  /// detection head's levels selects.
  std::vector<std::string> everyOutput(const std::string &ref) const;
  /// The trainable parameters (parameters() names, no running statistics)
  /// that `ref` selects: those of every instance a node runs (a router
  /// node: its gate's), of one instance (`backbones.expert1`), or with
  /// `node.output` of the layers that output depends on. False, with `error`, when it selects none.
  bool selectParameters(const std::string &ref,
                        std::vector<std::string> &names,
                        std::string &error) const;
  /// The trainable parameters by name (trainableParameters(), named).
  std::map<std::string, at::Tensor> namedTrainableParameters() const;

  // --- Running ------------------------------------------------------------

  /// Runs one instance alone on `inputs` ([B, per-sample shape...] each).
  /// Throws (c10::Error) on mismatched inputs, as LibTorch does.
  std::vector<at::Tensor> runInstance(const std::string &name,
                                      const std::vector<at::Tensor> &inputs);

  /// Runs the graph. `inputs` by spec input name. A router node takes its
  /// decision from `routing` (by router node name) when given there;
  /// otherwise it is computed for the kinds that need no learned state:
  /// oracle (label i -> path i, weight 1) and topk (gate logits -> softmax
  /// -> the k largest, ties to the lower index, weights renormalised to sum
  /// 1). random and vqvae_hclust routers must be given. Each path runs only
  /// on the inputs routed to it (gathered, run, scattered back).
  ForwardResult forward(const std::map<std::string, at::Tensor> &inputs,
                        const std::map<std::string, Routing> &routing = {});

private:
  Model();
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace goe::torchref

#endif // GOE_FRONTENDS_TORCH_TORCHMODEL_H
