//===- WeightsFuzz.cpp - fuzz target: the weight-bundle reader -----------===//
//
// A weights file (.goew, goe-train's output) given to goe-run --weights:
// its header and payload are read, then bound to real compiled models (the
// fixtures tiny.goe and batchnorm.goe, made by goe-compile at build time)
// as ModelOptions::weightsPath binds it: names, shapes, recipes (batch-norm
// folding, prepacking). A bundle that binds must leave a model that still
// passes the loader's validation; anything else must be an error.
//
// As in ArtifactFuzz.cpp, each input is also tried with its payload
// re-wrapped in a valid header, so mutations get past the checksum.
//
//===----------------------------------------------------------------------===//

#include "FuzzScratch.h"

#include "Program.h"
#include "goe/Runtime/Artifact.h"

#include <google/protobuf/stubs/logging.h>
#include "goe/Runtime/WeightBinding.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace goe::runtime;

namespace {

const std::vector<goe::artifact::Model> &fixtures() {
  static const std::vector<goe::artifact::Model> models = [] {
    std::vector<goe::artifact::Model> out;
    for (const char *name : {"tiny.goe", "batchnorm.goe"}) {
      StatusOr<goe::artifact::Model> model =
          readModel(std::string(GOE_FUZZ_FIXTURES) + "/" + name);
      if (!model.ok()) {
        std::fprintf(stderr, "fuzz fixture: %s\n", model.status().message().c_str());
        std::abort();
      }
      out.push_back(std::move(model).value());
    }
    return out;
  }();
  return models;
}

void bindBundle(std::string_view file) {
  StatusOr<goe::artifact::WeightBundle> bundle =
      parseWeightBundle(file, "fuzz.goew");
  if (!bundle.ok())
    return;
  for (const goe::artifact::Model &fixture : fixtures()) {
    goe::artifact::Model model = fixture;
    if (!bindWeightBundle(*bundle, model).ok())
      continue;
    if (!detail::buildProgram(model, nullptr).ok())
      std::abort(); // binding accepted weights the loader then refuses
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // Protobuf logs every invalid UTF-8 string it refuses; the refusal is
  // what matters, and the log would be most of the run's time.
  static bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  std::string_view file = goe::fuzz::asText(data, size);
  bindBundle(file);
  std::string_view magic = kWeightBundleMagic;
  std::string_view payload = file.substr(0, magic.size()) == magic
                                 ? file.substr(std::min(size, kHeaderSize))
                                 : file;
  bindBundle(encodeArtifact(ArtifactKind::WeightBundle, payload));
  return 0;
}
