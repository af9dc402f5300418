//===- goe-compile.cpp - compile a goe graph spec -------------------------===//
//
//   goe-compile SPEC.yaml [--weights W.goew | --seed N] -o MODEL.goe [--target=cpu|cuda|cpu,cuda]
//   goe-compile SPEC.yaml --emit=mlir|paths|llvm|ptx [--var p=4] [--router latent]
//
// A thin driver over the spec frontend and the pass library: errors come
// back as `file:line:col: error: ...` and a non-zero exit; output is written
// only when the whole compilation succeeded.
//
//===----------------------------------------------------------------------===//

#include "goe/Frontends/Spec/MLIRGen.h"
#include "goe/Frontends/Spec/SpecReader.h"
#include "goe/Compiler/ArtifactBuilder.h"
#include "goe/Compiler/CpuCodegen.h"
#include "goe/Passes/PathReport.h"
#include "goe/Passes/Pipelines.h"
#include "goe/Runtime/Artifact.h"

#include "mlir/Pass/PassManager.h"

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

enum class Emit { Auto, Mlir, Paths, Llvm, Ptx, Artifact };

cl::OptionCategory category("goe-compile options");

cl::opt<std::string> specPath(cl::Positional, cl::Required,
                              cl::desc("<graph spec .yaml>"),
                              cl::cat(category));

cl::opt<Emit> emit(
    "emit",
    cl::desc("What to produce (default: artifact with -o FILE.goe, else mlir)"),
    cl::init(Emit::Auto),
    cl::values(clEnumValN(Emit::Mlir, "mlir",
                          "the verified goe module (MLIR text)"),
               clEnumValN(Emit::Paths, "paths",
                          "the routed paths with MACs per input"),
               clEnumValN(Emit::Llvm, "llvm",
                          "the LLVM IR of every expert function (CPU)"),
               clEnumValN(Emit::Ptx, "ptx",
                          "the PTX of every expert function's kernels "
                          "(CUDA, sm_90)"),
               clEnumValN(Emit::Artifact, "artifact",
                          "a .goe model for the runtime (needs -o)")),
    cl::cat(category));

cl::opt<std::string> target(
    "target",
    cl::desc("Code to generate: cpu (default), cuda (PTX + sm_90 cubin, "
             "needs ptxas), or cpu,cuda"),
    cl::init("cpu"), cl::cat(category));

cl::opt<bool> ptxasVerbose(
    "ptxas-verbose",
    cl::desc("With --target=cuda: print ptxas -v's report (registers, "
             "shared memory, spills per kernel) to stderr"),
    cl::init(false), cl::cat(category));

cl::opt<std::string> weightsPath(
    "weights", cl::desc("Weights file (.goew) whose tensor names and shapes "
                        "match the spec's parameters"),
    cl::value_desc("file"), cl::cat(category));

cl::opt<uint64_t> seed(
    "seed",
    cl::desc("Without --weights: initialise weights at random from this "
             "seed (for tests and benchmarks; default 0)"),
    cl::init(0), cl::cat(category));

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
  goe::registerCodegenDialects(registry);
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

  Emit what = emit;
  if (what == Emit::Auto)
    what = StringRef(outputPath).ends_with(".goe") ? Emit::Artifact : Emit::Mlir;
  if (what == Emit::Artifact && outputPath == "-")
    return error("--emit=artifact needs an output file: -o MODEL.goe");
  goe::CompileOptions compileOptions;
  compileOptions.cpu = false;
  SmallVector<StringRef> targetNames;
  StringRef(target).split(targetNames, ',');
  for (StringRef name : targetNames) {
    if (name == "cpu")
      compileOptions.cpu = true;
    else if (name == "cuda")
      compileOptions.cuda = true;
    else
      return error("--target=" + target + ": unknown target '" + name +
                   "' (expected cpu, cuda or cpu,cuda)");
  }
  std::string ptxasReport;
  if (ptxasVerbose)
    compileOptions.cudaOptions.ptxasReport = &ptxasReport;
  if (!weightsPath.empty() && seed.getNumOccurrences())
    return error("give --weights or --seed, not both");

  std::string text;
  raw_string_ostream os(text);
  if (what == Emit::Artifact) {
    goe::WeightMap weights;
    if (!weightsPath.empty()) {
      auto bundle = goe::runtime::readWeightBundle(weightsPath);
      if (!bundle.ok())
        return error(bundle.status().message());
      auto bound = goe::bindWeights(*module, bundle.value());
      if (failed(bound))
        return 1;
      weights = std::move(*bound);
    } else {
      weights = goe::randomWeights(*module, seed);
    }
    auto model = goe::buildArtifact(*module, weights, compileOptions);
    if (failed(model))
      return 1;
    if (ptxasVerbose)
      errs() << ptxasReport;
    // writeModel is atomic: a failure leaves no partial file.
    goe::runtime::Status status = goe::runtime::writeModel(outputPath, *model);
    if (!status.ok())
      return error(status.message());
    return 0;
  }
  if (what == Emit::Paths) {
    if (failed(goe::printRoutedPaths(*module, os)))
      return 1;
  } else if (what == Emit::Llvm) {
    mlir::PassManager pm(&context);
    goe::buildCpuLoweringPipeline(pm);
    if (failed(pm.run(*module)))
      return 1;
    auto ir = goe::translateToLLVMIR(*module);
    if (failed(ir))
      return 1;
    os << *ir;
  } else if (what == Emit::Ptx) {
    auto ptx = goe::lowerToPtx(*module, compileOptions.cudaOptions);
    if (failed(ptx))
      return 1;
    os << *ptx;
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
