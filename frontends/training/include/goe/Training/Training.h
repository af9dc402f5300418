//===- Training.h - one whole training run ----------------------*- C++ -*-===//
//
// What goe-train does, as one call: read the spec and build its LibTorch
// model (frontends/torch); open the dataset and match it to the spec's
// inputs (TrainingData.h); set up the objective (Objective.h) and the
// router trainer of the router in use (RouterTrainer.h); pre-train the
// router or resume from a checkpoint (Checkpoint.h); train epoch by epoch
// (Trainer.h) with the optimiser and schedule, keeping the weights with the
// best validation loss, checkpointing, stopping early with --patience;
// score the test split; write the weights bundle (with the router's state)
// for goe-compile --weights. Progress goes to stdout (Progress.h).
//
// A bad spec is reported through MLIR diagnostics (file:line:col: error:)
// and then as the returned status; every other failure is the returned
// status's message. Output files are written atomically and only after
// training succeeded: a run that diverges or is interrupted (SIGINT,
// SIGTERM) writes no weights and leaves no temporary files.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_TRAINING_H
#define GOE_TRAINING_TRAINING_H

#include "goe/Runtime/Status.h"
#include "goe/Training/TrainOptions.h"

#include <string>

namespace goe::train {

runtime::Status runTraining(const TrainOptions &options);

/// Checks the options that need no spec or data (output paths writable,
/// optimiser, schedule, export flags), so that a bad path fails in a
/// second, not after the last epoch.
runtime::Status checkTrainOptions(const TrainOptions &options);

/// The registered objectives, "cross_entropy, ..." (for --help).
std::string objectiveNames();

} // namespace goe::train

#endif // GOE_TRAINING_TRAINING_H
