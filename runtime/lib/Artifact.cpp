//===- Artifact.cpp - reading and writing goe artifact files ------------===//

#include "goe/Runtime/Artifact.h"

#include "goe/Runtime/Checksum.h"
#include "goe/Runtime/FileIO.h"
#include "goe/Runtime/QuoteText.h"

#include <climits>
#include <cstdio>
#include <cstring>

namespace goe::runtime {
namespace {

uint32_t versionOf(ArtifactKind kind) {
  return kind == ArtifactKind::Model ? kFormatVersion
                                     : kWeightBundleFormatVersion;
}

std::string_view magicOf(ArtifactKind kind) {
  return kind == ArtifactKind::Model ? kModelMagic : kWeightBundleMagic;
}

const char *nounOf(ArtifactKind kind) {
  return kind == ArtifactKind::Model ? "goe model" : "goe weight bundle";
}

// Explicit little-endian coding: the format is defined byte by byte, not by
// the host's struct layout.
void putLE(std::string &out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t getLE(std::string_view in, size_t offset, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i)
    value |= uint64_t(static_cast<unsigned char>(in[offset + i])) << (8 * i);
  return value;
}

std::string hex(uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof(buffer), "0x%016llx",
                static_cast<unsigned long long>(value));
  return buffer;
}

/// The first bytes of a foreign file, printable, for "not a goe model".
std::string printable(std::string_view bytes) {
  std::string out;
  for (char c : bytes) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out.push_back(c);
    } else {
      char buffer[8];
      std::snprintf(buffer, sizeof(buffer), "\\x%02x",
                    static_cast<unsigned char>(c));
      out += buffer;
    }
  }
  return out;
}

template <typename Message>
StatusOr<std::string> serializeAs(ArtifactKind kind, const Message &message) {
  std::string payload;
  if (message.ByteSizeLong() > static_cast<size_t>(INT_MAX))
    return invalidArgument(std::string("cannot serialize ") + nounOf(kind) +
                           ": payload exceeds protobuf's 2 GiB limit");
  if (!message.SerializeToString(&payload))
    return internalError(std::string("cannot serialize ") + nounOf(kind));
  return encodeArtifact(kind, payload);
}

template <typename Message>
StatusOr<Message> parseAs(ArtifactKind kind, std::string_view file,
                          const std::string &source) {
  StatusOr<std::string_view> payload = decodeArtifact(kind, file, source);
  if (!payload.ok())
    return payload.status();
  Message message;
  if (payload->size() > static_cast<size_t>(INT_MAX) ||
      !message.ParseFromArray(payload->data(),
                              static_cast<int>(payload->size())))
    return dataLoss(quoteText(source) +
                    " is corrupt: its payload is not a valid " +
                    message.GetTypeName());
  return message;
}

template <typename Message>
Status writeAs(ArtifactKind kind, const std::string &path,
               const Message &message) {
  StatusOr<std::string> bytes = serializeAs(kind, message);
  if (!bytes.ok())
    return bytes.status().withContext("writing " + quoteText(path));
  return writeFileAtomically(path, {*bytes});
}

template <typename Message>
StatusOr<Message> readAs(ArtifactKind kind, const std::string &path) {
  StatusOr<std::string> bytes = readFileBytes(path);
  if (!bytes.ok())
    return bytes.status();
  return parseAs<Message>(kind, *bytes, path);
}

} // namespace

std::string encodeArtifact(ArtifactKind kind, std::string_view payload) {
  std::string out;
  out.reserve(kHeaderSize + payload.size());
  out.append(magicOf(kind));
  putLE(out, versionOf(kind), 4);
  putLE(out, payload.size(), 8);
  putLE(out, fnv1a64(payload.data(), payload.size()), 8);
  out.append(payload);
  return out;
}

StatusOr<std::string_view> decodeArtifact(ArtifactKind kind,
                                          std::string_view file,
                                          const std::string &source) {
  std::string_view magic = magicOf(kind);
  std::string_view head = file.substr(0, magic.size());
  // A short file that starts like ours was cut off; anything else is foreign.
  if (head != magic.substr(0, head.size()))
    return invalidArgument(quoteText(source) + " is not a " + nounOf(kind) +
                           " (it starts with \"" + printable(head) +
                           "\", expected \"" + std::string(magic) + "\")");
  if (file.size() < kHeaderSize)
    return dataLoss(quoteText(source) + " is truncated: " +
                    std::to_string(file.size()) + " bytes, shorter than the " +
                    std::to_string(kHeaderSize) + "-byte header");
  uint64_t version = getLE(file, 8, 4);
  if (version != versionOf(kind))
    return failedPrecondition(
        quoteText(source) + " has format version " + std::to_string(version) +
        ", this runtime reads " + std::to_string(versionOf(kind)) +
        (kind == ArtifactKind::Model
             ? ": recompile it with the goe-compile of this release"
             : ""));
  uint64_t length = getLE(file, 12, 8);
  uint64_t expected = getLE(file, 20, 8);
  uint64_t available = file.size() - kHeaderSize;
  if (length > available)
    return dataLoss(quoteText(source) + " is truncated: the header announces " +
                    std::to_string(length) + " payload bytes, the file has " +
                    std::to_string(available));
  if (length < available)
    return dataLoss(quoteText(source) +
                    " is corrupt: " + std::to_string(available - length) +
                    " bytes follow the payload the header announces");
  std::string_view payload = file.substr(kHeaderSize);
  uint64_t actual = fnv1a64(payload.data(), payload.size());
  if (actual != expected)
    return dataLoss(quoteText(source) + " is corrupt: payload checksum " +
                    hex(actual) + " does not match the header's " +
                    hex(expected));
  return payload;
}

StatusOr<std::string> serializeModel(const artifact::Model &model) {
  return serializeAs(ArtifactKind::Model, model);
}
StatusOr<artifact::Model> parseModel(std::string_view file,
                                     const std::string &source) {
  return parseAs<artifact::Model>(ArtifactKind::Model, file, source);
}
StatusOr<std::string>
serializeWeightBundle(const artifact::WeightBundle &bundle) {
  return serializeAs(ArtifactKind::WeightBundle, bundle);
}
StatusOr<artifact::WeightBundle> parseWeightBundle(std::string_view file,
                                                   const std::string &source) {
  return parseAs<artifact::WeightBundle>(ArtifactKind::WeightBundle, file,
                                         source);
}

Status writeModel(const std::string &path, const artifact::Model &model) {
  return writeAs(ArtifactKind::Model, path, model);
}
StatusOr<artifact::Model> readModel(const std::string &path) {
  return readAs<artifact::Model>(ArtifactKind::Model, path);
}
Status writeWeightBundle(const std::string &path,
                         const artifact::WeightBundle &bundle) {
  return writeAs(ArtifactKind::WeightBundle, path, bundle);
}
StatusOr<artifact::WeightBundle> readWeightBundle(const std::string &path) {
  return readAs<artifact::WeightBundle>(ArtifactKind::WeightBundle, path);
}

} // namespace goe::runtime
