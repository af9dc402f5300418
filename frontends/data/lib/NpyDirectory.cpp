//===- NpyDirectory.cpp - a directory of .npy files -----------------------===//
//
// Kind `npy`: the layout goe-run reads and goe-train --export-dir writes.
// Each `<name>.npy` file is one field, its first dimension the samples
// (f32 or i64, as goe-run accepts); `labels.npy` is the field `label`, the
// class target, as goe-run's --labels. Either the directory holds
// subdirectories train/, val/ and test/ (those present), each with the same
// files, or it holds the files itself and they are the test split.
//
//===----------------------------------------------------------------------===//

#include "TableDataset.h"

#include "goe/Runtime/Npy.h"

#include <algorithm>
#include <filesystem>

namespace goe::data {
namespace {

namespace fs = std::filesystem;
using detail::Column;

std::string fieldName(const fs::path &file) {
  std::string stem = file.stem().string();
  return stem == "labels" ? "label" : stem;
}

struct SplitFiles {
  std::vector<Field> fields;
  std::vector<Column> columns;
  int64_t count = -1;
};

StatusOr<SplitFiles> readSplit(const fs::path &dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".npy")
      files.push_back(entry.path());
  if (ec)
    return runtime::invalidArgument("npy: cannot list '" + dir.string() +
                                    "': " + ec.message());
  if (files.empty())
    return runtime::notFound("npy: '" + dir.string() + "' has no .npy files");
  std::sort(files.begin(), files.end()); // a stable field order
  SplitFiles split;
  for (const fs::path &file : files) {
    auto tensor = runtime::readNpy(file.string());
    if (!tensor.ok())
      return tensor.status();
    std::vector<int64_t> shape = tensor->shape();
    if (shape.empty())
      return runtime::invalidArgument("npy: '" + file.string() +
                                      "' is a scalar; its first dimension "
                                      "must count the samples");
    if (split.count >= 0 && shape[0] != split.count)
      return runtime::invalidArgument(
          "npy: '" + file.string() + "' has " + std::to_string(shape[0]) +
          " samples, the other files of '" + dir.string() + "' " +
          std::to_string(split.count));
    split.count = shape[0];
    split.fields.push_back(
        {fieldName(file),
         {tensor->dtype(), std::vector<int64_t>(shape.begin() + 1, shape.end())}});
    split.columns.push_back(Column::fromValues(std::move(tensor).value()));
  }
  return split;
}

StatusOr<std::unique_ptr<Dataset>> open(const DatasetOptions &options) {
  fs::path root(options.path);
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    return runtime::notFound("npy: '" + options.path + "' is not a directory");
  std::vector<std::pair<Split, fs::path>> dirs;
  for (Split split : {Split::Train, Split::Val, Split::Test})
    if (fs::is_directory(root / splitName(split), ec))
      dirs.push_back({split, root / splitName(split)});
  if (dirs.empty())
    dirs.push_back({Split::Test, root});

  std::unique_ptr<detail::TableDataset> dataset;
  for (auto &[split, dir] : dirs) {
    auto files = readSplit(dir);
    if (!files.ok())
      return files.status();
    if (!dataset)
      dataset = std::make_unique<detail::TableDataset>("npy", files->fields);
    else if (files->fields.size() != dataset->fields().size() ||
             !std::equal(files->fields.begin(), files->fields.end(),
                         dataset->fields().begin(),
                         [](const Field &a, const Field &b) {
                           return a.name == b.name && a.spec == b.spec;
                         }))
      return runtime::invalidArgument(
          "npy: '" + dir.string() +
          "' holds other files or shapes than the first split's");
    GOE_RETURN_IF_ERROR(
        dataset->setSplit(split, files->count, std::move(files->columns)));
  }
  return std::unique_ptr<Dataset>(std::move(dataset));
}

} // namespace

extern const DatasetKind kNpyDataset = {
    "npy",
    "a directory of <name>.npy files (labels.npy is 'label'), or train/ "
    "val/ test/ subdirectories of them",
    open};

} // namespace goe::data
