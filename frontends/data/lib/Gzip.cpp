//===- Gzip.cpp - reading files that may be gzip-compressed ---------------===//
//
// Debian's dataset packages (dataset-fashion-mnist) ship IDX files as .gz.
// zlib inflates them; the output is bounded so a crafted file (a "zip
// bomb") is an error, not an exhausted machine.
//
//===----------------------------------------------------------------------===//

#include "TableDataset.h"

#include "goe/Runtime/FileIO.h"

#include <zlib.h>

namespace goe::data::detail {
namespace {

/// Larger than any dataset file goe reads whole (Fashion-MNIST's training
/// images are 47 MB inflated).
constexpr size_t kMaxInflatedBytes = size_t(1) << 31;

bool isGzip(const std::string &bytes) {
  return bytes.size() >= 2 && (unsigned char)bytes[0] == 0x1f &&
         (unsigned char)bytes[1] == 0x8b;
}

} // namespace

StatusOr<std::string> readMaybeGzipped(const std::string &path) {
  auto bytes = runtime::readFileBytes(path);
  if (!bytes.ok() || !isGzip(*bytes))
    return bytes;
  z_stream stream{};
  // 16 + MAX_WBITS: expect a gzip header, not a raw zlib one.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
    return runtime::internalError("cannot start zlib for '" + path + "'");
  stream.next_in = reinterpret_cast<Bytef *>(bytes->data());
  stream.avail_in = (uInt)bytes->size();
  std::string out;
  char chunk[1 << 16];
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef *>(chunk);
    stream.avail_out = sizeof(chunk);
    result = inflate(&stream, Z_NO_FLUSH);
    if (result != Z_OK && result != Z_STREAM_END)
      break;
    out.append(chunk, sizeof(chunk) - stream.avail_out);
    if (out.size() > kMaxInflatedBytes) {
      inflateEnd(&stream);
      return runtime::resourceExhausted("'" + path + "' inflates to more than " +
                                        std::to_string(kMaxInflatedBytes) +
                                        " bytes");
    }
    if (result == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
      result = Z_BUF_ERROR; // input ended before the gzip stream did
      break;
    }
  }
  std::string reason = stream.msg ? stream.msg : "error " + std::to_string(result);
  inflateEnd(&stream);
  if (result != Z_STREAM_END)
    return runtime::dataLoss("'" + path + "' is a corrupt or truncated gzip "
                             "file (zlib: " + reason + ")");
  return out;
}

} // namespace goe::data::detail
