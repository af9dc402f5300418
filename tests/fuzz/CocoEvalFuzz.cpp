//===- CocoEvalFuzz.cpp - fuzz target: goe-eval's COCO files -------------===//
//
// goe-eval --gt G.json --dt D.json: the ground truth and the results JSON
// are read (readCocoEvalFiles), evaluated (cocoEvaluate) and summarised.
// An input holds both files, the ground truth first, separated by a line
// "%%". Every statistic must be -1 (undefined, as COCO prints it) or in
// [0, 1].
//
//===----------------------------------------------------------------------===//

#include "FuzzScratch.h"

#include "goe/Data/CocoEval.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text = goe::fuzz::asText(data, size);
  size_t split = text.find("\n%%\n");
  std::string_view gt = text.substr(0, split);
  std::string_view dt =
      split == std::string_view::npos ? std::string_view() : text.substr(split + 4);
  std::string gtPath = goe::fuzz::writeScratchFile("coco-eval/gt.json", gt);
  std::string dtPath = goe::fuzz::writeScratchFile("coco-eval/dt.json", dt);
  auto input = goe::data::readCocoEvalFiles(gtPath, dtPath);
  if (!input.ok())
    return 0;
  goe::data::CocoStats stats = goe::data::cocoEvaluate(*input);
  for (double stat : stats)
    if (!(stat == -1 || (stat >= 0 && stat <= 1)))
      std::abort(); // a statistic COCO could never print
  (void)goe::data::formatCocoStats(stats);
  return 0;
}
