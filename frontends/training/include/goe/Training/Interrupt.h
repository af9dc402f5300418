//===- Interrupt.h - SIGINT/SIGTERM as an orderly stop ----------*- C++ -*-===//
//
// While an InterruptGuard lives, SIGINT and SIGTERM only set a flag; the
// training loop polls interrupted() after every step and returns an error,
// so destructors run (temporary files are removed, TempFile.h) and nothing
// half-written is left. A second signal while the first is pending restores
// the default action and re-raises it: a user who presses Ctrl-C twice is
// not kept waiting. The previous handlers come back when the guard dies.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_INTERRUPT_H
#define GOE_TRAINING_INTERRUPT_H

#include <csignal>

namespace goe::train {

class InterruptGuard {
public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard &) = delete;
  InterruptGuard &operator=(const InterruptGuard &) = delete;
};

/// The signal received since the guard was made, or 0.
int interrupted();

/// "SIGINT", "SIGTERM".
const char *signalName(int signal);

} // namespace goe::train

#endif // GOE_TRAINING_INTERRUPT_H
