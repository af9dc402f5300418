//===- Letterbox.cpp - images to the model's size, and boxes back ---------===//

#include "goe/Data/Letterbox.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace goe::data {

namespace {
/// yolov7's padding grey.
constexpr int kPadValue = 114;
} // namespace

LetterboxGeometry letterboxGeometry(int64_t imageWidth, int64_t imageHeight,
                                    int64_t canvasWidth, int64_t canvasHeight) {
  LetterboxGeometry g;
  g.imageWidth = imageWidth;
  g.imageHeight = imageHeight;
  g.ratio = std::min(double(canvasWidth) / double(imageWidth),
                     double(canvasHeight) / double(imageHeight));
  double scaledWidth = std::round(imageWidth * g.ratio);
  double scaledHeight = std::round(imageHeight * g.ratio);
  // Half the slack on each side; yolov7 rounds (half - 0.1) for the
  // left/top edge, so an odd slack puts the extra pixel right/bottom.
  g.padLeft = std::round((canvasWidth - scaledWidth) / 2 - 0.1);
  g.padTop = std::round((canvasHeight - scaledHeight) / 2 - 0.1);
  return g;
}

StatusOr<LetterboxedImage> loadLetterboxed(const std::string &path,
                                           int64_t canvasHeight,
                                           int64_t canvasWidth) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return runtime::notFound("image '" + path + "' is missing");
  cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
  if (bgr.empty())
    return runtime::dataLoss("cannot decode image '" + path +
                             "' (not a readable JPEG, PNG or BMP)");
  LetterboxedImage out;
  out.geometry = letterboxGeometry(bgr.cols, bgr.rows, canvasWidth, canvasHeight);
  const LetterboxGeometry &g = out.geometry;
  int width = (int)std::round(bgr.cols * g.ratio);
  int height = (int)std::round(bgr.rows * g.ratio);
  cv::Mat resized;
  if (width != bgr.cols || height != bgr.rows)
    cv::resize(bgr, resized, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
  else
    resized = bgr;
  cv::Mat canvas(int(canvasHeight), int(canvasWidth), CV_8UC3,
                 cv::Scalar(kPadValue, kPadValue, kPadValue));
  resized.copyTo(canvas(cv::Rect(int(g.padLeft), int(g.padTop), width, height)));

  auto tensor = runtime::Tensor::uninitialized(runtime::DType::F32,
                                               {3, canvasHeight, canvasWidth});
  if (!tensor.ok())
    return tensor.status();
  float *dst = tensor->f32();
  int64_t plane = canvasHeight * canvasWidth;
  for (int64_t y = 0; y < canvasHeight; ++y) {
    const auto *row = canvas.ptr<cv::Vec3b>((int)y);
    for (int64_t x = 0; x < canvasWidth; ++x)
      for (int c = 0; c < 3; ++c) // BGR -> RGB planes
        dst[c * plane + y * canvasWidth + x] = row[x][2 - c] * (1.0f / 255.0f);
  }
  out.image = std::move(tensor).value();
  return out;
}

PixelBox mapBoxToImage(const PixelBox &box, const LetterboxGeometry &g) {
  auto clip = [](double v, double hi) { return std::clamp(v, 0.0, hi); };
  double w = double(g.imageWidth), h = double(g.imageHeight);
  return {clip((box.x1 - g.padLeft) / g.ratio, w),
          clip((box.y1 - g.padTop) / g.ratio, h),
          clip((box.x2 - g.padLeft) / g.ratio, w),
          clip((box.y2 - g.padTop) / g.ratio, h)};
}

} // namespace goe::data
