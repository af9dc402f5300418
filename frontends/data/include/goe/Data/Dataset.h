//===- Dataset.h - training data behind one interface -----------*- C++ -*-===//
//
// A Dataset hands out batches of named per-sample tensors: the model's
// inputs (`image`, `group`, ...) and the training targets (`label`), each
// with a fixed per-sample shape and dtype, for three splits. Training code
// asks for `batch(split, indices)` and never knows which file format is
// behind it; a spec's inputs are checked against `fields()` before anything
// is read (checkFieldsCover), so a shape mismatch is one clear message.
//
// Kinds are registered in one table (Dataset.cpp, datasetKinds()); each
// kind lives in its own file and exports its DatasetKind. Adding a dataset:
// docs/architecture.md, "Adding a dataset".
//
// Conventions every kind follows:
//   - images are f32 [C, H, W] in [0, 1], channels-first, as goe-run reads;
//   - the class target is i64 `label` (one per sample);
//   - a kind that has no validation split of its own carves one from its
//     training files with a seeded permutation (DatasetOptions.seed), so the
//     same seed gives the same split on every machine.
//
// Thread safety: batch() is const and reentrant on one Dataset.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DATA_DATASET_H
#define GOE_DATA_DATASET_H

#include "goe/Runtime/Tensor.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace goe::data {

using runtime::Status;
using runtime::StatusOr;

enum class Split { Train, Val, Test };
const char *splitName(Split split); // "train", "val", "test"
/// "train" / "val" / "test"; InvalidArgument naming `text` otherwise.
StatusOr<Split> parseSplit(const std::string &text);

/// One per-sample tensor a dataset provides.
struct Field {
  std::string name;
  runtime::TensorSpec spec; // per-sample shape (no batch dimension)
};

/// A batch: each field as [indices.size(), per-sample shape...], by name.
using Batch = std::map<std::string, runtime::Tensor>;

class Dataset {
public:
  virtual ~Dataset();
  /// The registered kind, for messages ("cifar10").
  virtual std::string kind() const = 0;
  /// What every batch holds, in a fixed order.
  virtual const std::vector<Field> &fields() const = 0;
  /// Samples in `split` (0 when the data has none for it).
  virtual int64_t size(Split split) const = 0;
  /// The samples `indices` of `split` (each in [0, size(split))), in that
  /// order. Errors name the file or sample at fault (a corrupt image).
  virtual Status batch(Split split, const std::vector<int64_t> &indices,
                       Batch &out) const = 0;
  /// The next training batches belong to `epoch` (1-based); kinds that
  /// augment (yolo, coco) draw that epoch's augmentation. Not thread safe
  /// against batch(): call it between epochs.
  virtual void beginEpoch(int64_t epoch) { (void)epoch; }
};

struct DatasetOptions {
  /// The data's file or directory (each kind documents its layout).
  std::string path;
  /// Seed of any split a kind carves itself.
  uint64_t seed = 0;
  /// Per-sample shape of the model's image input, for kinds that resize
  /// (celeba); empty: the kind's native size.
  std::vector<int64_t> imageShape;
  /// rotated_mnist: the reference implementation's split sizes.
  bool seedSizes = false;
  /// yolo, coco: the training split's augmentation (parseAugmentOptions in
  /// DetectionAugment.h): empty for yolov7-tiny's, "none", or overrides
  /// like "mosaic=0.5,mixup=0".
  std::string augment;
  /// yolo, coco: box rows per sample (0: 128).
  int64_t maxBoxes = 0;
};

/// A registered dataset kind: its name, what it reads, and how to open it.
struct DatasetKind {
  const char *name;
  const char *layout; // one line for --help and messages
  StatusOr<std::unique_ptr<Dataset>> (*open)(const DatasetOptions &options);
  /// The path may name a file (yolo's data.yaml) as well as a directory.
  bool acceptsFile = false;
  /// How to get the data, for the message about a missing path; null: none.
  const char *source = nullptr;
};

/// Every registered kind, in a stable order.
const std::vector<const DatasetKind *> &datasetKinds();
/// The kind called `name`; InvalidArgument listing the known kinds.
StatusOr<const DatasetKind *> findDatasetKind(const std::string &name);
/// Opens `path` as dataset kind `name`.
StatusOr<std::unique_ptr<Dataset>> openDataset(const std::string &name,
                                               const DatasetOptions &options);

/// Checks that `dataset` provides every one of `wanted` (a spec's inputs,
/// or an objective's targets) with the same per-sample shape and dtype.
/// InvalidArgument naming the field, both shapes, or the fields there are.
Status checkFieldsCover(const Dataset &dataset,
                        const std::vector<Field> &wanted);

} // namespace goe::data

#endif // GOE_DATA_DATASET_H
