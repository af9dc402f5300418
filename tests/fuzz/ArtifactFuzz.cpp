//===- ArtifactFuzz.cpp - fuzz target: the artifact loader ---------------===//
//
// The loader's checks on arbitrary bytes: the header (magic, version,
// length, checksum), the protobuf payload, then everything Model::load
// validates before it maps code (ProgramBuilder: referential integrity,
// value ids, types along every step and path, weight sizes, routers,
// combines). Loading the code objects themselves is left out: a model's
// code is trusted once its checksum matches, and dlopen of random ELF
// bytes tests glibc, not goe.
//
// A mutated file almost never keeps its checksum, which would stop the
// fuzzer at the header. So each input is tried twice: as the whole file,
// and with its payload (the bytes after the header of a file, or the input
// itself) re-wrapped in a valid header.
//
//===----------------------------------------------------------------------===//

#include "FuzzScratch.h"

#include "Program.h"
#include "goe/Runtime/Artifact.h"

#include <google/protobuf/stubs/logging.h>

using namespace goe::runtime;

namespace {

void load(std::string_view file) {
  StatusOr<goe::artifact::Model> model = parseModel(file, "fuzz.goe");
  if (!model.ok())
    return;
  StatusOr<std::unique_ptr<detail::Program>> program =
      detail::buildProgram(*model, nullptr);
  (void)program;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // Protobuf logs every invalid UTF-8 string it refuses; the refusal is
  // what matters, and the log would be most of the run's time.
  static bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  std::string_view file = goe::fuzz::asText(data, size);
  load(file);
  std::string_view payload = file.substr(0, kModelMagic.size()) == kModelMagic
                                 ? file.substr(std::min(size, kHeaderSize))
                                 : file;
  load(encodeArtifact(ArtifactKind::Model, payload));
  return 0;
}
