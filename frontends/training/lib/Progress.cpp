//===- Progress.cpp - goe-train's progress lines --------------------------===//

#include "goe/Training/Progress.h"

#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>

namespace goe::train {
namespace {

/// " box 0.0412 obj 0.0233 cls 0.0101": the score's parts, in name order.
std::string partsText(const Score &score) {
  std::string text;
  char item[64];
  for (const auto &[name, sum] : score.partSums) {
    std::snprintf(item, sizeof item, " %s %.4f", name.c_str(),
                  score.part(name));
    text += item;
  }
  return text;
}

std::string metricsText(const Score &score) {
  std::string text;
  char item[64];
  for (const char *name : {"mAP50", "mAP50_95"}) {
    auto it = score.metrics.find(name);
    if (it == score.metrics.end())
      continue;
    std::snprintf(item, sizeof item, " %s %.4f", name, it->second);
    text += item;
  }
  return text;
}

} // namespace

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
      std::string shown;
      if (p.score && !p.score->partSums.empty())
        shown = partsText(*p.score);
      else {
        char acc[32];
        std::snprintf(acc, sizeof acc, " acc %.4f", p.accuracy);
        shown = acc;
      }
      std::printf("\r  epoch %" PRId64 "/%" PRId64 " [%s%s] %3d%% loss %.4f"
                  "%s %.1f img/s ETA %.0f s ",
                  p.epoch, p.epochs, std::string(filled, '=').c_str(),
                  std::string(width - filled, ' ').c_str(),
                  int(100 * p.step / p.steps), p.loss, shown.c_str(),
                  p.imagesPerSecond, eta);
      std::fflush(stdout);
      if (p.step == p.steps)
        std::printf("\r\033[K");
    };
  callbacks.epoch = [](const EpochProgress &p) {
    if (!p.stage.empty())
      std::printf("%s: ", p.stage.c_str());
    if (p.countsCorrect)
      std::printf("epoch %" PRId64 "/%" PRId64 ": loss %.4f acc %.4f "
                  "(%.0f img/s) | val loss %.4f acc %.4f%s\n",
                  p.epoch, p.epochs, p.loss, p.accuracy, p.imagesPerSecond,
                  p.valLoss, p.valAccuracy, p.best ? " (best)" : "");
    else
      std::printf("epoch %" PRId64 "/%" PRId64 ": loss %.4f%s (%.1f img/s, "
                  "%.0f s, ETA %.0f s) | val loss %.4f%s%s\n",
                  p.epoch, p.epochs, p.loss, partsText(p.train).c_str(),
                  p.imagesPerSecond, p.seconds,
                  p.seconds * double(p.epochs - p.epoch), p.valLoss,
                  metricsText(p.val).c_str(), p.best ? " (best)" : "");
    if (!p.routerReport.empty())
      std::printf("%s\n", p.routerReport.c_str());
    std::fflush(stdout);
  };
  return callbacks;
}

} // namespace goe::train
