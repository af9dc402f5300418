//===- InterruptCleanup.cpp - what SIGINT/SIGTERM must not leave behind ---===//
//
// The handler may only call async-signal-safe functions (POSIX.1-2017
// 2.4.3): unlink, kill, waitpid, sigaction, sigprocmask, raise. The table
// is static (no allocation) and each slot's state is an atomic that is
// set to Free before its contents change, so the handler only reads a
// slot that is complete.
//
//===----------------------------------------------------------------------===//

#include "goe/Runtime/InterruptCleanup.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <sys/wait.h>
#include <unistd.h>

namespace goe::runtime {
namespace {

enum SlotState : int { Free = 0, Filling = 1, Path = 2, Child = 3 };

struct Slot {
  std::atomic<int> state{Free};
  pid_t pgid = 0;
  char path[kInterruptPathBytes];
};

Slot slots[kInterruptSlots];

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
struct sigaction previous[NSIG];

int claimSlot() {
  for (size_t i = 0; i < kInterruptSlots; ++i) {
    int expected = Free;
    if (slots[i].state.compare_exchange_strong(expected, Filling))
      return static_cast<int>(i);
  }
  return -1;
}

/// Children first: a linker still running could create a file again after
/// it was removed.
void cleanUp() {
  for (Slot &slot : slots)
    if (slot.state.load() == Child) {
      ::kill(-slot.pgid, SIGKILL);
      ::waitpid(slot.pgid, nullptr, 0);
    }
  for (Slot &slot : slots)
    if (slot.state.load() == Path)
      ::unlink(slot.path);
}

bool isFunction(const struct sigaction &action) {
  if (action.sa_flags & SA_SIGINFO)
    return action.sa_sigaction != nullptr;
  return action.sa_handler != SIG_DFL && action.sa_handler != SIG_IGN &&
         action.sa_handler != nullptr;
}

void onInterrupt(int sig, siginfo_t *info, void *context) {
  cleanUp();
  const struct sigaction &before = previous[sig];
  if (isFunction(before)) {
    // LLVM's handler removes its own files and re-raises; a handler that
    // returns is followed by the default action below all the same.
    if (before.sa_flags & SA_SIGINFO)
      before.sa_sigaction(sig, info, context);
    else
      before.sa_handler(sig);
  }
  struct sigaction byDefault;
  std::memset(&byDefault, 0, sizeof(byDefault));
  byDefault.sa_handler = SIG_DFL;
  sigemptyset(&byDefault.sa_mask);
  ::sigaction(sig, &byDefault, nullptr);
  sigset_t unblock;
  sigemptyset(&unblock);
  sigaddset(&unblock, sig);
  ::sigprocmask(SIG_UNBLOCK, &unblock, nullptr);
  ::raise(sig);
}

} // namespace

void installInterruptCleanup() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : kSignals) {
      struct sigaction current;
      if (::sigaction(sig, nullptr, &current) != 0 ||
          (!(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN))
        continue;
      previous[sig] = current;
      struct sigaction action;
      std::memset(&action, 0, sizeof(action));
      action.sa_sigaction = onInterrupt;
      action.sa_flags = SA_SIGINFO | SA_RESTART;
      // The other interrupts wait while one cleans up.
      sigemptyset(&action.sa_mask);
      for (int other : kSignals)
        sigaddset(&action.sa_mask, other);
      ::sigaction(sig, &action, nullptr);
    }
  });
}

int registerInterruptPath(const char *path) {
  size_t length = std::strlen(path);
  if (length >= kInterruptPathBytes)
    return -1;
  int index = claimSlot();
  if (index < 0)
    return -1;
  std::memcpy(slots[index].path, path, length + 1);
  slots[index].state.store(Path);
  return index;
}

int registerInterruptChild(pid_t pgid) {
  int index = claimSlot();
  if (index < 0)
    return -1;
  slots[index].pgid = pgid;
  slots[index].state.store(Child);
  return index;
}

void releaseInterruptSlot(int slot) {
  if (slot >= 0 && static_cast<size_t>(slot) < kInterruptSlots)
    slots[slot].state.store(Free);
}

InterruptBlock::InterruptBlock() {
  sigset_t block;
  sigemptyset(&block);
  for (int sig : kSignals)
    sigaddset(&block, sig);
  ::pthread_sigmask(SIG_BLOCK, &block, &saved_);
}

InterruptBlock::~InterruptBlock() {
  ::pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
}

} // namespace goe::runtime
