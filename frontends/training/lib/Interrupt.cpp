//===- Interrupt.cpp - SIGINT/SIGTERM as an orderly stop ------------------===//

#include "goe/Training/Interrupt.h"

#include <cstring>

namespace goe::train {
namespace {

volatile std::sig_atomic_t pending = 0;
struct sigaction previousInt, previousTerm;

void onSignal(int signal) {
  if (pending) { // the second one: stop now
    std::signal(signal, SIG_DFL);
    std::raise(signal);
    return;
  }
  pending = signal;
}

} // namespace

InterruptGuard::InterruptGuard() {
  pending = 0;
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = onSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART; // reads and writes in progress complete
  sigaction(SIGINT, &action, &previousInt);
  sigaction(SIGTERM, &action, &previousTerm);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &previousInt, nullptr);
  sigaction(SIGTERM, &previousTerm, nullptr);
}

int interrupted() { return pending; }

const char *signalName(int signal) {
  return signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "a signal";
}

} // namespace goe::train
