//===- SpecFuzz.cpp - fuzz target: YAML spec text to a verified module ---===//
//
// Runs the `frontend` stage on arbitrary text: the spec reader (YAML,
// fields, expressions), shape inference, MLIR generation and the verifier;
// exactly what the compile library's buildFrontend (Compile.h) calls, with
// the frontend's dialects only, so the target needs no back end. Any input must end in a module or in diagnostics; a crash,
// a sanitizer report or a hang is a bug. Diagnostics are dropped (the lit
// spec-errors tests check their wording).
//
//===----------------------------------------------------------------------===//

#include "FuzzScratch.h"

#include "goe/Frontends/Spec/MLIRGen.h"
#include "goe/Frontends/Spec/SpecReader.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry();
    goe::spec::registerSpecDialects(*r);
    return r;
  }();
  // A context per input: types and attributes interned by one input do not
  // pile up over millions of runs, and no state leaks between inputs.
  mlir::MLIRContext context(*registry, mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler quiet(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  mlir::FailureOr<goe::spec::Spec> spec = goe::spec::readSpec(
      goe::fuzz::asText(data, size), "fuzz.yaml", {}, &context);
  if (mlir::failed(spec))
    return 0;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      goe::spec::buildModule(*spec, {}, &context);
  (void)module;
  return 0;
}
