//===- TestUtil.h - helpers shared by the unit tests ------------*- C++ -*-===//

#ifndef GOE_TESTS_UNIT_TESTUTIL_H
#define GOE_TESTS_UNIT_TESTUTIL_H

#include "goe/Frontends/Spec/MLIRGen.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <string>
#include <vector>

namespace goe::test {

/// An MLIR context with the spec dialects that records every diagnostic as
/// "line:col: message" instead of printing it.
class Context {
public:
  Context() : context(makeRegistry()) {
    handler = context.getDiagEngine().registerHandler(
        [this](mlir::Diagnostic &diag) {
          std::string text;
          if (auto loc = mlir::dyn_cast<mlir::FileLineColLoc>(diag.getLocation()))
            text = std::to_string(loc.getLine()) + ":" +
                   std::to_string(loc.getColumn()) + ": ";
          errors.push_back(text + diag.str());
          return mlir::success();
        });
  }
  ~Context() { context.getDiagEngine().eraseHandler(handler); }

  mlir::MLIRContext *get() { return &context; }
  std::string lastError() const { return errors.empty() ? "" : errors.back(); }
  std::vector<std::string> errors;

private:
  static mlir::DialectRegistry makeRegistry() {
    mlir::DialectRegistry registry;
    goe::spec::registerSpecDialects(registry);
    return registry;
  }
  mlir::MLIRContext context;
  mlir::DiagnosticEngine::HandlerID handler;
};

} // namespace goe::test

#endif // GOE_TESTS_UNIT_TESTUTIL_H
