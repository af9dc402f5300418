//===- goe-compile.cpp - compile a goe graph spec -------------------------===//
//
//   goe-compile SPEC.yaml [--weights W.goew | --seed N] -o MODEL.goe
//               [--target=cpu|cuda|cpu,cuda] [--cpu=native|x86-64-v3|...]
//   goe-compile SPEC.yaml --emit=mlir|paths|<stage> [--var p=4] [--router latent]
//
// Argument parsing over the compile library (goe/Compiler/Compile.h):
// errors come back as `file:line:col: error: ...` and a non-zero exit;
// output is written only when the whole compilation succeeded.
//
//===----------------------------------------------------------------------===//

#include "goe/Compiler/Compile.h"
#include "goe/Passes/PathReport.h"
#include "goe/Runtime/Artifact.h"
#include "goe/Runtime/InterruptCleanup.h"
#include "goe/Runtime/QuoteText.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace {

cl::OptionCategory category("goe-compile options");

cl::opt<std::string> specPath(cl::Positional, cl::Required,
                              cl::desc("<graph spec .yaml>"),
                              cl::cat(category));

const std::string &emitHelp() {
  static const std::string help = [] {
    std::string text =
        "What to produce: artifact (a .goe model, needs -o; the default with "
        "-o FILE.goe), mlir (the frontend stage; the default otherwise), "
        "paths (the routed paths with MACs per input, and what each target "
        "compiles for), or a stage of the compile pipeline: ";
    std::string stages;
    for (const goe::PipelineStage &stage : goe::pipelineStages())
      stages += (stages.empty() ? "" : ", ") + stage.name +
                (stage.targets.empty()
                     ? ""
                     : " (" + join(stage.targets, ", ") + ")");
    return text + stages;
  }();
  return help;
}

cl::opt<std::string> emit("emit", cl::desc(emitHelp()),
                          cl::value_desc("what"), cl::cat(category));

const std::string &targetHelp() {
  static const std::string help = [] {
    std::string text = "Code to generate, comma-separated (default cpu):";
    for (const goe::TargetKind &kind : goe::targetKinds())
      text += " " + kind.name + ": " + kind.description + ";";
    return text;
  }();
  return help;
}

cl::opt<std::string> target("target", cl::desc(targetHelp()), cl::init("cpu"),
                            cl::cat(category));

cl::opt<std::string> cpu(
    "cpu",
    cl::desc("The CPU the cpu target compiles for: native (this machine, "
             "the default), or an x86-64 level every CPU of it runs: "
             "x86-64, x86-64-v2, x86-64-v3 (AVX2, FMA), x86-64-v4 (AVX-512). "
             "The artifact records the features its code needs"),
    cl::init("native"), cl::cat(category));

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

/// A name a compiled model or weights file would have: writing MLIR text
/// there would leave a "model" that no tool can load.
bool looksLikeArtifact(StringRef path) {
  return path.ends_with(".goe") || path.ends_with(".goew") ||
         path.ends_with(".model");
}

bool splitAssignment(StringRef text, StringRef &key, StringRef &value) {
  std::tie(key, value) = text.split('=');
  return !key.empty() && !value.empty() && text.contains('=');
}

int error(const Twine &message) {
  WithColor::error(errs(), "goe-compile") << message << "\n";
  return 1;
}

/// The targets --target names, with --cpu. For a target's stage, the one
/// of them that has it; without --target, the target that has it
/// (--emit=ptx).
Expected<std::vector<std::shared_ptr<const goe::Target>>>
chooseTargets(const goe::PipelineStage *stage) {
  std::vector<std::string> known;
  for (const goe::TargetKind &kind : goe::targetKinds())
    known.push_back(kind.name);
  SmallVector<StringRef> names;
  StringRef(target).split(names, ',');
  for (StringRef name : names)
    if (!llvm::is_contained(known, name))
      return createStringError(
          "--target=" + goe::runtime::escapeText(target) + ": unknown target " +
          goe::runtime::quoteText(name) + " (expected " + join(known, ", ") +
          " or " + join(known, ",") + ")");
  if (cpu.getNumOccurrences() && !llvm::is_contained(names, "cpu"))
    return createStringError("--cpu applies to the cpu target, and "
                             "--target=" + target + " has none");
  if (stage && !stage->targets.empty()) {
    SmallVector<StringRef> owners;
    for (StringRef name : names)
      if (llvm::is_contained(stage->targets, name))
        owners.push_back(name);
    if (owners.empty() && !target.getNumOccurrences() &&
        stage->targets.size() == 1)
      owners.push_back(stage->targets.front());
    if (owners.empty())
      return createStringError("--emit=" + stage->name +
                               ": not a stage of --target=" + target);
    if (owners.size() > 1)
      return createStringError("--emit=" + stage->name +
                               ": every target of --target=" + target +
                               " has that stage; give one target");
    names = owners;
  }
  std::vector<std::shared_ptr<const goe::Target>> targets;
  for (StringRef name : names) {
    auto created = goe::createTarget(name, {{"cpu", cpu}});
    if (!created)
      return created.takeError();
    targets.push_back(*created);
  }
  return targets;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  // After InitLLVM, whose handler (removing its own output files) then runs
  // after goe's: an interrupted compile leaves no temporary files.
  goe::runtime::installInterruptCleanup();
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
      return error("--var wants name=integer, got " +
                   goe::runtime::quoteText(assignment));
    overrides[key.str()] = number;
  }
  goe::spec::BuildOptions build;
  for (const std::string &choice : routers) {
    StringRef node, router;
    if (splitAssignment(choice, node, router))
      build.routers[node.str()] = router.str();
    else
      build.routers[""] = choice;
  }

  std::string what = emit;
  if (what.empty())
    what = StringRef(outputPath).ends_with(".goe") ? "artifact" : "mlir";
  if (what == "mlir")
    what = "frontend";
  std::vector<goe::PipelineStage> stages = goe::pipelineStages();
  auto stage = llvm::find_if(stages, [&](const goe::PipelineStage &known) {
    return known.name == what;
  });
  bool isStage = stage != stages.end();
  if (!isStage && what != "paths" && what != "artifact") {
    std::string expected = "mlir, paths, artifact";
    for (const goe::PipelineStage &stage : stages)
      expected += ", " + stage.name;
    return error("--emit=" + goe::runtime::escapeText(what) +
                 ": unknown (expected one of " + expected + ")");
  }
  if (what == "artifact" && outputPath == "-")
    return error("--emit=artifact needs an output file: -o MODEL.goe");
  if (what != "artifact" && looksLikeArtifact(outputPath)) {
    std::string output = goe::runtime::quoteText(outputPath);
    std::string text = what == "paths" ? "the routed paths as text"
                                       : "MLIR text (stage '" + what + "')";
    if (emit.empty())
      return error("-o " + output +
                   " names a model file, but without --emit "
                   "only a name ending in .goe gets the compiled artifact; "
                   "give --emit=artifact to write the artifact there, or "
                   "name it MODEL.goe");
    return error("--emit=" + emit + " writes " + text + ", but -o " + output +
                 " names a model file; write the text to another name "
                 "(e.g. .mlir), or give --emit=artifact");
  }
  auto targets = chooseTargets(isStage ? &*stage : nullptr);
  if (!targets)
    return error(toString(targets.takeError()));
  goe::CompileOptions options;
  options.targets = std::move(*targets);
  if (ptxasVerbose)
    options.report = &errs();
  if (!weightsPath.empty() && seed.getNumOccurrences())
    return error("give --weights or --seed, not both");
  goe::WeightSource weights = weightsPath.empty()
                                  ? goe::WeightSource::random(seed)
                                  : goe::WeightSource::file(weightsPath);

  mlir::DialectRegistry registry;
  goe::registerCompileDialects(registry);
  mlir::MLIRContext context(registry);
  // Diagnostics as `file:line:col: error: ...` with the offending YAML line.
  SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      goe::buildFrontend(specPath, overrides, build, &context);
  if (!module)
    return 1;

  std::string text;
  raw_string_ostream os(text);
  if (what == "artifact") {
    auto model = goe::compile(*module, weights, options);
    if (failed(model))
      return 1;
    // writeModel is atomic: a failure leaves no partial file.
    goe::runtime::Status status = goe::runtime::writeModel(outputPath, *model);
    if (!status.ok())
      return error(status.message());
    return 0;
  }
  if (what == "paths") {
    if (failed(goe::printRoutedPaths(*module, os)))
      return 1;
    for (const auto &t : options.targets)
      os << "  target   " << t->describe() << "\n";
  } else {
    // --mlir-print-debuginfo shows each op's spec file:line:col.
    auto output = goe::emitStage(*module, weights, options, what);
    if (failed(output))
      return 1;
    os << *output;
  }

  // Written only after everything succeeded; a failed write leaves nothing.
  std::error_code ec;
  ToolOutputFile output(outputPath, ec, sys::fs::OF_None);
  if (ec)
    return error("cannot write " + goe::runtime::quoteText(outputPath) + ": " +
                 ec.message());
  output.os() << os.str();
  output.os().flush();
  if (output.os().has_error())
    return error("writing " + goe::runtime::quoteText(outputPath) + " failed");
  output.keep();
  return 0;
}
