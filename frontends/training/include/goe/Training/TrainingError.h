//===- TrainingError.h - a Status thrown through the training loop -*- C++ -*-===//
//
// Inside the loop (batches, losses, routing) failures are thrown as a
// TrainingError carrying the Status, and runTraining returns that Status:
// the loop stays readable and LibTorch's own c10::Error is caught at the
// same place. Nothing outside the library sees the exception.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_TRAININGERROR_H
#define GOE_TRAINING_TRAININGERROR_H

#include "goe/Runtime/Status.h"

#include <stdexcept>

namespace goe::train {

class TrainingError : public std::runtime_error {
public:
  explicit TrainingError(runtime::Status status)
      : std::runtime_error(status.message()), status_(std::move(status)) {}
  const runtime::Status &status() const { return status_; }

private:
  runtime::Status status_;
};

/// Throws `status` as a TrainingError unless it is ok.
inline void check(runtime::Status status) {
  if (!status.ok())
    throw TrainingError(std::move(status));
}

} // namespace goe::train

#endif // GOE_TRAINING_TRAININGERROR_H
