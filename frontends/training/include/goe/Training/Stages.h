//===- Stages.h - staged training: which stage, what it trains --*- C++ -*-===//
//
// A spec's `training:` section (docs/spec.md) declares stages, trained in
// order, each for its epochs: its own trainable parameters (the others
// frozen), the value its loss reads and how routers decide. The seeds'
// hierarchical gated mixture is four of them: baseline -> gate (a loss on
// the router node: each label's group) -> experts (route: groups, so each
// expert learns its class subset) -> importance subgates (the rest frozen).
//
// Epochs are numbered across the run (stage 2 of a 3 + 2 run trains epochs
// 4 and 5), so a checkpoint names where a resumed run continues. Each stage
// keeps its best validation epoch: at its end those weights are restored
// before the next stage starts. A run with no declared stages (or
// `--stages none`) is one unnamed stage training everything: what
// goe-train did before stages existed, epoch for epoch.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_STAGES_H
#define GOE_TRAINING_STAGES_H

#include "goe/Frontends/Spec/Spec.h"
#include "goe/Runtime/Status.h"
#include "goe/Training/RouterTrainer.h"
#include "goe/Training/TrainOptions.h"

#include <memory>
#include <string>
#include <vector>

namespace goe::train {

struct StagePlan {
  std::string name;                          // empty: an unstaged run
  const spec::TrainingStage *stage = nullptr; // null: an unstaged run
  int64_t first = 1, last = 0; // its epochs, numbered across the run

  int64_t epochs() const { return last - first + 1; }
};

/// The stages the run trains: the spec's, those `--stages` keeps (in the
/// spec's order) with `--stage-epochs` applied, or one unnamed stage of
/// --epochs. Errors name an unknown stage.
runtime::StatusOr<std::vector<StagePlan>>
planStages(const spec::Spec &spec, const TrainOptions &options);

/// The batch field holding the group (path) of each sample's target class
/// under `groups[routerNode]`: "<routerNode>_group".
std::string groupField(const std::string &routerNode);

/// Per sample, the group index of its class in `target` (i64 [B]) under
/// `groups`; throws TrainingError naming the sample for a class in no
/// group. For detection targets (boxes [B, M, 5], class first, -1 rows
/// padding) an image's group is the highest group any of its objects'
/// classes is in, 0 for an image without objects: list the specialists'
/// classes last, and every image showing one of them is theirs.
at::Tensor groupsOf(const at::Tensor &target,
                    const std::vector<std::vector<int64_t>> &groups,
                    const std::string &routerNode, const TrainBatch &batch,
                    const std::string &targetField);

/// `route: groups`: each router node with groups sends a sample to its
/// target class's group, weight 1; the others route as `inner` does. No
/// auxiliary loss (no gate decides).
std::unique_ptr<RouterTrainer>
routeByGroups(RouterTrainer &inner, const spec::TrainingPlan &plan,
              std::string targetField);

/// `route: P`: every router node sends every sample to path P, weight 1;
/// no auxiliary loss.
std::unique_ptr<RouterTrainer> routeToPath(RouterTrainer &inner,
                                           const spec::Spec &spec,
                                           int64_t path);

/// A stage's `copy: {from: A, to: B}`: every weight and running statistic
/// named `A.<rest>` is copied into `B.<rest>` (A and B: nodes, or one
/// instance of a dispatch, `backbones.expert0`). Errors name the stage: no
/// weight under A, or a counterpart missing or of another shape. Nothing
/// to do without `copy`.
runtime::Status copyStageWeights(torchref::Model &model,
                                 const spec::TrainingStage &stage);
/// The same checks without copying: before any stage trains.
runtime::Status checkStageCopy(const torchref::Model &model,
                               const spec::TrainingStage &stage);

} // namespace goe::train

#endif // GOE_TRAINING_STAGES_H
