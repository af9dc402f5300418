//===- RouterKinds.h - one descriptor per router kind -----------*- C++ -*-===//
//
// Everything the compiler knows about a router kind, in one place: what it
// reads, whether it runs a body module and how that body's output must look,
// whether it picks more than one choice, its hyper-parameters with their
// defaults, and the learned state it carries. The spec reader, the graph
// plan, MLIRGen and the goe.router / goe.route verifiers all ask the
// descriptor; each kind is defined in dialect/lib/routers/<Kind>.cpp and
// spelled only in GoeDialect.td.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DIALECT_GOE_ROUTERKINDS_H
#define GOE_DIALECT_GOE_ROUTERKINDS_H

#include "goe/Dialect/Goe/GoeEnums.h"
#include "goe/Dialect/Goe/KindParams.h"

#include "llvm/ADT/ArrayRef.h"

namespace goe {

struct RouterKindInfo {
  /// What the router reads per sample.
  enum Input {
    Label,  // one i64 label (shape [])
    Float,  // a float tensor
    Any     // anything (only the batch size matters)
  };

  RouterKind kind;
  Input input;
  /// The spec field that names its body module ("gate", "encoder"); null
  /// when the kind runs no body.
  const char *bodyKey;
  /// Whether it may pick k > 1 of its choices (the spec's `k`).
  bool picksSeveral;
  /// Hyper-parameters (the body field excluded), with their defaults.
  std::vector<KindParam> params;
  /// The learned state it carries besides its body's weights; null if none.
  const char *state;
  /// Checks the body's single per-sample output, a logical (channels-first)
  /// shape; `body` names the body in the message. Returns the problem, ""
  /// when the output fits. Null when the kind runs no body.
  std::string (*checkBody)(int64_t choices, const ParamValues &params,
                           llvm::ArrayRef<int64_t> shape,
                           llvm::StringRef body);
  /// The shapes of that learned state, from the router's choices and
  /// parameters and its body's per-sample output (logical shape): the
  /// spec frontend counts them with the model's weights. Null when the
  /// kind has no state.
  std::vector<std::vector<int64_t>> (*stateShapes)(
      int64_t choices, const ParamValues &params,
      llvm::ArrayRef<int64_t> bodyOutput) = nullptr;
  /// Checks parameters against the router's choices (a fixed router's
  /// path); the problem, "" when they fit. Null when nothing to check.
  std::string (*checkParams)(int64_t choices,
                             const ParamValues &params) = nullptr;

  llvm::StringRef name() const { return stringifyRouterKind(kind); }
  bool hasBody() const { return bodyKey != nullptr; }
  /// Whether a per-sample input of this shape and element type is one the
  /// kind can read.
  bool accepts(llvm::ArrayRef<int64_t> shape, bool isInt) const;
  /// "one i64 label per input", "a float tensor", "any tensor".
  const char *inputText() const;
};

const RouterKindInfo &routerKindInfo(RouterKind kind);
/// The kind spelled `name`, or null.
const RouterKindInfo *findRouterKind(llvm::StringRef name);
/// "oracle, random, vqvae_hclust, topk", for messages.
std::string routerKindNames();

/// "[4, 8, 8]".
std::string printShape(llvm::ArrayRef<int64_t> shape);

} // namespace goe

#endif // GOE_DIALECT_GOE_ROUTERKINDS_H
