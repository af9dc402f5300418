//===- DistributedOptions.h - data-parallel flags and agreement -*- C++ -*-===//
//
// The parts of data parallelism (Distributed.h) that need no c10d: the
// flags' checks, --master's parsing, and what the ranks compare before
// they train together (a "what=value" line each: world size, batch,
// epochs, seed, optimiser, schedule, objective, router, stages, split sizes,
// parameter shapes), so that a difference is named, not a hang or a
// silent mix of two trainings.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_DISTRIBUTEDOPTIONS_H
#define GOE_TRAINING_DISTRIBUTEDOPTIONS_H

#include "goe/Frontends/Torch/TorchModel.h"
#include "goe/Runtime/Status.h"
#include "goe/Training/TrainOptions.h"
#include "goe/Training/TrainingData.h"

#include <cstdint>
#include <string>
#include <utility>

namespace goe::train {

/// The flags alone: --world-size, --rank, --master, --dist-timeout (and
/// --batch against the world size).
runtime::Status checkDistributedOptions(const TrainOptions &options);

/// "HOST:PORT" (the last ':' splits; "[::1]:29500" is host ::1); false
/// unless the port is 1 to 65535.
bool parseMaster(const std::string &master, std::string &host,
                 uint16_t &port);

/// Rank `rank`'s contiguous share of the global batch [begin, end) among
/// `worldSize` ranks: sizes differ by at most one, the first ranks take
/// the larger; a share may be empty.
std::pair<int64_t, int64_t> batchShare(int64_t begin, int64_t end, int rank,
                                       int worldSize);

/// What this rank will train, as "what=value" lines.
std::string runFingerprint(const TrainOptions &options,
                           const torchref::Model &model,
                           const TrainingData &data);

/// The first line of `theirs` that differs from `mine`, as a message
/// naming both ranks' values; empty when they agree.
std::string fingerprintDifference(const std::string &mine, int myRank,
                                  const std::string &theirs, int theirRank);

} // namespace goe::train

#endif // GOE_TRAINING_DISTRIBUTEDOPTIONS_H
