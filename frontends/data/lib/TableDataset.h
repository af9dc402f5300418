//===- TableDataset.h - a dataset held in memory, column by column --------===//
//
// Private to the data library. Most kinds read their files once and keep
// every sample: a TableDataset holds, per split, one column per field and
// gathers rows into a batch. Images stay uint8 in memory (a quarter of the
// f32 size: CIFAR-10 is 184 MB instead of 737 MB) and are scaled by 1/255
// when a batch is made.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DATA_LIB_TABLEDATASET_H
#define GOE_DATA_LIB_TABLEDATASET_H

#include "goe/Data/Dataset.h"
#include "goe/Data/Idx.h"

#include <array>

namespace goe::data::detail {

/// One field of one split: either uint8 pixels (scaled to f32 in [0, 1]) or
/// exact values in a tensor [samples, per-sample shape...].
struct Column {
  std::vector<uint8_t> pixels;
  runtime::Tensor values;
  bool isPixels = false;

  static Column fromPixels(std::vector<uint8_t> pixels);
  static Column fromValues(runtime::Tensor values);
};

class TableDataset : public Dataset {
public:
  TableDataset(std::string kind, std::vector<Field> fields)
      : kind_(std::move(kind)), fields_(std::move(fields)) {}

  /// Sets `split` to `count` samples with one column per field, in the
  /// order of fields(). InvalidArgument if a column's size disagrees.
  Status setSplit(Split split, int64_t count, std::vector<Column> columns);

  std::string kind() const override { return kind_; }
  const std::vector<Field> &fields() const override { return fields_; }
  int64_t size(Split split) const override { return sizes_[int(split)]; }
  Status batch(Split split, const std::vector<int64_t> &indices,
               Batch &out) const override;

private:
  std::string kind_;
  std::vector<Field> fields_;
  std::array<int64_t, 3> sizes_{};
  std::array<std::vector<Column>, 3> columns_;
};

/// Elements of one sample of `field`.
int64_t perSampleElements(const Field &field);

/// A seeded split of `count` samples into the first `count - held` (shuffled)
/// and the `held` after them: indices into the original order.
struct Carve {
  std::vector<int64_t> kept, held;
};
Carve carveSplit(int64_t count, int64_t held, uint64_t seed);

/// The rows `rows` of `column` (per-sample `elements` each), as a column.
StatusOr<Column> selectRows(const Column &column, int64_t elements,
                  const std::vector<int64_t> &rows);

/// Adds a classification split: the `rows` of `pixels` (uint8 images of
/// `pixelsPerSample` each) as the field `image` and `labels[row]` as the
/// field `label`, in that field order.
Status addClassifiedRows(TableDataset &dataset, Split split,
                         const std::vector<uint8_t> &pixels,
                         int64_t pixelsPerSample,
                         const std::vector<int64_t> &labels,
                         const std::vector<int64_t> &rows);

/// An IDX images file and its labels file (plain or .gz), with as many
/// labels as images. Errors name the file.
struct LabelledIdx {
  IdxImages images;
  std::vector<int64_t> labels;
};
StatusOr<LabelledIdx> readLabelledIdx(const std::string &imagesPath,
                                      const std::string &labelsPath);

/// `dir`/`name`, or `dir`/`name`.gz when only that exists; "" when neither.
std::string findPlainOrGzipped(const std::string &dir, const std::string &name);

/// The bytes of `path`, gunzipped when they start with the gzip magic
/// (Debian's datasets ship IDX files as .gz). Errors name the file.
StatusOr<std::string> readMaybeGzipped(const std::string &path);

} // namespace goe::data::detail

#endif // GOE_DATA_LIB_TABLEDATASET_H
