//===- Distributed.h - data-parallel training over c10d and Gloo -*- C++ -*-===//
//
// --world-size N processes train one model as one process would with the
// same --batch: LibTorch's c10d process group with the Gloo backend, over a
// TCPStore that rank 0 hosts at --master HOST:PORT. The only file that
// includes c10d's headers is lib/Distributed.cpp; the flags and the check
// that the ranks agree are DistributedOptions.h.
//
//   - Every rank reads the same data and draws the same per-epoch
//     permutation; of each global batch [b*B, (b+1)*B) rank r takes its
//     contiguous share (share()). A share may be empty on a short last batch.
//   - After backward, the gradients of every trainable parameter are summed
//     over the ranks in one all-reduce, each rank's first weighted by its
//     share of the global batch (local count / global count) where the
//     objective's loss is a mean over the batch, so the sum is the gradient
//     of the global batch's mean. A gradient that no rank has (an expert no
//     sample reached) stays undefined, as in one process.
//   - Router auxiliary losses (a gate's balance loss) and batch-norm batch
//     statistics are per rank, as in PyTorch's DDP without SyncBatchNorm;
//     before validation every rank takes rank 0's weights and running
//     statistics (DDP's broadcast buffers) and rank 0's validation score, so
//     that every rank keeps the same epoch and stops at the same time.
//   - Rank 0 alone prints, writes the checkpoint, the CSV and the weights,
//     and scores the test split; the others leave after the last epoch.
//   - Every collective and the rendezvous wait at most --dist-timeout
//     seconds: a rank that fails, is interrupted or never starts makes the
//     others stop with an error that says so, never hang.
//
// A single process (world size 1) has no DataParallel: join() gives null.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_DISTRIBUTED_H
#define GOE_TRAINING_DISTRIBUTED_H

#include "goe/Frontends/Torch/TorchModel.h"
#include "goe/Runtime/Status.h"
#include "goe/Training/DistributedOptions.h"
#include "goe/Training/Score.h"
#include "goe/Training/TrainOptions.h"
#include "goe/Training/TrainingData.h"

#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace goe::train {

class RouterTrainer;

class DataParallel {
public:
  /// Joins the group of options.worldSize processes (null for one):
  /// rank 0 opens the store at options.master, every rank checks that the
  /// others run the same training (world size, batch, epochs, seed,
  /// optimiser, data sizes, parameter shapes; a difference is named), then
  /// the Gloo process group connects.
  static runtime::StatusOr<std::unique_ptr<DataParallel>>
  join(const TrainOptions &options, const torchref::Model &model,
       const TrainingData &data);
  ~DataParallel();
  DataParallel(const DataParallel &) = delete;
  DataParallel &operator=(const DataParallel &) = delete;

  int rank() const { return rank_; }
  int worldSize() const { return worldSize_; }
  bool isRoot() const { return rank_ == 0; }

  /// Before the first step: every rank takes rank 0's weights (a resumed
  /// or pre-trained start included) and checks that the router's state
  /// (a latent router's tables, pre-trained on every rank) agrees.
  runtime::Status start(torchref::Model &model, const RouterTrainer &router);

  /// This rank's contiguous share of the global batch [begin, end).
  std::pair<int64_t, int64_t> share(int64_t begin, int64_t end) const;

  /// After backward: the summed gradients (see the file comment). `where`
  /// names the step for the error raised (TrainingError) when another rank
  /// has gone.
  void reduceGradients(const std::vector<at::Tensor> &parameters,
                       int64_t localCount, int64_t globalCount,
                       bool lossSumsOverSamples, const std::string &where);

  /// The epoch's training score summed over the ranks (loss, correct,
  /// count, parts).
  void sumScore(Score &score, const std::string &where);

  /// Every rank takes rank 0's weights and running statistics.
  void takeRootState(torchref::Model &model, const std::string &where);

  /// Rank 0's validation score on every rank (loss, correct, count,
  /// metrics), so the kept epoch and early stopping agree.
  void takeRootScore(Score &score, const std::string &where);

private:
  struct Group; // the c10d store and process group
  DataParallel(int rank, int worldSize, std::unique_ptr<Group> group);

  int rank_, worldSize_;
  std::unique_ptr<Group> group;
};

} // namespace goe::train

#endif // GOE_TRAINING_DISTRIBUTED_H
