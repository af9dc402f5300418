//===- StageLoop.h - the epochs of one stage, the end of a run --*- C++ -*-===//
//
// Training.cpp sets a run up (spec, model, data, objective, router
// trainer); this trains it, stage by stage (Stages.h), and finishes it:
// the test split scored with the spec's own objective, the test outputs
// and the weights written. An unstaged run is one stage over every
// parameter, trained exactly as before stages existed.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_LIB_STAGELOOP_H
#define GOE_TRAINING_LIB_STAGELOOP_H

#include "goe/Frontends/Spec/GraphPlan.h"
#include "goe/Training/Checkpoint.h"
#include "goe/Training/Distributed.h"
#include "goe/Training/EpochLog.h"
#include "goe/Training/Objective.h"
#include "goe/Training/Stages.h"
#include "goe/Training/Training.h"

namespace goe::train {

/// What the stages of one run share.
struct RunContext {
  torchref::Model &model;
  TrainingData &data;
  RouterTrainer &router;     // the router in use (its state is written)
  Objective &objective;      // on the spec's outputs: the final test score
  const ObjectiveKind &objectiveKind;
  const spec::GraphPlan &plan;
  const TrainOptions &options; // with the target resolved
  TrainResult &result;
  ProgressCallbacks progress;
  CheckpointState state;     // restored by --resume
  double seconds = 0;        // training time so far
  std::string routerName;    // of the router in use; empty: none or random
  // Data parallelism (Distributed.h): this rank's group (null alone); rank
  // 0 (`root`) alone prints, writes and scores the test split.
  DataParallel *parallel = nullptr;
  bool root = true;
};

/// Sets `stage` up and back (its loss, objective and parameters) without
/// training: its errors before the first stage trains.
runtime::Status checkStage(RunContext &run, const StagePlan &stage);

/// Trains the epochs of `stage` that `run.state` has not done yet, keeps
/// its best validation epoch and, for a named stage, restores that epoch's
/// weights and scores the test split with the stage's objective.
runtime::Status trainStage(RunContext &run, const StagePlan &stage);

/// The chosen weights' test score (printed, and in run.result), the
/// routing counts, --test-output and --out.
runtime::Status finishRun(RunContext &run, bool staged);

} // namespace goe::train

#endif // GOE_TRAINING_LIB_STAGELOOP_H
