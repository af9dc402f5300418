//===- IdxFuzz.cpp - fuzz target: MNIST IDX image and label files --------===//
//
// The bytes of an IDX file as the MNIST readers parse them, both as images
// and as labels. Images that parse must hold count x rows x cols pixels.
//
//===----------------------------------------------------------------------===//

#include "FuzzScratch.h"

#include "goe/Data/Idx.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view bytes = goe::fuzz::asText(data, size);
  auto images = goe::data::parseIdxImages(bytes, "fuzz-images.idx");
  if (images.ok() &&
      (int64_t)images->pixels.size() != images->count * images->rows * images->cols)
    std::abort(); // pixels that do not match the header's dimensions
  (void)goe::data::parseIdxLabels(bytes, "fuzz-labels.idx");
  return 0;
}
