//===- YoloLabelsFuzz.cpp - fuzz target: YOLO labels files ---------------===//
//
// One labels .txt (`class cx cy w h` per line) as readYoloDataset parses
// it, for a set of 20 classes (goe-data's detection set). Boxes that parse
// must be what the format promises: a class in [0, nc) and coordinates in
// [0, 1].
//
//===----------------------------------------------------------------------===//

#include "FuzzScratch.h"

#include "goe/Data/Detection.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  constexpr int64_t nc = 20;
  auto boxes = goe::data::parseYoloLabels(
      std::string(goe::fuzz::asText(data, size)), "fuzz.txt", nc);
  if (!boxes.ok())
    return 0;
  for (const goe::data::DetectionBox &box : *boxes) {
    bool inUnit = box.cx >= 0 && box.cx <= 1 && box.cy >= 0 && box.cy <= 1 &&
                  box.w >= 0 && box.w <= 1 && box.h >= 0 && box.h <= 1;
    if (box.cls < 0 || box.cls >= nc || !inUnit)
      std::abort(); // the reader accepted what it promises to refuse
  }
  return 0;
}
