//===- Model.h - a loaded, validated, executable artifact -------*- C++ -*-===//
//
// Loading does all the work that can fail before serving starts: the header
// and checksum, referential integrity (every step's functions, routers,
// weights and value ids exist; weight sizes match their shapes; types agree
// along every step and path), the native code, and every entry symbol.
//
// Ownership: loaders return std::shared_ptr<const Model>; sessions keep a
// reference, so a model lives as long as its last session.
//
// Thread safety: a loaded Model is immutable except for its per-function
// execution counters, which are atomics. It may be shared by any number of
// sessions and threads.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_MODEL_H
#define GOE_RUNTIME_MODEL_H

#include "goe/Runtime/Status.h"
#include "goe/Runtime/Tensor.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace goe::artifact {
class Model;
} // namespace goe::artifact

namespace goe::runtime {

namespace detail {
struct Program;
} // namespace detail

struct ModelOptions {
  /// Optional weights file (a "GOEWEIGH" WeightBundle, e.g. goe-train's
  /// output), bound as goe-compile --weights binds it (WeightBinding.h): it
  /// holds every weight the spec declares, by the spec's names and shapes,
  /// and nothing else but latent router tables; every stored weight is made
  /// from it (batch-norms folded, layouts prepacked, by the compiler's
  /// code). A file that does not fit is refused, listing what is missing,
  /// misshapen or unknown; the artifact's weights are never half replaced.
  std::string weightsPath;
};

/// How often a function ran: `calls` invocations on `samples` samples in
/// total. A path's functions run once per call on the group routed to it,
/// so these show which code ran on how much data.
struct FunctionStats {
  std::string name;
  uint64_t calls = 0;
  uint64_t samples = 0;
};

class Model {
public:
  /// Reads, validates and loads the artifact at `path`.
  static StatusOr<std::shared_ptr<const Model>>
  load(const std::string &path, const ModelOptions &options = {});
  /// The same from the bytes of a whole artifact file (header included).
  static StatusOr<std::shared_ptr<const Model>>
  loadFromMemory(std::string_view file, const ModelOptions &options = {},
                 const std::string &source = "<memory>");
  /// The same from an already parsed message (no header to check).
  static StatusOr<std::shared_ptr<const Model>>
  fromProto(const artifact::Model &model, const ModelOptions &options = {});

  ~Model();
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  const std::string &name() const;

  /// Graph inputs: names and per-sample types (batch left out).
  size_t numInputs() const;
  const std::string &inputName(size_t index) const;
  const TensorSpec &inputSpec(size_t index) const;

  /// Graph outputs: per-sample types, in the order Session::run returns them.
  size_t numOutputs() const;
  const TensorSpec &outputSpec(size_t index) const;
  /// The spec's name of output `index` ("logits"); "output<i>" for an
  /// artifact that does not name its outputs.
  const std::string &outputName(size_t index) const;

  /// Cumulative counters since load (or the last reset). NotFound for an
  /// unknown function name.
  StatusOr<FunctionStats> functionStats(const std::string &function) const;
  std::vector<FunctionStats> allFunctionStats() const;
  /// Zeroes the counters. Runs in flight may still add to them.
  void resetFunctionStats() const;

  /// For the Session; not part of the stable API.
  const detail::Program &program() const { return *program_; }

private:
  explicit Model(std::unique_ptr<detail::Program> program);
  std::unique_ptr<detail::Program> program_;
};

} // namespace goe::runtime

#endif // GOE_RUNTIME_MODEL_H
