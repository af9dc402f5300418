//===- ImageMoments.h - global statistics of an image for clustering -*- C++ -*-===//
//
// The cluster_gate router groups training images by a few global
// statistics before any expert trains. They describe where an image's ink
// is and how it lies, not what it shows:
//   order 1: mean intensity; the centre of mass of the ink (row, column)
//   order 2: + the ink's second central moments (row-row, column-column,
//            row-column)
// "Ink" is each pixel's distance from the image's background level, the
// mean of its one-pixel border, summed over channels: a dark digit on light
// paper and a light digit on dark paper have the same ink. Coordinates are
// in pixels from the top-left pixel's centre.
//
// On rotated MNIST these separate the groups almost exactly: MNIST centres
// each digit's mass on pixel (14, 14), half a pixel off the frame's centre,
// so every quarter turn moves the centre of mass by one pixel (train
// standard deviation 0.29 px), and the inverted group differs in mean.
//
// Thread safety: pure functions.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_ROUTER_IMAGEMOMENTS_H
#define GOE_ROUTER_IMAGEMOMENTS_H

#include <cstdint>
#include <string>
#include <vector>

namespace goe::router {

/// Features of `order` 1 (3 values) or 2 (6 values).
int64_t imageMomentCount(int order);

/// Writes imageMomentCount(order) features of one channels-first image
/// [channels, height, width] (height, width >= 2) into `out`. An image
/// without ink (every pixel at the background level) has its centre of
/// mass at the frame's centre and zero second moments.
void imageMoments(const float *image, int64_t channels, int64_t height,
                  int64_t width, int order, float *out);

/// Per-feature mean and standard deviation of `rows` [count, dim], and the
/// rows standardised in place with them (a feature with no spread gets
/// standard deviation 1). False with `error` when count < 2.
bool standardise(std::vector<float> &rows, int64_t count, int64_t dim,
                 std::vector<float> &mean, std::vector<float> &stddev,
                 std::string *error = nullptr);

} // namespace goe::router

#endif // GOE_ROUTER_IMAGEMOMENTS_H
