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
#include "goe/Training/Progress.h"
#include "goe/Training/TrainOptions.h"

#include <map>
#include <string>
#include <vector>

namespace goe::train {

/// What one stage of a staged run found (Stages.h), with its own objective.
struct StageResult {
  std::string name;
  int64_t epochs = 0, bestEpoch = 0; // epochs numbered across the run
  double testLoss = 0, testAccuracy = 0;
  int64_t testCorrect = 0, testCount = 0;
  /// A `route: groups` stage: per path of the grouped router, the test
  /// samples of its classes and how many of them were right.
  std::vector<int64_t> groupCorrect, groupCount;
};

/// What a run found, for callers other than goe-train (which prints the
/// same): the Python binding returns it. Filled as far as the run got.
struct TrainResult {
  std::vector<EpochProgress> epochs; // the epochs this run trained
  int64_t bestEpoch = 0;             // the chosen weights' epoch; 0: none
  double bestValLoss = 0;            // -fitness when the objective has one
  double testLoss = 0, testAccuracy = 0;
  int64_t testCorrect = 0, testCount = 0;
  std::map<std::string, double> testMetrics; // yolo: mAP50, mAP50_95, ...
  double seconds = 0;                // training time, epochs only
  int signal = 0;                    // SIGINT/SIGTERM that stopped it, or 0
  std::vector<StageResult> stages;   // a staged run's, in order
};

runtime::Status runTraining(const TrainOptions &options,
                            TrainResult *result = nullptr);

/// Checks the options that need no spec or data (output paths writable,
/// optimiser, schedule, export flags), so that a bad path fails in a
/// second, not after the last epoch.
runtime::Status checkTrainOptions(const TrainOptions &options);

/// The registered objectives, "cross_entropy, ..." (for --help).
std::string objectiveNames();

} // namespace goe::train

#endif // GOE_TRAINING_TRAINING_H
