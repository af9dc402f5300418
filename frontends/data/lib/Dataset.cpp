//===- Dataset.cpp - the registry of dataset kinds ------------------------===//

#include "goe/Data/Dataset.h"
#include "goe/Data/DataDirectory.h"

#include <filesystem>

namespace goe::data {

// Each kind's descriptor lives in its reader's file.
extern const DatasetKind kMnistDataset;
extern const DatasetKind kFashionMnistDataset;
extern const DatasetKind kRotatedMnistDataset;
extern const DatasetKind kCifar10Dataset;
extern const DatasetKind kCelebaDataset;
extern const DatasetKind kNpyDataset;
extern const DatasetKind kYoloDataset;
extern const DatasetKind kCocoDataset;

Dataset::~Dataset() = default;

const char *splitName(Split split) {
  switch (split) {
  case Split::Train:
    return "train";
  case Split::Val:
    return "val";
  case Split::Test:
    return "test";
  }
  return "?";
}

StatusOr<Split> parseSplit(const std::string &text) {
  for (Split split : {Split::Train, Split::Val, Split::Test})
    if (text == splitName(split))
      return split;
  return runtime::invalidArgument("unknown split '" + text +
                                  "' (expected train, val or test)");
}

const std::vector<const DatasetKind *> &datasetKinds() {
  static const std::vector<const DatasetKind *> kinds = {
      &kMnistDataset, &kFashionMnistDataset, &kRotatedMnistDataset,
      &kCifar10Dataset, &kCelebaDataset, &kNpyDataset,
      &kYoloDataset, &kCocoDataset};
  return kinds;
}

StatusOr<const DatasetKind *> findDatasetKind(const std::string &name) {
  std::string known;
  for (const DatasetKind *kind : datasetKinds()) {
    if (name == kind->name)
      return kind;
    known += (known.empty() ? "" : ", ") + std::string(kind->name);
  }
  return runtime::invalidArgument("unknown dataset kind '" + name +
                                  "' (known: " + known + ")");
}

StatusOr<std::unique_ptr<Dataset>> openDataset(const std::string &name,
                                               const DatasetOptions &options) {
  auto kind = findDatasetKind(name);
  if (!kind.ok())
    return kind.status();
  // Every kind reads a directory; some also a file.
  std::error_code ec;
  bool file = (*kind)->acceptsFile &&
              std::filesystem::is_regular_file(options.path, ec);
  if (!options.path.empty() && !file)
    GOE_RETURN_IF_ERROR(
        checkDataDirectory(options.path, std::string(name) + " directory"));
  return (*kind)->open(options);
}

Status checkFieldsCover(const Dataset &dataset,
                        const std::vector<Field> &wanted) {
  for (const Field &want : wanted) {
    const Field *have = nullptr;
    for (const Field &field : dataset.fields())
      if (field.name == want.name)
        have = &field;
    if (!have) {
      std::string names;
      for (const Field &field : dataset.fields())
        names += (names.empty() ? "" : ", ") + field.name + " " +
                 runtime::specToString(field.spec);
      return runtime::invalidArgument(
          "dataset '" + dataset.kind() + "' has no field '" + want.name +
          "' (it gives " + names + ")");
    }
    if (have->spec != want.spec)
      return runtime::invalidArgument(
          "dataset '" + dataset.kind() + "' gives '" + want.name + "' as " +
          runtime::specToString(have->spec) + ", but " +
          runtime::specToString(want.spec) + " is wanted");
  }
  return runtime::okStatus();
}

} // namespace goe::data
