//===- Progress.h - what a training run tells its caller --------*- C++ -*-===//
//
// The trainer reports through callbacks, so a tool prints, a test records
// and a future server streams the same events. ProgressPrinter is goe-train's:
// on a terminal a live bar per epoch (loss, accuracy, images/s, ETA),
// redrawn in place; plain lines otherwise; one summary line per epoch.
// No LibTorch.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_PROGRESS_H
#define GOE_TRAINING_PROGRESS_H

#include "goe/Training/Score.h"

#include <cstdint>
#include <functional>
#include <string>

namespace goe::train {

/// After every training step: running means over the epoch so far.
struct StepProgress {
  int64_t epoch = 0, epochs = 0, step = 0, steps = 0;
  double loss = 0, accuracy = 0, imagesPerSecond = 0, lr = 0;
  double seconds = 0; // since the epoch began
  const Score *score = nullptr; // the epoch so far: parts (box, obj, ...)
};

/// After every epoch and its validation.
struct EpochProgress {
  std::string stage; // a staged run's stage (epoch counts within it)
  int64_t epoch = 0, epochs = 0;
  double loss = 0, accuracy = 0, imagesPerSecond = 0, lr = 0;
  double valLoss = 0, valAccuracy = 0;
  bool best = false;
  bool countsCorrect = true; // the objective counts correct samples
  Score train, val;     // with their parts and metrics (mAP)
  double seconds = 0;   // the epoch's training and validation
  std::string routerReport; // e.g. the gate's usage on val; may be empty
};

struct ProgressCallbacks {
  std::function<void(const StepProgress &)> step;
  std::function<void(const EpochProgress &)> epoch;
};

/// goe-train's callbacks: the bar on a terminal (stdout a TTY), and
///   epoch E/N: loss L acc A (R img/s) | val loss L acc A[ (best)]
/// per epoch, followed by the router's report line if any. An objective
/// without accuracy shows its loss parts and validation metrics instead:
///   epoch E/N: loss L box B obj O cls C balance X (R img/s, ETA T) |
///   val loss L mAP50 M mAP50_95 M[ (best)]
ProgressCallbacks printingProgress();

} // namespace goe::train

#endif // GOE_TRAINING_PROGRESS_H
