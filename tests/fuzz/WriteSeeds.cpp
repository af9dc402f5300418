//===- WriteSeeds.cpp - the binary seed inputs of the fuzz targets -------===//
//
//   goe-fuzz-seeds OUT_DIR MODEL.goe...
//
// Writes the seeds no file in the repository holds, made by the runtime's
// own writers so they are exactly what goe reads in practice:
//   OUT_DIR/weights/<model>.goew   a bundle of each model's weight sources
//                                  (what goe-train would write for it);
//   OUT_DIR/npy/*.npy              .npy files of each dtype and rank;
//   OUT_DIR/idx/*.idx              MNIST-style IDX images and labels.
// The text seeds (specs, JSON, YAML, labels) are copied by run.sh.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/Idx.h"
#include "goe/Runtime/Artifact.h"
#include "goe/Runtime/FileIO.h"
#include "goe/Runtime/Npy.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

using namespace goe::runtime;

namespace {

int fail(const Status &status) {
  std::fprintf(stderr, "goe-fuzz-seeds: %s\n", status.message().c_str());
  return 1;
}

/// A bundle holding every weight source of `model` (small, deterministic
/// values), as a weights file for it must.
goe::artifact::WeightBundle bundleFor(const goe::artifact::Model &model) {
  goe::artifact::WeightBundle bundle;
  for (const goe::artifact::WeightSource &source : model.weight_sources()) {
    goe::artifact::Tensor *tensor = bundle.add_tensors();
    tensor->set_name(source.name());
    int64_t count = 1;
    for (int64_t d : source.shape()) {
      tensor->add_shape(d);
      count *= d;
    }
    tensor->set_dtype(goe::artifact::F32);
    std::string bytes(size_t(count) * sizeof(float), '\0');
    for (int64_t i = 0; i < count; ++i) {
      float value = 0.01f * float(i % 97) + 0.5f; // positive: valid variances
      std::memcpy(&bytes[size_t(i) * sizeof(float)], &value, sizeof(float));
    }
    tensor->set_data(std::move(bytes));
  }
  return bundle;
}

Status writeNpySeeds(const std::filesystem::path &dir) {
  struct Seed {
    const char *name;
    StatusOr<Tensor> tensor;
  };
  Seed seeds[] = {
      {"f32-2x3.npy", Tensor::fromF32({2, 3}, {0, 1, 2, 3, 4, 5.5f})},
      {"f32-image.npy", Tensor::fromF32({1, 1, 4, 4}, std::vector<float>(16, 0.25f))},
      {"i64-vector.npy", Tensor::fromI64({4}, {0, 1, -1, 1LL << 40})},
      {"i64-scalar.npy", Tensor::fromI64({}, {7})},
      {"f32-empty.npy", Tensor::fromF32({0, 3}, {})},
  };
  for (Seed &seed : seeds) {
    if (!seed.tensor.ok())
      return seed.tensor.status();
    GOE_RETURN_IF_ERROR(writeNpy((dir / seed.name).string(), seed.tensor->view()));
  }
  // The dtypes only the reader has: uint8 (images), f8, i4, and version 2.0.
  const char *headers[][2] = {
      {"u1-2x2.npy", "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }"},
      {"f8-2.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"},
      {"i4-3.npy", "{'descr': '<i4', 'fortran_order': True, 'shape': (3,), }"},
  };
  size_t dataBytes[] = {4, 16, 12};
  for (int i = 0; i < 3; ++i)
    for (int major : {1, 2}) {
      std::string header = headers[i][1];
      header += "\n";
      std::string file = "\x93NUMPY";
      file += char(major);
      file += '\0';
      for (int b = 0; b < (major == 1 ? 2 : 4); ++b)
        file += char((header.size() >> (8 * b)) & 0xff);
      file += header + std::string(dataBytes[i], '\x01');
      std::string name = "v" + std::to_string(major) + "-" + headers[i][0];
      GOE_RETURN_IF_ERROR(writeFileAtomically((dir / name).string(), {file}));
    }
  return okStatus();
}

Status writeIdxSeeds(const std::filesystem::path &dir) {
  goe::data::IdxImages images;
  images.count = 2;
  images.rows = 3;
  images.cols = 4;
  for (int i = 0; i < 24; ++i)
    images.pixels.push_back(uint8_t(i * 10));
  StatusOr<std::string> imageBytes = goe::data::encodeIdxImages(images);
  if (!imageBytes.ok())
    return imageBytes.status();
  StatusOr<std::string> labelBytes = goe::data::encodeIdxLabels({3, 9});
  if (!labelBytes.ok())
    return labelBytes.status();
  GOE_RETURN_IF_ERROR(writeFileAtomically((dir / "images.idx").string(), {*imageBytes}));
  return writeFileAtomically((dir / "labels.idx").string(), {*labelBytes});
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: goe-fuzz-seeds OUT_DIR MODEL.goe...\n");
    return 2;
  }
  std::filesystem::path out = argv[1];
  std::filesystem::create_directories(out / "weights");
  std::filesystem::create_directories(out / "npy");
  std::filesystem::create_directories(out / "idx");
  for (int i = 2; i < argc; ++i) {
    StatusOr<goe::artifact::Model> model = readModel(argv[i]);
    if (!model.ok())
      return fail(model.status());
    std::string name = std::filesystem::path(argv[i]).stem().string() + ".goew";
    Status written = writeWeightBundle((out / "weights" / name).string(),
                                       bundleFor(*model));
    if (!written.ok())
      return fail(written);
  }
  Status written = writeNpySeeds(out / "npy");
  if (written.ok())
    written = writeIdxSeeds(out / "idx");
  return written.ok() ? 0 : fail(written);
}
