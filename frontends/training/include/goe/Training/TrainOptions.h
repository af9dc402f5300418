//===- TrainOptions.h - everything a training run is told -------*- C++ -*-===//
//
// The options of one training run (goe-train's flags, one field each). No
// LibTorch here: tools and tests fill this struct without its headers.
// Defaults are written once, here.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_TRAINOPTIONS_H
#define GOE_TRAINING_TRAINOPTIONS_H

#include "goe/Training/Schedule.h"

#include <cstdint>
#include <map>
#include <string>

namespace goe::train {

/// The optimiser (Optimizer.h): Adam, or SGD with momentum (and Nesterov).
struct OptimizerOptions {
  std::string kind = "adam"; // adam | sgd
  double lr = 0.005;
  double momentum = 0.9;     // sgd only
  bool nesterov = false;     // sgd only
  double weightDecay = 0;
};

struct TrainOptions {
  std::string specPath;
  std::map<std::string, int64_t> vars;

  // --- Data (goe/Data/Dataset.h) ------------------------------------------
  std::string dataset = "rotated_mnist"; // a registered dataset kind
  std::string dataDir;                   // its path; empty: the kind's default
  bool seedSizes = false;                // rotated_mnist: the seed's sizes
  int64_t maxTrain = 0;                  // 0: the whole training split
  int64_t maxVal = 0;                    // 0: the whole validation split
  std::string augment;  // yolo, coco: "", "none" or "mosaic=0,..." (Dataset.h)
  int64_t maxBoxes = 0; // yolo, coco: box rows per sample; 0: the kind's
  /// Spec input -> dataset field, for inputs whose name the dataset does
  /// not have (InputMatching.h); empty: matched by name and shape.
  std::map<std::string, std::string> inputFields;

  // --- What is learned ------------------------------------------------------
  std::string objective = "cross_entropy"; // a registered objective
  std::string output;        // the spec output it reads; empty: the first
  std::string target; // the dataset field it compares with; empty: the
                      // objective's (cross_entropy: label, yolo: boxes)

  // A router the spec declares, put in place of the graph's router node as
  // goe-compile --router does (empty: the spec's own), or "random". Its
  // kind picks the RouterTrainer (RouterTrainer.h).
  std::string router;
  int64_t routerEpochs = 10;  // VQ-VAE epochs of a vqvae_hclust router
  double balanceWeight = -1;  // topk load-balancing coefficient; < 0: the
                              // router's balance_weight
  double zLossWeight = 0;     // topk: weight of the router z-loss,
                              // mean(logsumexp(logits)^2); 0: none

  // --- Stages (Stages.h; the spec's `training:` section) ---------------------
  std::string stages; // "": all the spec declares; "none": one stage training
                      // everything; or "a,b": those, in the spec's order
  std::map<std::string, int64_t> stageEpochs; // stage -> epochs, overriding
                                              // the spec's

  // --- How ----------------------------------------------------------------
  OptimizerOptions optimizer;
  ScheduleOptions schedule;
  int64_t epochs = 10;   // total epochs (a resumed run continues)
  int64_t patience = 0;  // stop after this many epochs without a better
                         // validation loss; 0: never stop early
  int64_t batch = 64;
  uint64_t seed = 0;
  int threads = 1;

  // --- Data parallelism (Distributed.h) -------------------------------------
  // worldSize processes, each on its contiguous share of every global batch
  // of --batch; rank 0 hosts the rendezvous at `master` and alone prints and
  // writes files.
  int64_t worldSize = 1;
  int64_t rank = 0;
  std::string master;          // HOST:PORT; needed when worldSize > 1
  double distTimeout = 60;     // seconds a rank waits for the others

  // yolov7's exponential moving average of the weights (WeightAverage.h):
  // decay 0 is off; yolov7 uses 0.9999 with tau 2000 steps.
  double emaDecay = 0;
  double emaTau = 2000;

  // --- Files ----------------------------------------------------------------
  std::string out;         // .goew; empty: not written
  std::string checkpoint;  // written after every epoch; empty: none
  std::string csv;         // a row per epoch appended (EpochLog.h); empty: none
  std::string resume;      // checkpoint to start from; empty: none
  std::string initWeights; // .goew a new run starts from (InitWeights.h);
                           // empty: the random init
  std::string exportSplit; // train | val | test; empty: none
  std::string exportDir;
  std::string checkCompiled; // .goe compiled with the kept weights: its
                             // val-split boxes against LibTorch's
  std::string testOutput;  // .npy of the objective's output on the test
                           // split, chosen weights; empty: none
};

} // namespace goe::train

#endif // GOE_TRAINING_TRAINOPTIONS_H
