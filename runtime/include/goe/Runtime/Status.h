//===- Status.h - error values of the goe runtime ---------------*- C++ -*-===//
//
// The runtime never aborts on bad input: every fallible call returns a Status
// (or a StatusOr<T>) whose message names the problem, so a serving process
// can reject one bad request or artifact and keep going.
//
// Thread safety: Status and StatusOr are plain values; distinct objects may
// be used from different threads freely.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_STATUS_H
#define GOE_RUNTIME_STATUS_H

#include <optional>
#include <string>
#include <utility>

namespace goe::runtime {

/// Error classes, chosen so that a caller can decide what to do without
/// parsing the message (retry, report a user error, report a bad artifact).
enum class StatusCode {
  Ok = 0,
  InvalidArgument,    // the caller's inputs do not match the model
  NotFound,           // a file or a named entity does not exist
  DataLoss,           // an artifact is truncated or corrupt
  FailedPrecondition, // the artifact is well-formed but cannot be run here
  OutOfRange,         // a runtime value (label, index) outside its domain
  Unimplemented,      // a feature this runtime does not support yet
  ResourceExhausted,  // memory could not be allocated
  Internal,           // an invariant of the runtime itself was violated
};

/// Returns the upper-case name of `code` ("INVALID_ARGUMENT").
const char *statusCodeName(StatusCode code);

class [[nodiscard]] Status {
public:
  /// The OK status.
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::Ok; }
  StatusCode code() const { return code_; }
  const std::string &message() const { return message_; }

  /// "DATA_LOSS: 'm.goe' is truncated: ...", or "OK".
  std::string toString() const;

  /// The same status with "`context`: " in front of the message, so that an
  /// error raised deep inside (a shape check) says where it happened (which
  /// step, which function). OK stays OK.
  Status withContext(const std::string &context) const;

private:
  StatusCode code_ = StatusCode::Ok;
  std::string message_;
};

inline Status okStatus() { return Status(); }
Status invalidArgument(std::string message);
Status notFound(std::string message);
Status dataLoss(std::string message);
Status failedPrecondition(std::string message);
Status outOfRange(std::string message);
Status unimplemented(std::string message);
Status resourceExhausted(std::string message);
Status internalError(std::string message);

/// A value or the Status explaining why there is none.
template <typename T> class [[nodiscard]] StatusOr {
public:
  /// Precondition: `status` is not OK (an OK status without a value becomes
  /// an Internal error rather than an empty success).
  StatusOr(Status status) : status_(std::move(status)) {
    if (status_.ok())
      status_ = Status(StatusCode::Internal, "StatusOr built from OK status");
  }
  StatusOr(T value) : value_(std::move(value)) {}

  bool ok() const { return status_.ok(); }
  const Status &status() const { return status_; }

  /// Precondition for the accessors below: ok().
  T &value() & { return *value_; }
  const T &value() const & { return *value_; }
  T &&value() && { return std::move(*value_); }
  T *operator->() { return &*value_; }
  const T *operator->() const { return &*value_; }
  T &operator*() & { return *value_; }
  const T &operator*() const & { return *value_; }

private:
  Status status_;
  std::optional<T> value_;
};

} // namespace goe::runtime

/// Returns the status of `expr` from the enclosing function if it is an
/// error.
#define GOE_RETURN_IF_ERROR(expr)                                              \
  do {                                                                         \
    ::goe::runtime::Status goeStatusTmp_ = (expr);                             \
    if (!goeStatusTmp_.ok())                                                   \
      return goeStatusTmp_;                                                    \
  } while (false)

#endif // GOE_RUNTIME_STATUS_H
