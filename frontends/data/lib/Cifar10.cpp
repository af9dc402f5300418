//===- Cifar10.cpp - CIFAR-10's binary version ----------------------------===//
//
// Kind `cifar10`: the directory of CIFAR-10's "binary version"
// (cifar-10-batches-bin): data_batch_1.bin ... data_batch_5.bin (those
// present, at least one) and test_batch.bin (optional). Each record is
// 3,073 bytes: the label (0..9), then 1,024 red, 1,024 green and 1,024 blue
// pixels of a 32x32 image, row-major: channels-first already.
// Fields: image f32 [3, 32, 32] in [0, 1], label i64.
// Splits: train/val a seeded 90/10 split of the data batches (45,000 /
// 5,000 for the full set), test = test_batch.bin.
//
//===----------------------------------------------------------------------===//

#include "TableDataset.h"

#include "goe/Runtime/FileIO.h"

#include <filesystem>

namespace goe::data {
namespace {

constexpr int64_t kSide = 32, kChannels = 3, kClasses = 10;
constexpr int64_t kPixels = kChannels * kSide * kSide;
constexpr int64_t kRecord = 1 + kPixels;

struct Records {
  std::vector<uint8_t> pixels;
  std::vector<int64_t> labels;
};

/// Appends the records of `path`. Errors name the file and the record.
Status readBatchFile(const std::string &path, Records &out) {
  auto bytes = runtime::readFileBytes(path);
  if (!bytes.ok())
    return bytes.status();
  if (bytes->empty() || bytes->size() % kRecord != 0)
    return runtime::dataLoss("'" + path + "' has " +
                             std::to_string(bytes->size()) +
                             " bytes, not a whole number of 3,073-byte "
                             "CIFAR-10 records");
  int64_t records = (int64_t)bytes->size() / kRecord;
  const auto *data = reinterpret_cast<const uint8_t *>(bytes->data());
  for (int64_t r = 0; r < records; ++r) {
    const uint8_t *record = data + r * kRecord;
    if (record[0] >= kClasses)
      return runtime::dataLoss("'" + path + "' record " + std::to_string(r) +
                               " has label " + std::to_string(record[0]) +
                               ", not a class 0..9");
    out.labels.push_back(record[0]);
    out.pixels.insert(out.pixels.end(), record + 1, record + kRecord);
  }
  return runtime::okStatus();
}

Status addSplit(detail::TableDataset &dataset, Split split,
                const Records &records, const std::vector<int64_t> &rows) {
  return detail::addClassifiedRows(dataset, split, records.pixels, kPixels,
                                   records.labels, rows);
}

std::vector<int64_t> allRows(int64_t n) {
  std::vector<int64_t> rows(n);
  for (int64_t i = 0; i < n; ++i)
    rows[i] = i;
  return rows;
}

StatusOr<std::unique_ptr<Dataset>> open(const DatasetOptions &options) {
  namespace fs = std::filesystem;
  Records train, test;
  for (int b = 1; b <= 5; ++b) {
    std::string path =
        (fs::path(options.path) / ("data_batch_" + std::to_string(b) + ".bin"))
            .string();
    std::error_code ec;
    if (fs::exists(path, ec))
      GOE_RETURN_IF_ERROR(readBatchFile(path, train));
  }
  if (train.labels.empty())
    return runtime::notFound("cifar10: '" + options.path +
                             "' has no data_batch_1.bin ... data_batch_5.bin "
                             "(CIFAR-10's binary version)");
  std::string testPath = (fs::path(options.path) / "test_batch.bin").string();
  std::error_code ec;
  if (fs::exists(testPath, ec))
    GOE_RETURN_IF_ERROR(readBatchFile(testPath, test));

  auto dataset = std::make_unique<detail::TableDataset>(
      "cifar10",
      std::vector<Field>{{"image", {runtime::DType::F32, {kChannels, kSide, kSide}}},
                         {"label", {runtime::DType::I64, {}}}});
  int64_t count = (int64_t)train.labels.size();
  detail::Carve carve = detail::carveSplit(count, count / 10, options.seed);
  GOE_RETURN_IF_ERROR(addSplit(*dataset, Split::Train, train, carve.kept));
  GOE_RETURN_IF_ERROR(addSplit(*dataset, Split::Val, train, carve.held));
  GOE_RETURN_IF_ERROR(addSplit(*dataset, Split::Test, test,
                               allRows((int64_t)test.labels.size())));
  return std::unique_ptr<Dataset>(std::move(dataset));
}

} // namespace

extern const DatasetKind kCifar10Dataset = {
    "cifar10",
    "CIFAR-10's binary version: data_batch_{1..5}.bin and test_batch.bin",
    open};

} // namespace goe::data
