//===- InterruptCleanup.h - no temporaries left on SIGINT ------*- C++ -*-===//
//
// A tool interrupted with Ctrl-C (SIGINT), `kill` (SIGTERM) or a closed
// terminal (SIGHUP) must not leave its temporary files behind, nor a linker
// it started writing more of them. Destructors do not run when a signal
// ends a process, so temporary files (TempFile.h) and child processes
// register here, and a handler removes the files and kills the children
// before the process ends with the signal (its exit status says it was
// interrupted, as a shell expects: 130 for SIGINT, 143 for SIGTERM).
//
// The registry is a fixed table written with atomics, so the handler reads
// it without locks or allocation (async-signal-safe). A tool calls
// installInterruptCleanup() once at start; a library that embeds goe (the
// Python module, a server with its own SIGTERM handling) need not, and then
// temporary files are still removed by their owners' destructors.
//
// Thread safety: every function may be called from any thread.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_INTERRUPTCLEANUP_H
#define GOE_RUNTIME_INTERRUPTCLEANUP_H

#include <signal.h>
#include <sys/types.h>

#include <cstddef>

namespace goe::runtime {

/// How many files and child processes may be registered at once, and the
/// longest path (with its NUL) a slot holds.
constexpr size_t kInterruptSlots = 128;
constexpr size_t kInterruptPathBytes = 4096;

/// Makes SIGINT, SIGTERM and SIGHUP remove every registered file and kill
/// every registered child process group, then end the process by the
/// signal. A handler installed before (LLVM's, which removes its own output
/// files) runs after the clean-up; a signal ignored when this is called
/// (nohup) stays ignored. Calling it again does nothing.
void installInterruptCleanup();

/// Registers `path` for removal on an interrupt. Returns the slot to give
/// to releaseInterruptSlot, or -1 if the path is too long or the table is
/// full.
int registerInterruptPath(const char *path);

/// Registers the process group `pgid` (a child started in its own group)
/// to be killed (SIGKILL) and its leader reaped on an interrupt, before
/// any file is removed, so that it cannot write a file after the clean-up.
/// Returns the slot or -1 if the table is full.
int registerInterruptChild(pid_t pgid);

/// Forgets a slot (no-op for -1).
void releaseInterruptSlot(int slot);

/// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread while it lives,
/// so that creating a file and registering it cannot be split by an
/// interrupt (which would leave the file unregistered). A signal that
/// arrives meanwhile is delivered when the scope ends.
class InterruptBlock {
public:
  InterruptBlock();
  ~InterruptBlock();
  InterruptBlock(const InterruptBlock &) = delete;
  InterruptBlock &operator=(const InterruptBlock &) = delete;

private:
  sigset_t saved_;
};

} // namespace goe::runtime

#endif // GOE_RUNTIME_INTERRUPTCLEANUP_H
