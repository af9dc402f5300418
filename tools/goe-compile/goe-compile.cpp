//===- goe-compile.cpp - compile a goe graph spec -------------------------===//
//
//   goe-compile SPEC.yaml --emit=mlir [--var p=4] [--router latent] [-o FILE]
//   goe-compile SPEC.yaml --emit=paths
//
// A thin driver over the spec frontend and the pass library: errors come
// back as `file:line:col: error: ...` and a non-zero exit; output is written
// only when the whole compilation succeeded.
//
//===----------------------------------------------------------------------===//

#include "goe/Frontends/Spec/MLIRGen.h"
#include "goe/Frontends/Spec/SpecReader.h"
#include "goe/Passes/PathReport.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace {

enum class Emit { Mlir, Paths };

cl::OptionCategory category("goe-compile options");

cl::opt<std::string> specPath(cl::Positional, cl::Required,
                              cl::desc("<graph spec .yaml>"),
                              cl::cat(category));

cl::opt<Emit> emit(
    "emit", cl::desc("What to produce"), cl::init(Emit::Mlir),
    cl::values(clEnumValN(Emit::Mlir, "mlir",
                          "the verified goe module (MLIR text)"),
               clEnumValN(Emit::Paths, "paths",
                          "the routed paths with MACs per input")),
    cl::cat(category));

cl::list<std::string>
    vars("var", cl::desc("Override a spec variable: --var p=4 (repeatable)"),
         cl::value_desc("name=value"), cl::cat(category));

cl::list<std::string> routers(
    "router",
    cl::desc("Route with another declared router: --router latent, or "
             "--router node=latent when the graph has several router nodes"),
    cl::value_desc("[node=]router"), cl::cat(category));

cl::opt<std::string> outputPath("o", cl::desc("Output file (default: stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(category));

bool splitAssignment(StringRef text, StringRef &key, StringRef &value) {
  std::tie(key, value) = text.split('=');
  return !key.empty() && !value.empty() && text.contains('=');
}

int error(const Twine &message) {
  WithColor::error(errs(), "goe-compile") << message << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "goe-compile: compile a Graph-of-Experts spec (docs/spec.md)\n");

  goe::spec::VarOverrides overrides;
  for (const std::string &assignment : vars) {
    StringRef key, value;
    long long number;
    if (!splitAssignment(assignment, key, value) ||
        value.getAsInteger(10, number))
      return error("--var wants name=integer, got '" + assignment + "'");
    overrides[key.str()] = number;
  }
  goe::spec::BuildOptions options;
  for (const std::string &choice : routers) {
    StringRef node, router;
    if (splitAssignment(choice, node, router))
      options.routers[node.str()] = router.str();
    else
      options.routers[""] = choice;
  }

  mlir::DialectRegistry registry;
  goe::spec::registerSpecDialects(registry);
  mlir::MLIRContext context(registry);
  // Diagnostics as `file:line:col: error: ...` with the offending YAML line.
  SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  auto spec = goe::spec::readSpecFile(specPath, overrides, &context);
  if (failed(spec))
    return 1;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      goe::spec::buildModule(*spec, options, &context);
  if (!module)
    return 1;

  std::string text;
  raw_string_ostream os(text);
  if (emit == Emit::Paths) {
    if (failed(goe::printRoutedPaths(*module, os)))
      return 1;
  } else {
    // --mlir-print-debuginfo shows each op's spec file:line:col.
    module->print(os, mlir::OpPrintingFlags());
    os << "\n";
  }

  // Written only after everything succeeded; a failed write leaves nothing.
  std::error_code ec;
  ToolOutputFile output(outputPath, ec, sys::fs::OF_None);
  if (ec)
    return error("cannot write '" + outputPath + "': " + ec.message());
  output.os() << os.str();
  output.os().flush();
  if (output.os().has_error())
    return error("writing '" + outputPath + "' failed");
  output.keep();
  return 0;
}
