//===- SyntheticDetection.cpp - composing the real-image detection set ----===//

#include "goe/Data/SyntheticDetection.h"

#include "goe/Data/DataDirectory.h"

#include "TableDataset.h"

#include "goe/Data/Idx.h"
#include "goe/Data/RotatedMnist.h"
#include "goe/Runtime/FileIO.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

namespace goe::data {
namespace {

namespace fs = std::filesystem;
using runtime::Status;

constexpr const char *kClassNames[kSyntheticDetectionClasses] = {
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
    "tshirt", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle_boot"};
constexpr const char *kFashionDir = "/usr/share/datasets/fashion-mnist";
constexpr int64_t kSide = 28; // MNIST and Fashion-MNIST items

/// Per class, the 28x28 source items of one split.
using Pool = std::vector<std::vector<const uint8_t *>>;

struct Sources {
  IdxImages mnist, fashionTrain, fashionTest;
  Pool train = Pool(kSyntheticDetectionClasses), val = Pool(kSyntheticDetectionClasses);
};

/// `dir`'s images file `name` and its labels file, 28x28 items.
StatusOr<detail::LabelledIdx> readItems(const std::string &dir, const char *name) {
  GOE_RETURN_IF_ERROR(checkDataDirectory(dir, "IDX directory"));
  std::string images = detail::findPlainOrGzipped(dir, name);
  std::string labelName = name;
  labelName.replace(labelName.find("images-idx3"), 11, "labels-idx1");
  std::string labels = detail::findPlainOrGzipped(dir, labelName);
  if (images.empty() || labels.empty())
    return runtime::notFound("'" + dir + "' has no " + name + " and " +
                             labelName + " (plain or .gz)");
  auto part = detail::readLabelledIdx(images, labels);
  if (part.ok() && (part->images.rows != kSide || part->images.cols != kSide))
    return runtime::invalidArgument("'" + images + "' holds " +
                                    std::to_string(part->images.rows) + "x" +
                                    std::to_string(part->images.cols) +
                                    " images, not 28x28");
  return part;
}

Status loadSources(const SyntheticDetectionOptions &options, Sources &out) {
  auto mnist = readItems(options.mnistDir, kMnistTrainImages);
  if (!mnist.ok())
    return mnist.status();
  std::string fashion =
      options.fashionMnistDir.empty() ? kFashionDir : options.fashionMnistDir;
  auto fashionTrain = readItems(fashion, kMnistTrainImages);
  if (!fashionTrain.ok())
    return fashionTrain.status();
  auto fashionTest = readItems(fashion, kMnistTestImages);
  if (!fashionTest.ok())
    return fashionTest.status();
  const std::vector<int64_t> &mnistLabels = mnist->labels;
  const std::vector<int64_t> &fashionTrainLabels = fashionTrain->labels;
  const std::vector<int64_t> &fashionTestLabels = fashionTest->labels;
  out.mnist = std::move(mnist->images);
  out.fashionTrain = std::move(fashionTrain->images);
  out.fashionTest = std::move(fashionTest->images);
  // MNIST: a seeded 90/10 split of the digits; Fashion-MNIST: its own.
  std::vector<int64_t> order = seededPermutation(out.mnist.count, options.seed);
  for (size_t i = 0; i < order.size(); ++i) {
    Pool &pool = i < order.size() * 9 / 10 ? out.train : out.val;
    pool[mnistLabels[order[i]] % 10].push_back(
        out.mnist.pixels.data() + order[i] * kSide * kSide);
  }
  for (int64_t i = 0; i < out.fashionTrain.count; ++i)
    out.train[10 + fashionTrainLabels[i] % 10].push_back(
        out.fashionTrain.pixels.data() + i * kSide * kSide);
  for (int64_t i = 0; i < out.fashionTest.count; ++i)
    out.val[10 + fashionTestLabels[i] % 10].push_back(
        out.fashionTest.pixels.data() + i * kSide * kSide);
  for (int64_t c = 0; c < kSyntheticDetectionClasses; ++c)
    if (out.train[c].empty() || out.val[c].empty())
      return runtime::invalidArgument("the source images have no item of "
                                      "class '" + std::string(kClassNames[c]) +
                                      "' for both splits");
  return runtime::okStatus();
}

using Rng = std::mt19937_64;

double uniform(Rng &rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}
cv::Vec3f randomColour(Rng &rng, double lo, double hi) {
  return {(float)uniform(rng, lo, hi), (float)uniform(rng, lo, hi),
          (float)uniform(rng, lo, hi)};
}

cv::Mat background(int scene, int size, Rng &rng) {
  cv::Mat bg(size, size, CV_32FC3);
  std::normal_distribution<float> noise(0.f, 1.f);
  if (scene == 0) { // plain and dark
    cv::Vec3f c = randomColour(rng, 0.0, 0.15);
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x)
        bg.at<cv::Vec3f>(y, x) = c + cv::Vec3f::all(0.02f * noise(rng));
  } else if (scene == 1) { // stripes and pixel noise
    cv::Vec3f a = randomColour(rng, 0.1, 0.9), b = randomColour(rng, 0.1, 0.9);
    double angle = uniform(rng, 0, M_PI), freq = uniform(rng, 0.15, 0.3);
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x) {
        double t = 0.5 + 0.5 * std::sin(2 * M_PI * freq *
                                         (x * std::cos(angle) + y * std::sin(angle)));
        bg.at<cv::Vec3f>(y, x) =
            a * float(t) + b * float(1 - t) + cv::Vec3f::all(0.08f * noise(rng));
      }
  } else if (scene == 2) { // a smooth gradient
    cv::Vec3f a = randomColour(rng, 0, 1), b = randomColour(rng, 0, 1);
    double angle = uniform(rng, 0, 2 * M_PI);
    double cx = std::cos(angle), sy = std::sin(angle);
    double span = size * (std::abs(cx) + std::abs(sy));
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x) {
        double t = ((x - size / 2.0) * cx + (y - size / 2.0) * sy) / span + 0.5;
        bg.at<cv::Vec3f>(y, x) = a * float(1 - t) + b * float(t);
      }
  } else { // clutter: grey crossed by strokes that look like ink
    bg.setTo(cv::Scalar::all(uniform(rng, 0.35, 0.6)));
    int strokes = (int)uniform(rng, 15, 30);
    for (int s = 0; s < strokes; ++s) {
      cv::Vec3f c = randomColour(rng, 0, 1);
      cv::Point p((int)uniform(rng, 0, size), (int)uniform(rng, 0, size));
      cv::Point q = p + cv::Point((int)uniform(rng, -60, 60), (int)uniform(rng, -60, 60));
      if (s % 3 == 0)
        cv::ellipse(bg, p, cv::Size((int)uniform(rng, 4, 25), (int)uniform(rng, 4, 25)),
                    uniform(rng, 0, 180), 0, uniform(rng, 90, 300),
                    cv::Scalar(c[0], c[1], c[2]), (int)uniform(rng, 1, 4));
      else
        cv::line(bg, p, q, cv::Scalar(c[0], c[1], c[2]), (int)uniform(rng, 1, 4));
    }
  }
  return bg;
}

struct Box {
  double x1, y1, x2, y2;
  double area() const { return std::max(0.0, x2 - x1) * std::max(0.0, y2 - y1); }
};
double iou(const Box &a, const Box &b) {
  Box i{std::max(a.x1, b.x1), std::max(a.y1, b.y1), std::min(a.x2, b.x2),
        std::min(a.y2, b.y2)};
  double inter = (i.x2 > i.x1 && i.y2 > i.y1) ? i.area() : 0;
  return inter / (a.area() + b.area() - inter);
}

/// Draws one canvas; `labels` gets its YOLO lines.
cv::Mat compose(const Pool &pool, int scene, int size, Rng &rng,
                std::string &labels) {
  cv::Mat canvas = background(scene, size, rng);
  std::vector<Box> placed;
  int objects = (int)uniform(rng, 2, 7);
  for (int o = 0, tries = 0; o < objects && tries < 60; ++tries) {
    int64_t cls = (int64_t)uniform(rng, 0, kSyntheticDetectionClasses);
    const auto &items = pool[cls];
    const uint8_t *item = items[(size_t)uniform(rng, 0, (double)items.size())];
    double side = std::exp(uniform(rng, std::log(12.0), std::log(96.0)));
    double aspect = uniform(rng, 0.85, 1.18);
    int w = std::max(4, (int)std::lround(side * aspect));
    int h = std::max(4, (int)std::lround(side / aspect));
    cv::Mat source(kSide, kSide, CV_8UC1, const_cast<uint8_t *>(item)), alpha;
    cv::resize(source, alpha, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
    alpha.convertTo(alpha, CV_32F, 1.0 / 255);
    cv::Rect ink = cv::boundingRect(alpha > 0.2f);
    if (ink.area() == 0)
      continue;
    int x0 = (int)uniform(rng, -0.3 * w, size - 0.7 * w);
    int y0 = (int)uniform(rng, -0.3 * h, size - 0.7 * h);
    Box full{double(x0 + ink.x), double(y0 + ink.y),
             double(x0 + ink.x + ink.width), double(y0 + ink.y + ink.height)};
    Box box{std::max(0.0, full.x1), std::max(0.0, full.y1),
            std::min<double>(size, full.x2), std::min<double>(size, full.y2)};
    if (box.x2 - box.x1 < 4 || box.y2 - box.y1 < 4 ||
        box.area() < 0.6 * full.area())
      continue;
    bool crowded = false;
    for (const Box &other : placed)
      crowded |= iou(box, other) > 0.3;
    if (crowded)
      continue;
    // A tint that stands out from the background under the object.
    cv::Rect area = cv::Rect((int)box.x1, (int)box.y1, (int)(box.x2 - box.x1),
                             (int)(box.y2 - box.y1));
    cv::Scalar under = cv::mean(canvas(area));
    double underLuma = 0.299 * under[2] + 0.587 * under[1] + 0.114 * under[0];
    cv::Vec3f colour;
    for (int attempt = 0; attempt < 20; ++attempt) {
      colour = randomColour(rng, 0, 1);
      double luma = 0.299 * colour[2] + 0.587 * colour[1] + 0.114 * colour[0];
      if (std::abs(luma - underLuma) >= 0.35)
        break;
      colour = underLuma > 0.5 ? cv::Vec3f::all(0.05f) : cv::Vec3f::all(0.95f);
    }
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        int cy = y0 + y, cx = x0 + x;
        if (cy < 0 || cx < 0 || cy >= size || cx >= size)
          continue;
        float a = alpha.at<float>(y, x);
        cv::Vec3f &pixel = canvas.at<cv::Vec3f>(cy, cx);
        pixel = pixel * (1 - a) + colour * a;
      }
    placed.push_back(box);
    char line[96];
    std::snprintf(line, sizeof line, "%lld %.6f %.6f %.6f %.6f\n", (long long)cls,
                  (box.x1 + box.x2) / 2 / size, (box.y1 + box.y2) / 2 / size,
                  (box.x2 - box.x1) / size, (box.y2 - box.y1) / size);
    labels += line;
    ++o;
  }
  return canvas;
}

Status writeImage(const std::string &path, const cv::Mat &canvas) {
  cv::Mat bytes;
  canvas.convertTo(bytes, CV_8UC3, 255.0);
  std::vector<uchar> jpeg;
  if (!cv::imencode(".jpg", bytes, jpeg, {cv::IMWRITE_JPEG_QUALITY, 95}))
    return runtime::internalError("cannot encode '" + path + "'");
  return runtime::writeFileAtomically(
      path, {std::string_view(reinterpret_cast<const char *>(jpeg.data()), jpeg.size())});
}

} // namespace

const char *syntheticDetectionClassName(int64_t cls) {
  return cls >= 0 && cls < kSyntheticDetectionClasses ? kClassNames[cls] : "?";
}

Status writeSyntheticDetectionSet(const SyntheticDetectionOptions &options) {
  if (options.size < 64 || options.size > 4096)
    return runtime::invalidArgument("the canvas size must be in [64, 4096], got " +
                                    std::to_string(options.size));
  if (options.trainImages < 1 || options.valImages < 1)
    return runtime::invalidArgument("both splits need at least one image");
  Sources sources;
  GOE_RETURN_IF_ERROR(loadSources(options, sources));
  fs::path out(options.outDir);
  std::error_code ec;
  for (const char *split : {"train", "val"})
    for (const char *kind : {"images", "labels"})
      if (fs::create_directories(out / kind / split, ec); ec)
        return runtime::invalidArgument("cannot create '" +
                                        (out / kind / split).string() +
                                        "': " + ec.message());
  struct Job {
    const char *split;
    const Pool *pool;
    int64_t index;
  };
  std::vector<Job> jobs;
  for (int64_t i = 0; i < options.trainImages; ++i)
    jobs.push_back({"train", &sources.train, i});
  for (int64_t i = 0; i < options.valImages; ++i)
    jobs.push_back({"val", &sources.val, i});

  std::atomic<size_t> next{0};
  std::mutex errorMutex;
  Status firstError = runtime::okStatus();
  auto work = [&] {
    for (size_t j; (j = next++) < jobs.size();) {
      const Job &job = jobs[j];
      // Image i of a split depends only on (seed, split, i).
      Rng rng(options.seed * 0x9e3779b97f4a7c15ULL +
              (job.split[0] == 't' ? 0 : 0x5bd1e995ULL) * 1000003 + job.index);
      std::string labels;
      int scene = int(job.index % kSyntheticSceneStyles);
      cv::Mat canvas = compose(*job.pool, scene, (int)options.size, rng, labels);
      char name[16];
      std::snprintf(name, sizeof name, "%06lld", (long long)job.index);
      Status status = writeImage(
          (out / "images" / job.split / (std::string(name) + ".jpg")).string(), canvas);
      if (status.ok())
        status = runtime::writeFileAtomically(
            (out / "labels" / job.split / (std::string(name) + ".txt")).string(),
            {labels});
      if (!status.ok()) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (firstError.ok())
          firstError = status;
        next = jobs.size();
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < std::max(1, options.threads); ++t)
    threads.emplace_back(work);
  work();
  for (std::thread &thread : threads)
    thread.join();
  GOE_RETURN_IF_ERROR(firstError);

  std::string scenes = "image,split,scene\n";
  for (const Job &job : jobs) {
    char row[64];
    std::snprintf(row, sizeof row, "%06lld.jpg,%s,%lld\n", (long long)job.index,
                  job.split, (long long)(job.index % kSyntheticSceneStyles));
    scenes += row;
  }
  GOE_RETURN_IF_ERROR(
      runtime::writeFileAtomically((out / "scenes.csv").string(), {scenes}));
  // data.yaml last: a set without it is incomplete.
  std::string yaml = "# goe-data detection: MNIST digits and Fashion-MNIST items on "
                     "four scene styles (scenes.csv)\ntrain: images/train\n"
                     "val: images/val\nnc: 20\nnames: [";
  for (int64_t c = 0; c < kSyntheticDetectionClasses; ++c)
    yaml += std::string(c ? ", " : "") + "'" + kClassNames[c] + "'";
  yaml += "]\n";
  return runtime::writeFileAtomically((out / "data.yaml").string(), {yaml});
}

} // namespace goe::data
