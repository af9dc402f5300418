//===- _goe_compiler.cpp - the goe compile library as a Python extension --===//
//
// pybind11 over the compile library (goe/Compiler/Compile.h) and the path
// report (goe/Passes/PathReport.h): goe.compile and goe.paths. A module of
// its own, separate from _goe (the runtime), so that `import goe` does not
// load MLIR and LLVM; goe/compiler.py imports it on first use. Both link the
// shared runtime library, the one owner of the artifact format in a process.
//
// Compiler errors (MLIR diagnostics, `file:line:col: error: ...` for the
// spec) are collected and raised as goe._goe_compiler.Error(message). The
// GIL is released while compiling.
//
//===----------------------------------------------------------------------===//

#include "goe/Compiler/Compile.h"
#include "goe/Passes/PathReport.h"
#include "goe/Runtime/Artifact.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace py = pybind11;

namespace {

struct CompileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Where the spec comes from and how to adjust it (goe-compile's SPEC,
/// --var and --router).
struct SpecSource {
  std::string spec;  // a path, or YAML text when isText
  bool isText = false;
  std::map<std::string, int64_t> vars;
  std::map<std::string, std::string> routers; // "" for the only router node
};

/// An MLIR context whose diagnostics are collected as text, and the
/// frontend stage of a spec built in it.
class Frontend {
public:
  Frontend() : context_(registry()), handler_(sourceMgr_, &context_, os_) {
    // The message, not a dump of the module it was reported on.
    context_.printOpOnDiagnostic(false);
  }

  mlir::ModuleOp build(const SpecSource &source) {
    goe::spec::BuildOptions build;
    build.routers = source.routers;
    if (source.isText) {
      auto spec = goe::spec::readSpec(source.spec, "<spec>", source.vars, &context_);
      if (succeeded(spec))
        module_ = goe::buildFrontend(*spec, build, &context_);
    } else {
      module_ = goe::buildFrontend(source.spec, source.vars, build, &context_);
    }
    if (!module_)
      fail("cannot build the spec");
    return *module_;
  }

  /// Throws the diagnostics reported so far (or `fallback` if there are
  /// none).
  [[noreturn]] void fail(const std::string &fallback) {
    std::string message = os_.str();
    while (!message.empty() && message.back() == '\n')
      message.pop_back();
    throw CompileError(message.empty() ? fallback : message);
  }

private:
  static mlir::DialectRegistry registry() {
    mlir::DialectRegistry registry;
    goe::registerCompileDialects(registry);
    return registry;
  }

  mlir::MLIRContext context_;
  llvm::SourceMgr sourceMgr_;
  std::string text_;
  llvm::raw_string_ostream os_{text_};
  mlir::SourceMgrDiagnosticHandler handler_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
};

using WeightArrays =
    std::map<std::string, py::array_t<float, py::array::c_style | py::array::forcecast>>;

/// Arrays by name -> a weight bundle, checked against the module as a
/// weights file is (bindWeights: every weight, by name and shape).
goe::artifact::WeightBundle bundleOf(const WeightArrays &arrays) {
  goe::artifact::WeightBundle bundle;
  for (const auto &[name, array] : arrays) {
    goe::artifact::Tensor *tensor = bundle.add_tensors();
    tensor->set_name(name);
    tensor->set_dtype(goe::artifact::F32);
    for (py::ssize_t d = 0; d < array.ndim(); ++d)
      tensor->add_shape(array.shape(d));
    tensor->set_data(array.data(), array.nbytes());
  }
  return bundle;
}

/// goe.compile: the artifact's bytes, or None after writing `output`.
py::object compile(const SpecSource &source, std::optional<std::string> weightsPath,
                   std::optional<WeightArrays> weightArrays, uint64_t seed,
                   const std::vector<std::string> &targetNames, const std::string &cpu,
                   std::optional<std::string> output) {
  std::optional<goe::artifact::WeightBundle> bundle;
  if (weightArrays)
    bundle = bundleOf(*weightArrays);
  std::string bytes;
  {
    py::gil_scoped_release release;
    Frontend frontend;
    mlir::ModuleOp module = frontend.build(source);
    goe::CompileOptions options;
    for (const std::string &name : targetNames) {
      auto target = goe::createTarget(name, {{"cpu", cpu}});
      if (!target)
        throw CompileError(llvm::toString(target.takeError()));
      options.targets.push_back(*target);
    }
    goe::WeightSource weights = goe::WeightSource::random(seed);
    if (weightsPath) {
      weights = goe::WeightSource::file(*weightsPath);
    } else if (bundle) {
      auto bound = goe::bindWeights(module, *bundle);
      if (failed(bound))
        frontend.fail("the weights do not fit the spec");
      weights = goe::WeightSource::given(std::move(*bound));
    }
    auto model = goe::compile(module, weights, options);
    if (failed(model))
      frontend.fail("compilation failed");
    if (output) {
      // Atomic: on failure nothing is left under `output`.
      goe::runtime::Status status = goe::runtime::writeModel(*output, *model);
      if (!status.ok())
        throw CompileError(status.message());
    } else {
      auto serialized = goe::runtime::serializeModel(*model);
      if (!serialized.ok())
        throw CompileError(serialized.status().message());
      bytes = std::move(serialized.value());
    }
  }
  if (output)
    return py::none();
  return py::bytes(bytes);
}

const char *kindName(goe::PathReportStep::Kind kind) {
  switch (kind) {
  case goe::PathReportStep::Kind::Shared:
    return "shared";
  case goe::PathReportStep::Kind::Router:
    return "router";
  case goe::PathReportStep::Kind::Dispatch:
    return "dispatch";
  case goe::PathReportStep::Kind::Combine:
    return "combine";
  }
  return "unknown";
}

/// goe.paths: the path report (PathReport.h) as dicts and lists.
py::dict paths(const SpecSource &source) {
  goe::PathReport report;
  {
    py::gil_scoped_release release;
    Frontend frontend;
    mlir::ModuleOp module = frontend.build(source);
    auto built = goe::reportRoutedPaths(module);
    if (failed(built))
      frontend.fail("cannot report the routed paths");
    report = std::move(*built);
  }
  py::list steps;
  for (const goe::PathReportStep &step : report.steps) {
    py::dict entry;
    entry["kind"] = kindName(step.kind);
    entry["name"] = step.name;
    entry["macs"] = step.macs;
    if (step.kind == goe::PathReportStep::Kind::Router) {
      entry["router_kind"] = step.routerKind;
      entry["body"] = step.body;
      entry["k"] = step.k;
      entry["choices"] = step.choices;
      entry["search_macs"] = step.searchMacs;
    }
    if (step.kind == goe::PathReportStep::Kind::Dispatch) {
      entry["k"] = step.k;
      py::list paths;
      for (const goe::RoutedPath &path : step.paths) {
        py::dict p;
        p["functions"] = path.functions;
        p["macs"] = path.macs;
        paths.append(p);
      }
      entry["paths"] = paths;
    }
    steps.append(entry);
  }
  py::dict out;
  out["graph"] = report.graph;
  out["steps"] = steps;
  out["every_input_macs"] = report.everyInputMacs;
  out["routed_macs"] = report.routedMacs;
  return out;
}

SpecSource specSource(std::string spec, bool isText, std::map<std::string, int64_t> vars,
                      std::map<std::string, std::string> routers) {
  return {std::move(spec), isText, std::move(vars), std::move(routers)};
}

} // namespace

PYBIND11_MODULE(_goe_compiler, m) {
  m.doc() = "goe's compile library (use goe.compile and goe.paths instead)";
  static py::exception<CompileError> error(m, "Error", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const CompileError &e) {
      PyErr_SetString(error.ptr(), e.what());
    }
  });
  m.def(
      "compile",
      [](std::string spec, bool isText, std::map<std::string, int64_t> vars,
         std::map<std::string, std::string> routers,
         std::optional<std::string> weightsPath, std::optional<WeightArrays> weightArrays,
         uint64_t seed, std::vector<std::string> targets, std::string cpu,
         std::optional<std::string> output) {
        return compile(specSource(spec, isText, vars, routers), weightsPath, weightArrays,
                       seed, targets, cpu, output);
      },
      py::arg("spec"), py::arg("is_text"), py::arg("vars"), py::arg("routers"),
      py::arg("weights_path"), py::arg("weight_arrays"), py::arg("seed"),
      py::arg("targets"), py::arg("cpu"), py::arg("output"));
  m.def(
      "paths",
      [](std::string spec, bool isText, std::map<std::string, int64_t> vars,
         std::map<std::string, std::string> routers) {
        return paths(specSource(spec, isText, vars, routers));
      },
      py::arg("spec"), py::arg("is_text"), py::arg("vars"), py::arg("routers"));
}
