//===- Idx.h - reading and writing IDX (MNIST) files ------------*- C++ -*-===//
//
// The IDX format of the MNIST files: a big-endian header (two zero bytes,
// the element type, the number of dimensions, then one uint32 per
// dimension) followed by the elements in row-major order. goe reads the two
// kinds MNIST uses, both with uint8 elements:
//   images: magic 2051 (0x00000803), dimensions N x rows x cols
//   labels: magic 2049 (0x00000801), dimension N
// A malformed file is an error whose message names the file and the
// problem (truncated, wrong magic, gzip-compressed, trailing bytes...);
// nothing aborts on bad input.
//
// Thread safety: the functions are reentrant.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DATA_IDX_H
#define GOE_DATA_IDX_H

#include "goe/Runtime/Status.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace goe::data {

using runtime::Status;
using runtime::StatusOr;

/// IDX magic numbers of uint8 images (3 dimensions) and labels (1).
constexpr uint32_t kIdxImagesMagic = 2051;
constexpr uint32_t kIdxLabelsMagic = 2049;

/// `count` images of `rows` x `cols` uint8 pixels, row-major, image after
/// image: pixel (i, r, c) is pixels[(i * rows + r) * cols + c].
struct IdxImages {
  int64_t count = 0;
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<uint8_t> pixels;
};

/// Parses the bytes of an images file; `name` (the path) is used in
/// messages only. Errors: DataLoss for a truncated, corrupt or mis-sized
/// file, InvalidArgument for a file of another kind (labels, gzip, another
/// element type).
StatusOr<IdxImages> parseIdxImages(std::string_view bytes,
                                   const std::string &name);
/// Parses the bytes of a labels file (see parseIdxImages).
StatusOr<std::vector<uint8_t>> parseIdxLabels(std::string_view bytes,
                                              const std::string &name);

/// Reads and parses a file; NotFound if it does not exist.
StatusOr<IdxImages> readIdxImages(const std::string &path);
StatusOr<std::vector<uint8_t>> readIdxLabels(const std::string &path);

/// The bytes of an IDX file holding `images` / `labels`. InvalidArgument
/// if `images` is inconsistent (pixel count, a dimension over 2^32 - 1).
StatusOr<std::string> encodeIdxImages(const IdxImages &images);
StatusOr<std::string> encodeIdxLabels(const std::vector<uint8_t> &labels);

/// Writes an IDX file atomically (see goe/Runtime/FileIO.h).
Status writeIdxImages(const std::string &path, const IdxImages &images);
Status writeIdxLabels(const std::string &path,
                      const std::vector<uint8_t> &labels);

} // namespace goe::data

#endif // GOE_DATA_IDX_H
