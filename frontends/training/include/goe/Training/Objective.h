//===- Objective.h - what training minimises --------------------*- C++ -*-===//
//
// An Objective turns the model's outputs and a batch's targets into the
// loss to minimise, and scores a split for evaluation. Kinds are registered
// in one table (lib/objectives/Registry.cpp), each in its own file:
//   cross_entropy  softmax cross-entropy of a [B, classes] output against
//                  an i64 class per sample (the default)
//   yolo           YOLOv7's loss on the detect levels against a detection
//                  dataset's `boxes`; for a mixture (a `wbf` or `nms`
//                  combine) each chosen expert's loss weighted by its
//                  router weight; the
//                  validation score is COCO mAP (lib/objectives/Yolo.cpp)
// An objective reads the forward pass (outputs, routes) and the batch; its
// evaluation may gather a whole split before it scores (mAP).
//
// Adding an objective: a file in lib/objectives/ with a class implementing
// Objective and an `extern const ObjectiveKind`, one line in Registry.cpp,
// the file in CMakeLists.txt, a test in tests/unit/training/.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_OBJECTIVE_H
#define GOE_TRAINING_OBJECTIVE_H

#include "goe/Data/Dataset.h"
#include "goe/Training/CompiledCheck.h"
#include "goe/Frontends/Spec/GraphPlan.h"
#include "goe/Frontends/Spec/ShapeInference.h"
#include "goe/Frontends/Torch/TorchModel.h"
#include "goe/Training/Score.h"
#include "goe/Training/TrainingData.h"

#include <ATen/ATen.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace goe::train {

/// What an objective may check itself against before training starts.
struct ObjectiveSetup {
  /// The spec's outputs, one per tensor, as the graph plan names them.
  std::vector<std::string> outputNames;
  std::vector<spec::TensorInfo> outputTypes;
  std::string output; // the output asked for (--output); empty: the first
  std::string target; // the dataset field of the targets (--target)
  const data::Dataset *dataset = nullptr;
  /// The graph plan (its spec, nodes and combine parameters).
  const spec::GraphPlan *plan = nullptr;
};

class Objective {
public:
  virtual ~Objective();
  /// Position of the output it reads in the forward pass's outputs (what
  /// --test-output writes).
  virtual size_t outputIndex() const = 0;
  /// Whether Score::correct means something (class accuracy).
  virtual bool countsCorrect() const { return true; }
  /// Whether the model's detect layers must give raw logits
  /// (torchref::Model::rawDetections).
  virtual bool wantsRawDetections() const { return false; }
  /// Whether the loss grows with the batch (yolo's total x batch) rather
  /// than being a mean over it: data-parallel ranks (Distributed.h) then
  /// add their gradients as they are instead of weighting each by its
  /// share of the global batch.
  virtual bool lossSumsOverSamples() const { return false; }
  /// Samples per evaluation batch, given the training batch: large for
  /// small classifiers, the training batch where activations are large.
  virtual int64_t evaluationBatch(int64_t trainingBatch) const {
    (void)trainingBatch;
    return 1000;
  }
  /// The mean loss of a batch, differentiable; `step` receives the
  /// batch's correct count and summed parts (not its loss). Throws
  /// TrainingError on bad targets, naming the output and the target (a
  /// class out of range).
  virtual at::Tensor loss(const torchref::ForwardResult &result,
                          const TrainBatch &batch, Score &step) const = 0;
  /// Evaluation of a split: beginScoring, score per batch (no gradient;
  /// the summed loss, correct count and parts), finishScoring on the sum
  /// (the whole-split metrics).
  virtual void beginScoring() {}
  virtual Score score(const torchref::ForwardResult &result,
                      const TrainBatch &batch) = 0;
  virtual void finishScoring(Score &split) { (void)split; }
  /// Compares a batch's compiled outputs (the artifact's, by output name)
  /// with this forward pass, box by box, into `into` (--check-compiled).
  /// Objectives without detections have no such check: Unimplemented.
  virtual runtime::Status
  compareCompiled(const torchref::ForwardResult &result,
                  const CompiledOutputs &compiled, BoxAgreement &into) const;
};

struct ObjectiveKind {
  const char *name;
  const char *help; // one line for --help
  const char *defaultTarget; // the dataset field it compares with
  runtime::StatusOr<std::unique_ptr<Objective>> (*create)(
      const ObjectiveSetup &setup);
  /// A stage's loss naming a node of several outputs reads all of them
  /// (yolo: a head's detect levels); otherwise it must name one.
  bool readsEveryOutput = false;
};

const std::vector<const ObjectiveKind *> &objectiveKinds();
/// The kind called `name`; InvalidArgument listing the kinds.
runtime::StatusOr<const ObjectiveKind *> findObjectiveKind(const std::string &name);
/// The objective `name` set up for `setup`; InvalidArgument listing the
/// kinds, or the kind's own message (an output that does not fit).
runtime::StatusOr<std::unique_ptr<Objective>>
makeObjective(const std::string &name, const ObjectiveSetup &setup);

} // namespace goe::train

#endif // GOE_TRAINING_OBJECTIVE_H
