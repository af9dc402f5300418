//===- Program.h - a loaded model, resolved for execution -------*- C++ -*-===//
//
// The artifact names things by string and value id; the program replaces
// every name by an index and every id by a checked one, once, at load time,
// so that Session::run only executes and never looks anything up or finds a
// dangling reference halfway through a batch.
//
// Thread safety: immutable after buildProgram() and code binding, except the
// per-function atomic counters.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_LIB_PROGRAM_H
#define GOE_RUNTIME_LIB_PROGRAM_H

#include "goe/Runtime/NativeLibrary.h"
#include "goe/Runtime/Tensor.h"
#include "goe/Runtime/proto/artifact.pb.h"

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace goe::runtime::detail {

struct LoadedWeight {
  std::string name;
  Tensor tensor; // aligned copy of the artifact's bytes
};

struct LoadedFunction {
  std::string name;
  std::string symbol; // the full entry symbol, _mlir_ciface_ included
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
  std::vector<int> weights; // indices into Program::weights, argument order
  int64_t macs = 0;
  void *entry = nullptr; // bound after the code is loaded
  mutable std::atomic<uint64_t> calls{0};
  mutable std::atomic<uint64_t> samples{0};
};

class Router;   // routers/Router.h: one implementation per router kind
class Combiner; // combines/Combiner.h: one implementation per combine kind

/// What every router kind has; `rule` is its kind's implementation and
/// state (a seed, the latent tables).
struct LoadedRouter {
  std::string name;
  int64_t choices = 0;
  int64_t k = 0;
  int body = -1; // function index, for kinds that run a body
  std::shared_ptr<const Router> rule;
};

/// A value of the program: a batched tensor, or the routing a ROUTE made.
struct ValueInfo {
  bool defined = false;
  bool isRouting = false;
  TensorSpec spec; // tensors: the per-sample type
  int router = -1; // routings: which router
  int lastUse = -1; // index of the last step reading it
};

struct ProgramStep {
  artifact::Step::Kind kind = artifact::Step::CALL;
  int index = 0; // position in Model.steps, for messages
  std::vector<int> inputs;
  std::vector<int> outputs;
  int function = -1;                   // CALL
  int router = -1;                     // ROUTE
  int routing = -1;                    // DISPATCH / COMBINE: value id
  std::vector<std::vector<int>> paths; // DISPATCH: function chains
  std::shared_ptr<const Combiner> combine; // COMBINE
  std::string combineKind;             // COMBINE: "wbf", for profiles
  std::vector<int> perm;               // TRANSPOSE, batch included
  std::vector<int> release;            // values whose last read is this step
  int routeOrdinal = -1;               // ROUTE: index into RunResult::routes
  int dispatchOrdinal = -1;            // DISPATCH: index into ::dispatches
};

struct Program {
  std::string name;
  std::vector<std::string> inputNames;
  std::vector<TensorSpec> inputSpecs;
  std::vector<int> outputs; // value ids
  std::vector<TensorSpec> outputSpecs;
  std::vector<std::string> outputNames;
  std::vector<ValueInfo> values;
  std::vector<ProgramStep> steps;
  std::vector<std::unique_ptr<LoadedFunction>> functions;
  std::unordered_map<std::string, int> functionIndex;
  std::vector<LoadedRouter> routers;
  std::vector<LoadedWeight> weights;
  int numRoutes = 0;
  int numDispatches = 0;
  /// Owns the code `LoadedFunction::entry` points into.
  std::vector<std::unique_ptr<NativeLibrary>> libraries;
  /// Code objects for devices other than the host CPU ("cuda-sm_90"),
  /// loaded by a session created on that device (CudaDevice.h).
  std::vector<artifact::CodeObject> deviceCode;
  /// Whether every function's CPU entry point is bound.
  bool hasCpuCode = false;
};

/// Validates `model` (referential integrity, value ids, types along every
/// step, weight sizes) and resolves it. `overrides`, if given, supplies
/// weights by name in place of the artifact's. Code is not loaded here.
StatusOr<std::unique_ptr<Program>>
buildProgram(const artifact::Model &model,
             const artifact::WeightBundle *overrides);

/// Loads the model's cpu-x86_64 code objects and binds every function's
/// entry point; an error names the first missing symbol.
Status bindCode(const artifact::Model &model, Program &program);

} // namespace goe::runtime::detail

#endif // GOE_RUNTIME_LIB_PROGRAM_H
