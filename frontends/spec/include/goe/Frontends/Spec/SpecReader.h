//===- SpecReader.h - YAML spec to goe::spec::Spec --------------*- C++ -*-===//

#ifndef GOE_FRONTENDS_SPEC_SPECREADER_H
#define GOE_FRONTENDS_SPEC_SPECREADER_H

#include "goe/Frontends/Spec/Spec.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LogicalResult.h"

namespace goe::spec {

/// Variable overrides from the command line (`--var p=4`).
using VarOverrides = std::map<std::string, int64_t>;

/// Reads and checks the YAML spec in `text` (named `file` in messages).
/// Errors go to the context's diagnostic handler as `file:line:col: error:`.
mlir::FailureOr<Spec> readSpec(llvm::StringRef text, llvm::StringRef file,
                               const VarOverrides &overrides,
                               mlir::MLIRContext *context);

/// Reads the spec file at `path`; a missing or unreadable file is an error.
mlir::FailureOr<Spec> readSpecFile(llvm::StringRef path,
                                   const VarOverrides &overrides,
                                   mlir::MLIRContext *context);

} // namespace goe::spec

#endif // GOE_FRONTENDS_SPEC_SPECREADER_H
