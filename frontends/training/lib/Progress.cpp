//===- Progress.cpp - goe-train's progress lines --------------------------===//

#include "goe/Training/Progress.h"

#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace goe::train {

ProgressCallbacks printingProgress() {
  bool tty = ::isatty(STDOUT_FILENO);
  ProgressCallbacks callbacks;
  if (tty)
    callbacks.step = [](const StepProgress &p) {
      // About a hundred redraws an epoch.
      int64_t every = std::max<int64_t>(1, p.steps / 100);
      if (p.step % every != 0 && p.step != p.steps)
        return;
      int width = 30, filled = int(width * p.step / p.steps);
      double eta = p.step > 0 ? p.seconds / double(p.step) *
                                    double(p.steps - p.step)
                              : 0;
      std::printf("\r  epoch %" PRId64 "/%" PRId64 " [%s%s] %3d%% loss %.4f "
                  "acc %.4f %.0f img/s ETA %.0f s ",
                  p.epoch, p.epochs, std::string(filled, '=').c_str(),
                  std::string(width - filled, ' ').c_str(),
                  int(100 * p.step / p.steps), p.loss, p.accuracy,
                  p.imagesPerSecond, eta);
      std::fflush(stdout);
      if (p.step == p.steps)
        std::printf("\r\033[K");
    };
  callbacks.epoch = [](const EpochProgress &p) {
    std::printf("epoch %" PRId64 "/%" PRId64 ": loss %.4f acc %.4f "
                "(%.0f img/s) | val loss %.4f acc %.4f%s\n",
                p.epoch, p.epochs, p.loss, p.accuracy, p.imagesPerSecond,
                p.valLoss, p.valAccuracy, p.best ? " (best)" : "");
    if (!p.routerReport.empty())
      std::printf("%s\n", p.routerReport.c_str());
    std::fflush(stdout);
  };
  return callbacks;
}

} // namespace goe::train
