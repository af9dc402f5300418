//===- CocoInstancesFuzz.cpp - fuzz target: COCO instances JSON ----------===//
//
// An instances_*.json read as a detection set (readCocoInstances) against
// a folder holding two images, a.png and b.png. Boxes that are accepted
// must be what the reader promises: a class in [0, nc), centre and size
// within the image.
//
//===----------------------------------------------------------------------===//

#include "FuzzScratch.h"

#include "goe/Data/Detection.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const std::string images = [] {
    goe::fuzz::writeScratchFile("coco/images/a.png", "");
    goe::fuzz::writeScratchFile("coco/images/b.png", "");
    return (goe::fuzz::scratchDir() / "coco/images").string();
  }();
  std::string path = goe::fuzz::writeScratchFile(
      "coco/instances.json", goe::fuzz::asText(data, size));
  auto set = goe::data::readCocoInstances(path, images);
  if (!set.ok())
    return 0;
  for (const auto &image : set->split(goe::data::Split::Val))
    for (const goe::data::DetectionBox &box : image.boxes)
      if (box.cls < 0 || box.cls >= set->nc || !(box.w >= 0) || !(box.h >= 0))
        std::abort(); // the reader accepted what it promises to refuse
  return 0;
}
