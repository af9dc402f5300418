//===- WeightImport.cpp - list a spec's weights; import them from PyTorch -===//
//
// See WeightImport.h.
//
//===----------------------------------------------------------------------===//

#include "WeightImport.h"

#include "goe/Dialect/Goe/RouterKinds.h"
#include "goe/Frontends/Spec/MLIRGen.h"
#include "goe/Frontends/Spec/SpecReader.h"
#include "goe/Frontends/Torch/TorchModel.h"
#include "goe/Frontends/Torch/TorchScriptImport.h"
#include "goe/Runtime/Artifact.h"
#include "goe/Runtime/Tensor.h"
#include "goe/Runtime/QuoteText.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"

#include <cinttypes>
#include <cstdio>
#include <memory>
#include <set>

namespace goe::train {
namespace {

using runtime::Status;

/// The spec's expected weights: every parameter and buffer of its LibTorch
/// model under --router, plus a vqvae_hclust router's tables, which are
/// learned outside the network (k-means) but stored beside its weights.
struct ExpectedWeights {
  torchref::WeightShapes shapes;
  /// Encoders of declared routers the graph does not route with: the
  /// compiled graph holds them but never runs them.
  torchref::WeightShapes idle;
  std::string specName;
};

Status expectedWeights(const ImportOptions &options, ExpectedWeights &out) {
  mlir::DialectRegistry registry;
  spec::registerSpecDialects(registry);
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  auto spec = spec::readSpecFile(options.specPath, options.vars, &context);
  if (mlir::failed(spec))
    return runtime::invalidArgument("cannot read the spec '" +
                                    options.specPath + "'");
  const spec::Router *router = nullptr;
  torchref::BuildOptions buildOptions;
  if (!options.router.empty()) {
    router = spec->findRouter(options.router);
    if (!router) {
      std::string declared;
      for (const spec::Router &r : spec->routers)
        declared += (declared.empty() ? "" : ", ") + r.name;
      return runtime::invalidArgument(
          "--router " + options.router +
          ": the spec declares no router of that name (it declares " +
          (declared.empty() ? std::string("none") : declared) + ")");
    }
    buildOptions.routers[""] = options.router;
  }
  std::unique_ptr<torchref::Model> model =
      torchref::Model::build(*spec, buildOptions, &context);
  if (!model)
    return runtime::invalidArgument("cannot build the model of '" +
                                    options.specPath + "'");
  out.specName = spec->name;
  out.shapes = model->parameterShapes();
  std::set<std::string> routing; // the routers the graph routes with
  if (router)
    routing.insert(router->name);
  else
    for (const spec::Node &node : spec->graph)
      if (node.kind == spec::Node::RouterNode)
        routing.insert(node.target);
  for (const spec::Router &declared : spec->routers) {
    if (routing.count(declared.name) || declared.body.empty())
      continue;
    std::string prefix = declared.name + "." + declared.body + ".";
    for (auto it = out.shapes.begin(); it != out.shapes.end();) {
      if (it->first.rfind(prefix, 0) == 0) {
        out.idle.insert(*it);
        it = out.shapes.erase(it);
      } else {
        ++it;
      }
    }
  }
  const RouterKindInfo *kind = router ? findRouterKind(router->kind) : nullptr;
  if (kind && kind->kind == RouterKind::VqvaeHclust) {
    int64_t codes = router->params.at("codes").i;
    int64_t codeDim = router->params.at("code_dim").i;
    std::vector<std::vector<int64_t>> latent =
        model->instanceOutputShapes(router->name + "." + router->body);
    if (latent.size() != 1 || latent[0].size() != 3)
      return runtime::invalidArgument("router '" + router->name +
                                      "': its encoder's output is not one "
                                      "[code_dim, H, W] tensor");
    int64_t positions = latent[0][1] * latent[0][2];
    out.shapes[router->name + ".codebook"] = {codes, codeDim};
    out.shapes[router->name + ".centres"] = {router->choices,
                                             positions * codeDim};
  }
  return runtime::okStatus();
}


void printList(const char *what, const std::vector<std::string> &names) {
  if (!names.empty())
    std::printf("note: %s %zu: %s\n", what, names.size(),
                runtime::nameList(names).c_str());
}

} // namespace

Status listWeights(const ImportOptions &options) {
  ExpectedWeights expected;
  GOE_RETURN_IF_ERROR(expectedWeights(options, expected));
  for (const auto &[name, shape] : expected.shapes)
    std::printf("%s %s\n", name.c_str(), runtime::shapeToString(shape).c_str());
  for (const auto &[name, shape] : expected.idle)
    std::printf("%s %s (not run by this graph: optional, zeros if absent)\n",
                name.c_str(), runtime::shapeToString(shape).c_str());
  return runtime::okStatus();
}

Status importTorchScriptWeights(const ImportOptions &options) {
  if (options.out.empty())
    return runtime::invalidArgument(
        "--import-torchscript needs --out W.goew (the weights file to write)");
  ExpectedWeights expected;
  GOE_RETURN_IF_ERROR(expectedWeights(options, expected));
  auto imported = torchref::importTorchScript(options.importTorchScript,
                                              expected.shapes, expected.idle);
  if (!imported.ok())
    return imported.status();
  printList("ignored tensors the spec does not use,", imported->ignored);
  printList("converted to f32,", imported->converted);
  printList("zeros for weights this graph holds but never runs,",
            imported->zeroFilled);
  artifact::WeightBundle bundle;
  for (auto &[name, tensor] : imported->weights)
    *bundle.add_tensors() = std::move(tensor);
  GOE_RETURN_IF_ERROR(runtime::writeWeightBundle(options.out, bundle));
  std::printf("imported %d weights of %s from %s; wrote %s\n",
              bundle.tensors_size(), expected.specName.c_str(),
              options.importTorchScript.c_str(), options.out.c_str());
  return runtime::okStatus();
}

} // namespace goe::train
