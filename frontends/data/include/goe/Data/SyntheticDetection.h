//===- SyntheticDetection.h - a real-image detection set made here -*- C++ -*-===//
//
// No COCO on these machines, so goe builds a detection set from real images
// it has: the MNIST digits (scripts/fetch-mnist.sh) and Fashion-MNIST's
// items (Debian's dataset-fashion-mnist). Each canvas holds 2-6 objects,
// scaled to 12-96 px, tinted, composited over one of four scene styles with
// different statistics:
//   0 plain:    a dark uniform background with faint noise;
//   1 texture:  high-frequency stripes and per-pixel noise;
//   2 gradient: a smooth two-colour gradient at a random angle;
//   3 clutter:  a mid-grey background crossed by distractor strokes.
// 20 classes: digits 0-9, then Fashion-MNIST's ten items. Objects may
// overlap a little (IoU <= 0.3 between boxes) and be cut by the border (at
// least 60 % visible); a box is the tight box of the item's visible ink.
// The train and val canvases draw their items from disjoint source images.
//
// Output, in the YOLO layout readYoloDataset reads:
//   DIR/data.yaml, DIR/images/{train,val}/NNNNNN.jpg,
//   DIR/labels/{train,val}/NNNNNN.txt, DIR/scenes.csv (image, split, scene)
// Deterministic: image i of a split depends only on (seed, split, i).
//
// Thread safety: reentrant.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DATA_SYNTHETICDETECTION_H
#define GOE_DATA_SYNTHETICDETECTION_H

#include "goe/Runtime/Status.h"

#include <cstdint>
#include <string>

namespace goe::data {

struct SyntheticDetectionOptions {
  std::string outDir;
  std::string mnistDir;        // MNIST IDX files (train-*-ubyte)
  std::string fashionMnistDir; // empty: Debian's /usr/share/datasets/fashion-mnist
  int64_t trainImages = 8000, valImages = 1000;
  int64_t size = 320;          // square canvas side, pixels
  uint64_t seed = 0;
  int threads = 1;
};

/// The class names, digits first.
const char *syntheticDetectionClassName(int64_t cls);
constexpr int64_t kSyntheticDetectionClasses = 20;
constexpr int kSyntheticSceneStyles = 4;

/// Writes the set. Errors name the source file or the output path.
runtime::Status writeSyntheticDetectionSet(const SyntheticDetectionOptions &options);

} // namespace goe::data

#endif // GOE_DATA_SYNTHETICDETECTION_H
