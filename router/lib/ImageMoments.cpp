//===- ImageMoments.cpp - global statistics of an image -------------------===//

#include "goe/Router/ImageMoments.h"

#include <cmath>

namespace goe::router {

int64_t imageMomentCount(int order) { return order >= 2 ? 6 : 3; }

void imageMoments(const float *image, int64_t channels, int64_t height,
                  int64_t width, int order, float *out) {
  int64_t plane = height * width;
  // Background level of each channel: the mean of its border pixels.
  std::vector<double> background(static_cast<size_t>(channels), 0.0);
  double mean = 0;
  for (int64_t c = 0; c < channels; ++c) {
    const float *p = image + c * plane;
    double border = 0;
    for (int64_t x = 0; x < width; ++x)
      border += p[x] + p[(height - 1) * width + x];
    for (int64_t y = 1; y + 1 < height; ++y)
      border += p[y * width] + p[y * width + width - 1];
    background[c] = border / double(2 * width + 2 * (height - 2));
    for (int64_t i = 0; i < plane; ++i)
      mean += p[i];
  }
  mean /= double(channels * plane);

  // Moments of the ink, accumulated in double: sums of up to 10^6 terms.
  double mass = 0, sumRow = 0, sumCol = 0, sumRR = 0, sumCC = 0, sumRC = 0;
  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x) {
      double ink = 0;
      for (int64_t c = 0; c < channels; ++c)
        ink += std::fabs(double(image[c * plane + y * width + x]) -
                         background[c]);
      mass += ink;
      sumRow += ink * double(y);
      sumCol += ink * double(x);
      sumRR += ink * double(y) * double(y);
      sumCC += ink * double(x) * double(x);
      sumRC += ink * double(y) * double(x);
    }
  double row = double(height - 1) / 2, col = double(width - 1) / 2;
  double rr = 0, cc = 0, rc = 0;
  if (mass > 0) {
    row = sumRow / mass;
    col = sumCol / mass;
    rr = sumRR / mass - row * row;
    cc = sumCC / mass - col * col;
    rc = sumRC / mass - row * col;
  }
  out[0] = float(mean);
  out[1] = float(row);
  out[2] = float(col);
  if (order >= 2) {
    out[3] = float(rr);
    out[4] = float(cc);
    out[5] = float(rc);
  }
}

bool standardise(std::vector<float> &rows, int64_t count, int64_t dim,
                 std::vector<float> &mean, std::vector<float> &stddev,
                 std::string *error) {
  if (count < 2 || int64_t(rows.size()) != count * dim) {
    if (error)
      *error = "standardising needs at least 2 rows of " +
               std::to_string(dim) + " features, got " +
               std::to_string(count);
    return false;
  }
  mean.assign(size_t(dim), 0.0f);
  stddev.assign(size_t(dim), 1.0f);
  for (int64_t j = 0; j < dim; ++j) {
    double sum = 0, sumSquares = 0;
    for (int64_t i = 0; i < count; ++i)
      sum += rows[size_t(i * dim + j)];
    double m = sum / double(count);
    for (int64_t i = 0; i < count; ++i) {
      double d = rows[size_t(i * dim + j)] - m;
      sumSquares += d * d;
    }
    double s = std::sqrt(sumSquares / double(count - 1));
    mean[size_t(j)] = float(m);
    stddev[size_t(j)] = s > 1e-12 ? float(s) : 1.0f;
    for (int64_t i = 0; i < count; ++i)
      rows[size_t(i * dim + j)] =
          (rows[size_t(i * dim + j)] - mean[size_t(j)]) / stddev[size_t(j)];
  }
  return true;
}

} // namespace goe::router
