//===- EpochLog.h - a CSV row per training epoch ----------------*- C++ -*-===//
//
// goe-train --csv FILE: one row per epoch, as yolov7's results.txt and
// ultralytics' results.csv keep them, for plots and for comparing runs:
//   epoch,lr,loss,<parts...>,accuracy,images_per_s,seconds,val_loss,
//   val_accuracy,<val metrics...>,best
// The header is written when the file is new or empty; a resumed run
// appends to the rows already there (the header must then be the same).
// Each row is flushed when its epoch ends, so an interrupted run keeps the
// epochs it finished.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_EPOCHLOG_H
#define GOE_TRAINING_EPOCHLOG_H

#include "goe/Runtime/Status.h"
#include "goe/Training/Progress.h"

#include <string>

namespace goe::train {

class EpochLog {
public:
  runtime::Status open(const std::string &path);
  /// Appends `epoch`'s row (and the header before the first row).
  runtime::Status append(const EpochProgress &epoch);

private:
  std::string path;
  std::string header; // "" until the first row fixes the columns
};

} // namespace goe::train

#endif // GOE_TRAINING_EPOCHLOG_H
