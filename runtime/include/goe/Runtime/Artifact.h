//===- Artifact.h - reading and writing goe artifact files ------*- C++ -*-===//
//
// A goe file is a 28-byte header followed by a serialized protobuf payload
// (see runtime/proto/artifact.proto for the layout). The header is checked
// before the payload is parsed so that a truncated, bit-flipped, foreign or
// newer file is rejected with a message that says which, never half-parsed.
//
// Both the compiler (which writes) and the runtime (which reads) use these
// functions; they depend on Protobuf only.
//
// Thread safety: all functions are reentrant.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_ARTIFACT_H
#define GOE_RUNTIME_ARTIFACT_H

#include "goe/Runtime/Status.h"
#include "goe/Runtime/proto/artifact.pb.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace goe::runtime {

/// The header format versions this runtime writes and reads, one per kind
/// of file. Bump one when a change to its payload could make an old reader
/// misinterpret a new file (new fields that old readers may ignore do not
/// need a bump). Models: 2 since router and combine kinds are typed
/// messages, weight recipes let goe-run --weights rebind every weight, and
/// CodeObject holds a CpuCode (with the CPU features the code needs) or a
/// CudaCode (artifact.proto). Weight bundles: 1.
inline constexpr uint32_t kFormatVersion = 2;
inline constexpr uint32_t kWeightBundleFormatVersion = 1;
inline constexpr size_t kHeaderSize = 28;
inline constexpr std::string_view kModelMagic = "GOEMODEL";
inline constexpr std::string_view kWeightBundleMagic = "GOEWEIGH";

/// What a file holds: selects the magic and the words used in messages.
enum class ArtifactKind { Model, WeightBundle };

/// Header + payload bytes for `payload`.
std::string encodeArtifact(ArtifactKind kind, std::string_view payload);

/// Checks the header of `file` (the whole file's bytes) and returns a view
/// of its payload (into `file`). `source` names the file in messages. Errors
/// (all say `source`): wrong magic -> InvalidArgument "not a goe model";
/// other version -> FailedPrecondition "format version 7, this runtime reads
/// 2" (for a model: "recompile it with goe-compile"); short -> DataLoss "truncated"; checksum or trailing bytes -> DataLoss
/// "corrupt".
StatusOr<std::string_view> decodeArtifact(ArtifactKind kind,
                                          std::string_view file,
                                          const std::string &source);

/// Serialize / parse whole files in memory (header included).
StatusOr<std::string> serializeModel(const artifact::Model &model);
StatusOr<artifact::Model> parseModel(std::string_view file,
                                     const std::string &source = "<memory>");
StatusOr<std::string> serializeWeightBundle(const artifact::WeightBundle &b);
StatusOr<artifact::WeightBundle>
parseWeightBundle(std::string_view file,
                  const std::string &source = "<memory>");

/// Files. Writes are atomic (temporary file in the same directory, then
/// rename): on failure nothing half-written is left under `path`.
Status writeModel(const std::string &path, const artifact::Model &model);
StatusOr<artifact::Model> readModel(const std::string &path);
Status writeWeightBundle(const std::string &path,
                         const artifact::WeightBundle &bundle);
StatusOr<artifact::WeightBundle> readWeightBundle(const std::string &path);

} // namespace goe::runtime

#endif // GOE_RUNTIME_ARTIFACT_H
