//===- DetectionDataset.cpp - detection sets as training datasets ---------===//
//
// Kinds `yolo` (a YOLO data.yaml) and `coco` (a COCO root: annotations/
// instances_<split>*.json with the images in <split>*/ beside them) as
// Datasets, so goe-train feeds a detector like any other model:
//   image  f32 [3, S, S]   the training split augmented as yolov7 does for
//                          the tiny model (DetectionAugment.h; --augment),
//                          val and test letterboxed only;
//   boxes  f32 [M, 5]      (class, cx, cy, w, h) normalised to the S x S
//                          image, rows past the image's boxes are class -1
//                          (M = DatasetOptions.maxBoxes, default 128).
// S is the model's square image input (DatasetOptions.imageShape). The
// augmentation of sample i in epoch e is drawn from (seed, e, i), so every
// epoch sees new mosaics and a resumed run sees the ones an uninterrupted
// run would.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/Dataset.h"
#include "goe/Data/Detection.h"
#include "goe/Data/DetectionAugment.h"

#include <algorithm>
#include <filesystem>

namespace goe::data {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kDefaultMaxBoxes = 128;

class DetectionDataset : public Dataset {
public:
  DetectionDataset(std::string kind, DetectionSet set, int64_t size,
                   int64_t maxBoxes, AugmentOptions augment, uint64_t seed)
      : kind_(std::move(kind)), set(std::move(set)), size_(size),
        maxBoxes(maxBoxes), seed(seed),
        fields_{{"image", {runtime::DType::F32, {3, size, size}}},
                {"boxes", {runtime::DType::F32, {maxBoxes, 5}}}},
        trainAugmenter(this->set.split(Split::Train), augment),
        valAugmenter(this->set.split(Split::Val), AugmentOptions::none(size)),
        testAugmenter(this->set.split(Split::Test),
                      AugmentOptions::none(size)) {}

  std::string kind() const override { return kind_; }
  const std::vector<Field> &fields() const override { return fields_; }
  int64_t size(Split split) const override {
    return (int64_t)set.split(split).size();
  }
  void beginEpoch(int64_t epoch) override { epoch_ = epoch; }

  Status batch(Split split, const std::vector<int64_t> &indices,
               Batch &out) const override {
    out.clear();
    int64_t n = (int64_t)indices.size();
    auto image = runtime::Tensor::uninitialized(runtime::DType::F32,
                                                {n, 3, size_, size_});
    if (!image.ok())
      return image.status();
    auto boxes = runtime::Tensor::zeros(runtime::DType::F32, {n, maxBoxes, 5});
    if (!boxes.ok())
      return boxes.status();
    const DetectionAugmenter &augmenter = split == Split::Train ? trainAugmenter
                                          : split == Split::Val ? valAugmenter
                                                                : testAugmenter;
    int64_t imageSize = 3 * size_ * size_;
    for (int64_t i = 0; i < n; ++i) {
      int64_t index = indices[i];
      if (index < 0 || index >= size(split))
        return runtime::outOfRange(kind_ + " " + splitName(split) +
                                   " split: sample " + std::to_string(index) +
                                   " of " + std::to_string(size(split)));
      // SplitMix-style mixing keeps (seed, epoch) streams apart.
      uint64_t drawSeed = seed * 0x9e3779b97f4a7c15ULL + uint64_t(epoch_);
      auto sample = augmenter.sample(index, drawSeed);
      if (!sample.ok())
        return sample.status();
      std::copy_n(sample->image.f32(), imageSize,
                  image->f32() + i * imageSize);
      const std::vector<DetectionBox> &found = sample->boxes;
      if ((int64_t)found.size() > maxBoxes)
        return runtime::outOfRange(
            kind_ + " " + splitName(split) + " sample " +
            std::to_string(index) + " ('" + set.split(split)[index].path +
            "'): " + std::to_string(found.size()) + " boxes, more than the " +
            std::to_string(maxBoxes) + " a sample holds (--max-boxes)");
      float *row = boxes->f32() + i * maxBoxes * 5;
      for (int64_t b = 0; b < maxBoxes; ++b, row += 5) {
        if (b >= (int64_t)found.size()) {
          row[0] = -1; // padding
          continue;
        }
        const DetectionBox &box = found[b];
        row[0] = float(box.cls);
        row[1] = box.cx;
        row[2] = box.cy;
        row[3] = box.w;
        row[4] = box.h;
      }
    }
    out.emplace("image", std::move(*image));
    out.emplace("boxes", std::move(*boxes));
    return runtime::okStatus();
  }

  const DetectionSet &detectionSet() const { return set; }

private:
  std::string kind_;
  DetectionSet set;
  int64_t size_, maxBoxes;
  uint64_t seed;
  int64_t epoch_ = 0;
  std::vector<Field> fields_;
  DetectionAugmenter trainAugmenter, valAugmenter, testAugmenter;
};

/// The model's square input side, from the spec's image shape.
StatusOr<int64_t> squareSide(const std::string &kind,
                             const DatasetOptions &options) {
  const std::vector<int64_t> &shape = options.imageShape;
  if (shape.size() != 3 || shape[0] != 3 || shape[1] != shape[2] ||
      shape[1] <= 0)
    return runtime::invalidArgument(
        kind + ": the model's image input must be [3, S, S] (a square RGB "
        "image, as YOLO trains), got " +
        runtime::specToString({runtime::DType::F32, shape}));
  return shape[1];
}

StatusOr<std::unique_ptr<Dataset>> openSet(const std::string &kind,
                                           DetectionSet set,
                                           const DatasetOptions &options) {
  auto side = squareSide(kind, options);
  if (!side.ok())
    return side.status();
  auto augment = parseAugmentOptions(options.augment, *side);
  if (!augment.ok())
    return augment.status();
  int64_t maxBoxes = options.maxBoxes > 0 ? options.maxBoxes : kDefaultMaxBoxes;
  return std::unique_ptr<Dataset>(std::make_unique<DetectionDataset>(
      kind, std::move(set), *side, maxBoxes, *augment, options.seed));
}

/// A data.yaml, or the directory that holds one.
StatusOr<std::unique_ptr<Dataset>> openYolo(const DatasetOptions &options) {
  std::error_code ec;
  std::string yaml = fs::is_directory(options.path, ec)
                         ? (fs::path(options.path) / "data.yaml").string()
                         : options.path;
  auto set = readYoloDataset(yaml);
  if (!set.ok())
    return set.status();
  return openSet("yolo", std::move(*set), options);
}

/// COCO's own layout: DIR/annotations/instances_<name>.json with its images
/// in DIR/<name>/ (instances_train2017.json -> train2017/).
StatusOr<std::unique_ptr<Dataset>> openCoco(const DatasetOptions &options) {
  fs::path root(options.path);
  fs::path annotations = root / "annotations";
  std::error_code ec;
  if (!fs::is_directory(annotations, ec))
    return runtime::notFound("coco: no directory '" + annotations.string() +
                             "' (expected DIR/annotations/instances_*.json)");
  DetectionSet merged;
  bool any = false;
  for (Split split : {Split::Train, Split::Val, Split::Test}) {
    std::string prefix = std::string("instances_") + splitName(split);
    std::vector<fs::path> found;
    for (const auto &entry : fs::directory_iterator(annotations, ec))
      if (entry.path().extension() == ".json" &&
          entry.path().filename().string().rfind(prefix, 0) == 0)
        found.push_back(entry.path());
    if (found.empty())
      continue;
    if (found.size() > 1)
      return runtime::invalidArgument(
          "coco: more than one " + prefix + "*.json in '" +
          annotations.string() + "' ('" + found[0].filename().string() +
          "', '" + found[1].filename().string() + "')");
    std::string name = found[0].stem().string().substr(10); // instances_
    auto set = readCocoInstances(found[0].string(), (root / name).string(),
                                 split);
    if (!set.ok())
      return set.status();
    if (any && set->nc != merged.nc)
      return runtime::invalidArgument(
          "coco: '" + found[0].string() + "' has " + std::to_string(set->nc) +
          " categories, the other split " + std::to_string(merged.nc));
    merged.nc = set->nc;
    merged.names = set->names;
    merged.cocoCategoryIds = set->cocoCategoryIds;
    // Crowd regions are for evaluation; yolov7 trains without them.
    for (DetectionImage &image : set->splits[int(split)])
      image.boxes.erase(std::remove_if(image.boxes.begin(), image.boxes.end(),
                                       [](const DetectionBox &box) {
                                         return box.crowd;
                                       }),
                        image.boxes.end());
    merged.splits[int(split)] = std::move(set->splits[int(split)]);
    any = true;
  }
  if (!any)
    return runtime::notFound("coco: no instances_train*.json, "
                             "instances_val*.json or instances_test*.json in '" +
                             annotations.string() + "'");
  return openSet("coco", std::move(merged), options);
}

} // namespace

extern const DatasetKind kYoloDataset = {
    "yolo",
    "a YOLO data.yaml (train/val/test image folders, labels/*.txt, nc, "
    "names), or its folder; fields image [3,S,S] and boxes [M,5]",
    openYolo, /*acceptsFile=*/true,
    "`goe-data detection --out DIR` builds a detection set"};

extern const DatasetKind kCocoDataset = {
    "coco",
    "a COCO root: annotations/instances_<split>*.json and <split>*/ images; "
    "fields image [3,S,S] and boxes [M,5]",
    openCoco};

} // namespace goe::data
