//===- Idx.cpp - reading and writing IDX (MNIST) files --------------------===//
//
// Every size read from a header is checked against the file's length before
// anything is allocated or indexed, so a corrupt header (a huge count) is an
// error message, not an allocation failure or an out-of-bounds read.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/Idx.h"

#include "goe/Runtime/FileIO.h"

#include <cstdio>
#include <limits>
#include <new>

namespace goe::data {
namespace {

constexpr uint8_t kUint8Type = 0x08;

std::string inQuotes(const std::string &name) { return "'" + name + "'"; }

uint32_t readBigEndian32(std::string_view bytes, size_t offset) {
  auto byte = [&](size_t i) {
    return static_cast<uint32_t>(static_cast<uint8_t>(bytes[offset + i]));
  };
  return (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
}

void appendBigEndian32(std::string &out, uint32_t value) {
  out.push_back(static_cast<char>(value >> 24));
  out.push_back(static_cast<char>(value >> 16));
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value));
}

const char *elementTypeName(uint8_t type) {
  switch (type) {
  case 0x08:
    return "uint8";
  case 0x09:
    return "int8";
  case 0x0B:
    return "int16";
  case 0x0C:
    return "int32";
  case 0x0D:
    return "float32";
  case 0x0E:
    return "float64";
  default:
    return "unknown";
  }
}

std::string hex32(uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "0x%08X", value);
  return buffer;
}

std::string hex8(uint8_t value) {
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), "0x%02X", value);
  return buffer;
}

/// Checks the header of an IDX file of uint8 elements with `rank`
/// dimensions and returns the dimensions; the payload starts at 4 + 4*rank.
/// `kind` ("images", "labels") and `magic` are for the messages.
StatusOr<std::vector<uint64_t>> parseHeader(std::string_view bytes,
                                            const std::string &name,
                                            unsigned rank, const char *kind,
                                            uint32_t magic) {
  std::string expected = "expected magic " + std::to_string(magic) + " (" +
                         hex32(magic) + ") of IDX uint8 " + kind;
  if (bytes.size() >= 2 && static_cast<uint8_t>(bytes[0]) == 0x1F &&
      static_cast<uint8_t>(bytes[1]) == 0x8B)
    return runtime::invalidArgument(
        inQuotes(name) + " is gzip-compressed; decompress it first (gunzip)");
  if (bytes.size() < 4)
    return runtime::dataLoss(inQuotes(name) +
                             " is truncated: " + std::to_string(bytes.size()) +
                             " bytes, too short for an IDX magic number");
  uint32_t actual = readBigEndian32(bytes, 0);
  if (bytes[0] != 0 || bytes[1] != 0)
    return runtime::invalidArgument(inQuotes(name) +
                                    " is not an IDX file: magic " +
                                    hex32(actual) + ", " + expected);
  auto type = static_cast<uint8_t>(bytes[2]);
  auto fileRank = static_cast<uint8_t>(bytes[3]);
  if (type != kUint8Type)
    return runtime::invalidArgument(inQuotes(name) + " has IDX element type " +
                                    hex8(type) + " (" + elementTypeName(type) +
                                    "), magic " + std::to_string(actual) +
                                    "; " + expected);
  if (fileRank != rank)
    return runtime::invalidArgument(
        inQuotes(name) + " has " + std::to_string(fileRank) +
        " dimension(s) (magic " + std::to_string(actual) + "); " + expected +
        " with " + std::to_string(rank) + " dimension(s)" +
        (fileRank == 1   ? " (is it a labels file?)"
         : fileRank == 3 ? " (is it an images file?)"
                         : ""));
  size_t headerSize = 4 + 4 * static_cast<size_t>(rank);
  if (bytes.size() < headerSize)
    return runtime::dataLoss(
        inQuotes(name) + " is truncated: " + std::to_string(bytes.size()) +
        " bytes, the IDX header needs " + std::to_string(headerSize));
  std::vector<uint64_t> dims;
  for (unsigned i = 0; i < rank; ++i)
    dims.push_back(readBigEndian32(bytes, 4 + 4 * i));

  // Each dimension is below 2^32, so the check below cannot overflow: the
  // product is computed only while it stays within the file's length.
  uint64_t payload = bytes.size() - headerSize;
  uint64_t elements = 1;
  bool tooLarge = false;
  for (uint64_t dim : dims) {
    if (dim == 0) {
      elements = 0;
      tooLarge = false;
      break;
    }
    if (elements > payload / dim)
      tooLarge = true;
    else
      elements *= dim;
  }
  std::string shape;
  for (size_t i = 0; i < dims.size(); ++i)
    shape += (i ? " x " : "") + std::to_string(dims[i]);
  if (tooLarge || elements > payload)
    return runtime::dataLoss(
        inQuotes(name) + " is truncated: its header says " + shape + " " +
        kind + (tooLarge ? "" : " (" + std::to_string(elements) + " bytes)") +
        " but only " + std::to_string(payload) + " bytes follow the header");
  if (elements < payload)
    return runtime::dataLoss(inQuotes(name) + " has " +
                             std::to_string(payload - elements) +
                             " trailing bytes after its " + shape + " " + kind +
                             " (corrupt or not an IDX file)");
  return dims;
}

} // namespace

StatusOr<IdxImages> parseIdxImages(std::string_view bytes,
                                   const std::string &name) {
  auto dims = parseHeader(bytes, name, 3, "images", kIdxImagesMagic);
  if (!dims.ok())
    return dims.status();
  IdxImages images;
  images.count = static_cast<int64_t>((*dims)[0]);
  images.rows = static_cast<int64_t>((*dims)[1]);
  images.cols = static_cast<int64_t>((*dims)[2]);
  if (images.count > 0 && (images.rows == 0 || images.cols == 0))
    return runtime::dataLoss(inQuotes(name) + " has images of size " +
                             std::to_string(images.rows) + " x " +
                             std::to_string(images.cols));
  const char *data = bytes.data() + 16;
  try {
    images.pixels.assign(data, data + (bytes.size() - 16));
  } catch (const std::bad_alloc &) {
    return runtime::resourceExhausted("cannot allocate the pixels of " +
                                      inQuotes(name));
  }
  return images;
}

StatusOr<std::vector<uint8_t>> parseIdxLabels(std::string_view bytes,
                                              const std::string &name) {
  auto dims = parseHeader(bytes, name, 1, "labels", kIdxLabelsMagic);
  if (!dims.ok())
    return dims.status();
  const char *data = bytes.data() + 8;
  try {
    return std::vector<uint8_t>(data, data + (bytes.size() - 8));
  } catch (const std::bad_alloc &) {
    return runtime::resourceExhausted("cannot allocate the labels of " +
                                      inQuotes(name));
  }
}

StatusOr<IdxImages> readIdxImages(const std::string &path) {
  auto bytes = runtime::readFileBytes(path);
  if (!bytes.ok())
    return bytes.status();
  return parseIdxImages(*bytes, path);
}

StatusOr<std::vector<uint8_t>> readIdxLabels(const std::string &path) {
  auto bytes = runtime::readFileBytes(path);
  if (!bytes.ok())
    return bytes.status();
  return parseIdxLabels(*bytes, path);
}

StatusOr<std::string> encodeIdxImages(const IdxImages &images) {
  constexpr int64_t kMax = std::numeric_limits<uint32_t>::max();
  for (int64_t dim : {images.count, images.rows, images.cols})
    if (dim < 0 || dim > kMax)
      return runtime::invalidArgument("IDX images: dimension " +
                                      std::to_string(dim) +
                                      " is outside 0..2^32-1");
  // Each factor is below 2^32 and rows*cols fits; guard the last product.
  uint64_t perImage =
      static_cast<uint64_t>(images.rows) * static_cast<uint64_t>(images.cols);
  if (perImage != 0 &&
      static_cast<uint64_t>(images.count) > images.pixels.max_size() / perImage)
    return runtime::invalidArgument("IDX images: too many pixels");
  if (images.pixels.size() != static_cast<uint64_t>(images.count) * perImage)
    return runtime::invalidArgument(
        "IDX images: " + std::to_string(images.pixels.size()) + " pixels for " +
        std::to_string(images.count) + " x " + std::to_string(images.rows) +
        " x " + std::to_string(images.cols));
  std::string out;
  out.reserve(16 + images.pixels.size());
  appendBigEndian32(out, kIdxImagesMagic);
  appendBigEndian32(out, static_cast<uint32_t>(images.count));
  appendBigEndian32(out, static_cast<uint32_t>(images.rows));
  appendBigEndian32(out, static_cast<uint32_t>(images.cols));
  out.append(reinterpret_cast<const char *>(images.pixels.data()),
             images.pixels.size());
  return out;
}

StatusOr<std::string> encodeIdxLabels(const std::vector<uint8_t> &labels) {
  if (labels.size() > std::numeric_limits<uint32_t>::max())
    return runtime::invalidArgument("IDX labels: more than 2^32-1 labels");
  std::string out;
  out.reserve(8 + labels.size());
  appendBigEndian32(out, kIdxLabelsMagic);
  appendBigEndian32(out, static_cast<uint32_t>(labels.size()));
  out.append(reinterpret_cast<const char *>(labels.data()), labels.size());
  return out;
}

Status writeIdxImages(const std::string &path, const IdxImages &images) {
  auto bytes = encodeIdxImages(images);
  if (!bytes.ok())
    return bytes.status().withContext(inQuotes(path));
  return runtime::writeFileAtomically(path, {*bytes});
}

Status writeIdxLabels(const std::string &path,
                      const std::vector<uint8_t> &labels) {
  auto bytes = encodeIdxLabels(labels);
  if (!bytes.ok())
    return bytes.status().withContext(inQuotes(path));
  return runtime::writeFileAtomically(path, {*bytes});
}

} // namespace goe::data
