//===- Letterbox.h - images to the model's size, and boxes back -*- C++ -*-===//
//
// YOLO models see every image letterboxed: scaled by one ratio so it fits
// the model's H x W, then padded evenly with grey (114) to exactly H x W.
// The ratio and the padding are kept, so boxes predicted on the model's
// canvas map back to the original image's pixels. The arithmetic follows
// yolov7's letterbox (padding split with the -0.1/+0.1 rounding, bilinear
// resize, scale-up allowed).
//
// Thread safety: the functions are reentrant.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DATA_LETTERBOX_H
#define GOE_DATA_LETTERBOX_H

#include "goe/Runtime/Tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace goe::data {

using runtime::Status;
using runtime::StatusOr;

/// How an image was placed on the model's canvas.
struct LetterboxGeometry {
  int64_t imageWidth = 0, imageHeight = 0; // the original, pixels
  double ratio = 1;                        // canvas pixels per image pixel
  double padLeft = 0, padTop = 0;          // canvas pixels before the image
};

/// The geometry of placing an imageWidth x imageHeight image on a canvas.
LetterboxGeometry letterboxGeometry(int64_t imageWidth, int64_t imageHeight,
                                    int64_t canvasWidth, int64_t canvasHeight);

/// An image read from disk and letterboxed: f32 [3, H, W], RGB, in [0, 1].
struct LetterboxedImage {
  runtime::Tensor image;
  LetterboxGeometry geometry;
};

/// Decodes `path` (JPEG, PNG, BMP; OpenCV) and letterboxes it to
/// `canvasHeight` x `canvasWidth`. Errors name the file (missing,
/// undecodable).
StatusOr<LetterboxedImage> loadLetterboxed(const std::string &path,
                                           int64_t canvasHeight,
                                           int64_t canvasWidth);

/// A box in canvas pixels (x1, y1, x2, y2) mapped back to the original
/// image's pixels, clipped to the image.
struct PixelBox {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
};
PixelBox mapBoxToImage(const PixelBox &canvasBox,
                       const LetterboxGeometry &geometry);

} // namespace goe::data

#endif // GOE_DATA_LETTERBOX_H
