//===- DetectionAugment.cpp - yolov7's training-time augmentation ---------===//

#include "goe/Data/DetectionAugment.h"

#include "goe/Data/Letterbox.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>

namespace goe::data {
namespace {

using Rng = std::mt19937_64;
constexpr int kGrey = 114;

/// A box in pixels of the image it belongs to.
struct PixelLabel {
  int64_t cls;
  double x1, y1, x2, y2;
  bool crowd;
};

struct Labelled {
  cv::Mat bgr; // CV_8UC3
  std::vector<PixelLabel> boxes;
};

double uniform(Rng &rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

StatusOr<cv::Mat> decode(const DetectionImage &image) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(image.path, ec))
    return runtime::notFound("image '" + image.path + "' is missing");
  cv::Mat bgr = cv::imread(image.path, cv::IMREAD_COLOR);
  if (bgr.empty())
    return runtime::dataLoss("cannot decode image '" + image.path + "'");
  return bgr;
}

/// The image resized (`letterbox`: and padded to S x S) with its boxes in
/// the new pixels.
StatusOr<Labelled> load(const DetectionImage &image, int size, bool letterbox) {
  auto bgr = decode(image);
  if (!bgr.ok())
    return bgr.status();
  int w0 = bgr->cols, h0 = bgr->rows;
  Labelled out;
  double ratio, padLeft = 0, padTop = 0;
  if (letterbox) {
    LetterboxGeometry g = letterboxGeometry(w0, h0, size, size);
    ratio = g.ratio;
    padLeft = g.padLeft;
    padTop = g.padTop;
  } else {
    ratio = double(size) / std::max(w0, h0); // longer side = S (mosaic tiles)
  }
  int w = (int)std::lround(w0 * ratio), h = (int)std::lround(h0 * ratio);
  cv::Mat resized = *bgr;
  if (w != w0 || h != h0)
    cv::resize(*bgr, resized, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
  if (letterbox) {
    out.bgr = cv::Mat(size, size, CV_8UC3, cv::Scalar::all(kGrey));
    resized.copyTo(out.bgr(cv::Rect((int)padLeft, (int)padTop, w, h)));
  } else {
    out.bgr = resized;
  }
  for (const DetectionBox &b : image.boxes)
    out.boxes.push_back({b.cls, (b.cx - b.w / 2) * w + padLeft,
                         (b.cy - b.h / 2) * h + padTop,
                         (b.cx + b.w / 2) * w + padLeft,
                         (b.cy + b.h / 2) * h + padTop, b.crowd});
  return out;
}

/// Four images around a random centre of a 2S x 2S canvas (yolov7's
/// load_mosaic), boxes clipped to the canvas.
StatusOr<Labelled> mosaic(const std::vector<DetectionImage> &images,
                          int64_t index, int size, Rng &rng) {
  int s2 = 2 * size;
  int xc = (int)uniform(rng, size / 2.0, 1.5 * size);
  int yc = (int)uniform(rng, size / 2.0, 1.5 * size);
  Labelled out{cv::Mat(s2, s2, CV_8UC3, cv::Scalar::all(kGrey)), {}};
  for (int i = 0; i < 4; ++i) {
    int64_t pick = i == 0 ? index
                          : (int64_t)uniform(rng, 0, (double)images.size());
    auto part = load(images[std::min<int64_t>(pick, images.size() - 1)], size, false);
    if (!part.ok())
      return part.status();
    int w = part->bgr.cols, h = part->bgr.rows;
    int x1a, y1a, x2a, y2a, x1b, y1b, x2b, y2b;
    if (i == 0) { // top left
      x1a = std::max(xc - w, 0), y1a = std::max(yc - h, 0), x2a = xc, y2a = yc;
      x1b = w - (x2a - x1a), y1b = h - (y2a - y1a), x2b = w, y2b = h;
    } else if (i == 1) { // top right
      x1a = xc, y1a = std::max(yc - h, 0), x2a = std::min(xc + w, s2), y2a = yc;
      x1b = 0, y1b = h - (y2a - y1a), x2b = std::min(w, x2a - x1a), y2b = h;
    } else if (i == 2) { // bottom left
      x1a = std::max(xc - w, 0), y1a = yc, x2a = xc, y2a = std::min(s2, yc + h);
      x1b = w - (x2a - x1a), y1b = 0, x2b = w, y2b = std::min(y2a - y1a, h);
    } else { // bottom right
      x1a = xc, y1a = yc, x2a = std::min(xc + w, s2), y2a = std::min(s2, yc + h);
      x1b = 0, y1b = 0, x2b = std::min(w, x2a - x1a), y2b = std::min(y2a - y1a, h);
    }
    if (x2a > x1a && y2a > y1a)
      part->bgr(cv::Rect(x1b, y1b, x2b - x1b, y2b - y1b))
          .copyTo(out.bgr(cv::Rect(x1a, y1a, x2a - x1a, y2a - y1a)));
    double padW = x1a - x1b, padH = y1a - y1b;
    for (PixelLabel b : part->boxes) {
      b.x1 = std::clamp(b.x1 + padW, 0.0, double(s2));
      b.x2 = std::clamp(b.x2 + padW, 0.0, double(s2));
      b.y1 = std::clamp(b.y1 + padH, 0.0, double(s2));
      b.y2 = std::clamp(b.y2 + padH, 0.0, double(s2));
      out.boxes.push_back(b);
    }
  }
  return out;
}

/// Scale about the centre and translate (yolov7's random_perspective with
/// no rotation, shear or perspective, its only non-zero settings for the
/// tiny model); the output is `out` x `out`.
void randomAffine(Labelled &data, int out, const AugmentOptions &options,
                  Rng &rng) {
  double s = uniform(rng, 1 - options.scale, 1 + options.scale);
  double tx = uniform(rng, 0.5 - options.translate, 0.5 + options.translate) * out;
  double ty = uniform(rng, 0.5 - options.translate, 0.5 + options.translate) * out;
  double cx = data.bgr.cols / 2.0, cy = data.bgr.rows / 2.0;
  cv::Mat m = (cv::Mat_<double>(2, 3) << s, 0, tx - s * cx, 0, s, ty - s * cy);
  cv::Mat warped;
  cv::warpAffine(data.bgr, warped, m, cv::Size(out, out), cv::INTER_LINEAR,
                 cv::BORDER_CONSTANT, cv::Scalar::all(kGrey));
  data.bgr = warped;
  std::vector<PixelLabel> kept;
  for (PixelLabel b : data.boxes) {
    double w1 = (b.x2 - b.x1) * s, h1 = (b.y2 - b.y1) * s;
    b.x1 = std::clamp(s * (b.x1 - cx) + tx, 0.0, double(out));
    b.x2 = std::clamp(s * (b.x2 - cx) + tx, 0.0, double(out));
    b.y1 = std::clamp(s * (b.y1 - cy) + ty, 0.0, double(out));
    b.y2 = std::clamp(s * (b.y2 - cy) + ty, 0.0, double(out));
    double w2 = b.x2 - b.x1, h2 = b.y2 - b.y1, eps = 1e-16;
    double aspect = std::max(w2 / (h2 + eps), h2 / (w2 + eps));
    if (w2 > 2 && h2 > 2 && w2 * h2 / (w1 * h1 + eps) > 0.1 && aspect < 20)
      kept.push_back(b);
  }
  data.boxes = std::move(kept);
}

void hsvJitter(cv::Mat &bgr, const AugmentOptions &options, Rng &rng) {
  double gain[3] = {options.hsvH, options.hsvS, options.hsvV};
  double r[3];
  for (int i = 0; i < 3; ++i)
    r[i] = uniform(rng, -1, 1) * gain[i] + 1;
  cv::Mat hsv;
  cv::cvtColor(bgr, hsv, cv::COLOR_BGR2HSV);
  cv::Mat lut(1, 256, CV_8UC3);
  for (int x = 0; x < 256; ++x) {
    lut.at<cv::Vec3b>(0, x) = {
        (uchar)(int(x * r[0]) % 180),
        (uchar)std::clamp(x * r[1], 0.0, 255.0),
        (uchar)std::clamp(x * r[2], 0.0, 255.0)};
  }
  cv::LUT(hsv, lut, hsv);
  cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
}

/// Beta(8, 8) from two gamma draws: yolov7's mixup ratio.
double beta88(Rng &rng) {
  std::gamma_distribution<double> gamma(8.0, 1.0);
  double a = gamma(rng), b = gamma(rng);
  return a / (a + b);
}

} // namespace

AugmentOptions AugmentOptions::none(int64_t size) {
  AugmentOptions o;
  o.size = size;
  o.mosaic = o.mixup = o.translate = o.scale = 0;
  o.hsvH = o.hsvS = o.hsvV = o.fliplr = 0;
  return o;
}

StatusOr<AugmentOptions> parseAugmentOptions(const std::string &text,
                                             int64_t size) {
  AugmentOptions options;
  options.size = size;
  if (text.empty())
    return options;
  if (text == "none")
    return AugmentOptions::none(size);
  std::map<std::string, double *> keys = {
      {"mosaic", &options.mosaic},   {"mixup", &options.mixup},
      {"translate", &options.translate}, {"scale", &options.scale},
      {"hsv_h", &options.hsvH},      {"hsv_s", &options.hsvS},
      {"hsv_v", &options.hsvV},      {"fliplr", &options.fliplr}};
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    size_t eq = item.find('=');
    std::string key = item.substr(0, eq);
    auto it = keys.find(key);
    if (eq == std::string::npos || it == keys.end()) {
      std::string known;
      for (const auto &[name, field] : keys)
        known += (known.empty() ? "" : ", ") + name;
      return runtime::invalidArgument(
          "augmentation '" + item + "': expected KEY=VALUE with KEY one of " +
          known + " (or the whole option 'none')");
    }
    std::string value = item.substr(eq + 1);
    char *end = nullptr;
    double number = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !(number >= 0 && number <= 1))
      return runtime::invalidArgument("augmentation '" + item + "': " + key +
                                      " must be a number in [0, 1]");
    *it->second = number;
  }
  return options;
}

StatusOr<TrainingSample> DetectionAugmenter::sample(int64_t index,
                                                    uint64_t seed) const {
  if (index < 0 || index >= (int64_t)images.size())
    return runtime::outOfRange("sample " + std::to_string(index) +
                               " is outside [0, " +
                               std::to_string(images.size()) + ")");
  Rng rng(seed * 0x9e3779b97f4a7c15ULL + (uint64_t)index);
  int size = (int)options.size;
  bool useMosaic = options.mosaic > 0 && uniform(rng, 0, 1) < options.mosaic;
  auto compose = [&](int64_t i) -> StatusOr<Labelled> {
    if (useMosaic) {
      auto tiled = mosaic(images, i, size, rng);
      if (tiled.ok())
        randomAffine(*tiled, size, options, rng);
      return tiled;
    }
    auto boxed = load(images[i], size, true);
    if (boxed.ok() && (options.scale > 0 || options.translate > 0))
      randomAffine(*boxed, size, options, rng);
    return boxed;
  };
  auto data = compose(index);
  if (!data.ok())
    return data.status();
  if (options.mixup > 0 && uniform(rng, 0, 1) < options.mixup) {
    auto other = compose((int64_t)uniform(rng, 0, (double)images.size()));
    if (!other.ok())
      return other.status();
    double r = beta88(rng);
    cv::addWeighted(data->bgr, r, other->bgr, 1 - r, 0, data->bgr);
    data->boxes.insert(data->boxes.end(), other->boxes.begin(), other->boxes.end());
  }
  if (options.hsvH > 0 || options.hsvS > 0 || options.hsvV > 0)
    hsvJitter(data->bgr, options, rng);
  if (options.fliplr > 0 && uniform(rng, 0, 1) < options.fliplr) {
    cv::flip(data->bgr, data->bgr, 1);
    for (PixelLabel &b : data->boxes) {
      double x1 = size - b.x2, x2 = size - b.x1;
      b.x1 = x1;
      b.x2 = x2;
    }
  }

  TrainingSample out;
  auto tensor = runtime::Tensor::uninitialized(runtime::DType::F32, {3, size, size});
  if (!tensor.ok())
    return tensor.status();
  float *dst = tensor->f32();
  int64_t plane = int64_t(size) * size;
  for (int y = 0; y < size; ++y) {
    const auto *row = data->bgr.ptr<cv::Vec3b>(y);
    for (int x = 0; x < size; ++x)
      for (int c = 0; c < 3; ++c)
        dst[c * plane + int64_t(y) * size + x] = row[x][2 - c] * (1.0f / 255.0f);
  }
  out.image = std::move(tensor).value();
  for (const PixelLabel &b : data->boxes)
    out.boxes.push_back({b.cls, float((b.x1 + b.x2) / 2 / size),
                         float((b.y1 + b.y2) / 2 / size),
                         float((b.x2 - b.x1) / size), float((b.y2 - b.y1) / size),
                         b.crowd});
  return out;
}

} // namespace goe::data
