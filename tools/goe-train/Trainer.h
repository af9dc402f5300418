//===- Trainer.h - training a goe spec's experts on rotated MNIST -*- C++ -*-===//
//
// The logic behind goe-train: builds the spec's LibTorch reference model
// (goe::torchref::Model), loads rotated MNIST (goe::data), trains every
// trainable parameter with Adam on the cross-entropy of the spec's first
// output, keeps the weights with the best validation loss and writes them as
// a weight bundle (.goew) that goe-compile --weights accepts.
//
// Routing during training and evaluation:
//   oracle  the model routes as the spec says (the oracle router reads the
//           graph's i64 `group` input, i.e. the rotation label);
//   random  every router node is given a uniform random path per input,
//           drawn from std::mt19937_64 seeded from (seed, epoch) for
//           training and from the seed for evaluation (the ablation).
//
// Determinism: torch::manual_seed(seed), a single intra-op thread by
// default, the initial weights from Model::initRandom(seed), the batch order
// of epoch e from a generator seeded from (seed, e). The same options give
// the same weights, and resuming from a checkpoint continues exactly where
// an uninterrupted run would be.
//
// Checkpoints (--checkpoint FILE, written atomically after every epoch) are
// LibTorch archives (torch::serialize::OutputArchive) holding:
//   "format"            int tensor, 1
//   "epoch"             epochs completed
//   "best_epoch"        epoch of the best validation loss (0: none yet)
//   "best_val_loss"     its loss
//   "weights.<name>"    the current weights, by goe weight name
//   "best.<name>"       the best weights so far
//   "optimizer"         the Adam state (torch::optim::Adam::save)
// --resume FILE restores all of it; the run must use the same spec, --var,
// --router, --batch, --lr and --seed for the continuation to be exact.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TOOLS_GOE_TRAIN_TRAINER_H
#define GOE_TOOLS_GOE_TRAIN_TRAINER_H

#include "goe/Runtime/Status.h"

#include <cstdint>
#include <map>
#include <string>

namespace goe::train {

struct TrainOptions {
  std::string specPath;
  std::string dataDir;
  std::map<std::string, int64_t> vars;
  // A router the spec declares, put in place of the graph's router node as
  // goe-compile --router does (empty: the spec's own), or "random". By the
  // router's kind: oracle and topk route inside the model (a topk gate
  // trains with the experts and the load-balancing loss); random gives
  // uniform random paths; vqvae_hclust is trained first (VQ-VAE, k-means,
  // tree; LatentRouterTraining.h) and the experts then train on its paths.
  std::string router;
  int64_t routerEpochs = 10;  // VQ-VAE epochs of a vqvae_hclust router
  double balanceWeight = -1;  // topk load-balancing coefficient; < 0: the
                              // router's balance_weight (default 0.01)
  int64_t epochs = 10;           // total epochs (a resumed run continues)
  int64_t patience = 0; // stop after this many epochs without a better
                        // validation loss; 0: never stop early
  int64_t batch = 64;
  double lr = 0.005;
  uint64_t seed = 0;
  bool seedSizes = false;
  int64_t maxTrain = 0; // 0: the whole training split
  int threads = 1;
  std::string out;        // .goew; empty: not written
  std::string checkpoint; // written after every epoch; empty: none
  std::string resume;     // checkpoint to start from; empty: none
  std::string exportSplit; // train | val | test; empty: none
  std::string exportDir;
  std::string testOutput; // .npy of the test split's first output, chosen
                          // weights (f32 [N, classes]); empty: none
  // Not training (WeightImport.h): print the spec's weight names and
  // shapes, or take the weights from a PyTorch TorchScript file.
  bool listWeights = false;
  std::string importTorchScript;
};

/// Runs the whole training as TrainOptions says, printing progress to
/// stdout. A bad spec is reported through MLIR diagnostics (file:line:col:
/// error:) and then as the returned status; every other failure is the
/// returned status's message. Output files are written atomically.
runtime::Status runTraining(const TrainOptions &options);

} // namespace goe::train

#endif // GOE_TOOLS_GOE_TRAIN_TRAINER_H
