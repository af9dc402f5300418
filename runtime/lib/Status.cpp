//===- Status.cpp - error values of the goe runtime ---------------------===//

#include "goe/Runtime/Status.h"

namespace goe::runtime {

const char *statusCodeName(StatusCode code) {
  switch (code) {
  case StatusCode::Ok:
    return "OK";
  case StatusCode::InvalidArgument:
    return "INVALID_ARGUMENT";
  case StatusCode::NotFound:
    return "NOT_FOUND";
  case StatusCode::DataLoss:
    return "DATA_LOSS";
  case StatusCode::FailedPrecondition:
    return "FAILED_PRECONDITION";
  case StatusCode::OutOfRange:
    return "OUT_OF_RANGE";
  case StatusCode::Unimplemented:
    return "UNIMPLEMENTED";
  case StatusCode::ResourceExhausted:
    return "RESOURCE_EXHAUSTED";
  case StatusCode::Internal:
    return "INTERNAL";
  }
  return "UNKNOWN";
}

std::string Status::toString() const {
  if (ok())
    return "OK";
  return std::string(statusCodeName(code_)) + ": " + message_;
}

Status Status::withContext(const std::string &context) const {
  if (ok())
    return *this;
  return Status(code_, context + ": " + message_);
}

Status invalidArgument(std::string message) {
  return Status(StatusCode::InvalidArgument, std::move(message));
}
Status notFound(std::string message) {
  return Status(StatusCode::NotFound, std::move(message));
}
Status dataLoss(std::string message) {
  return Status(StatusCode::DataLoss, std::move(message));
}
Status failedPrecondition(std::string message) {
  return Status(StatusCode::FailedPrecondition, std::move(message));
}
Status outOfRange(std::string message) {
  return Status(StatusCode::OutOfRange, std::move(message));
}
Status unimplemented(std::string message) {
  return Status(StatusCode::Unimplemented, std::move(message));
}
Status resourceExhausted(std::string message) {
  return Status(StatusCode::ResourceExhausted, std::move(message));
}
Status internalError(std::string message) {
  return Status(StatusCode::Internal, std::move(message));
}

} // namespace goe::runtime
