//===- PathReport.cpp - list a model's routed paths -----------------------===//
//
// What every input runs (shared segments and routers) and what each routed
// path adds, with MACs per sample taken from goe-annotate-macs; and the text
// `goe-compile --emit=paths` prints of it.
//
//===----------------------------------------------------------------------===//

#include "goe/Passes/PathReport.h"
#include "goe/Dialect/Goe/GoeOps.h"
#include "goe/Passes/MacCount.h"
#include "goe/Passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace goe;

namespace {

int64_t macsOf(SymbolTable &symbols, StringRef symbol) {
  auto fn = symbols.lookup<func::FuncOp>(symbol);
  if (!fn)
    return 0;
  auto macs = fn->getAttrOfType<IntegerAttr>("goe.macs");
  return macs ? macs.getInt() : 0;
}

/// The vqvae_hclust router's search after its encoder (router/
/// LatentRouter.h): positions x codes x code_dim for the nearest codes,
/// choices x latent size for the nearest centre. 0 for other kinds.
int64_t latentSearchMacs(SymbolTable &symbols, RouterOp router) {
  if (router.getKind() != RouterKind::VqvaeHclust || !router.getBody())
    return 0;
  auto body = symbols.lookup<func::FuncOp>(*router.getBody());
  auto codes = router.getParamsAttr()
                   ? router.getParamsAttr().getAs<IntegerAttr>("codes")
                   : IntegerAttr();
  if (!body || !codes || body.getNumResults() != 1)
    return 0;
  auto type = dyn_cast<RankedTensorType>(body.getResultTypes()[0]);
  if (!type || type.getRank() < 2 ||
      llvm::any_of(type.getShape().drop_front(), ShapedType::isDynamic))
    return 0;
  int64_t latent = 1; // per sample: the batch dimension is dynamic
  for (int64_t d : type.getShape().drop_front())
    latent = saturatingMul(latent, d);
  return saturatingAdd(saturatingMul(latent, codes.getInt()),
                       saturatingMul(latent, router.getChoices()));
}

/// 1234567 -> "1,234,567": MAC counts are long.
std::string grouped(int64_t value) {
  if (value == INT64_MAX)
    return "more than 9.2e18";
  std::string digits = std::to_string(value), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return out;
}

} // namespace

FailureOr<PathReport> goe::reportRoutedPaths(ModuleOp module) {
  PassManager pm(module.getContext());
  pm.addPass(createAnnotateMacs());
  if (failed(pm.run(module)))
    return failure();
  auto graphs = module.getOps<GraphOp>();
  if (graphs.empty())
    return module.emitError("no goe.graph to report on");
  GraphOp graph = *graphs.begin();
  // One hash table for all lookups: deep trees have tens of thousands of
  // path steps.
  SymbolTable symbols(module);
  PathReport report;
  report.graph = graph.getSymName().str();
  for (Operation &op : graph.getBody().front()) {
    PathReportStep step;
    if (auto call = dyn_cast<func::CallOp>(op)) {
      step.kind = PathReportStep::Kind::Shared;
      step.name = call.getCallee().str();
      step.macs = macsOf(symbols, call.getCallee());
      report.everyInputMacs = saturatingAdd(report.everyInputMacs, step.macs);
    } else if (auto route = dyn_cast<RouteOp>(op)) {
      auto router = symbols.lookup<RouterOp>(route.getRouter());
      step.kind = PathReportStep::Kind::Router;
      step.name = router.getSymName().str();
      step.routerKind = stringifyRouterKind(router.getKind()).str();
      step.k = router.getK();
      step.choices = router.getChoices();
      if (router.getBody())
        step.body = router.getBody()->str();
      step.searchMacs = latentSearchMacs(symbols, router);
      step.macs = saturatingAdd(
          router.getBody() ? macsOf(symbols, *router.getBody()) : 0,
          step.searchMacs);
      report.everyInputMacs = saturatingAdd(report.everyInputMacs, step.macs);
    } else if (auto dispatch = dyn_cast<DispatchOp>(op)) {
      step.kind = PathReportStep::Kind::Dispatch;
      if (auto source = dispatch.getRouting().getDefiningOp<RouteOp>())
        step.name = source.getRouter().str();
      step.k = dispatch.getRouting().getType().getK();
      int64_t worst = 0;
      for (unsigned p = 0; p < dispatch.getNumPaths(); ++p) {
        RoutedPath path;
        for (FlatSymbolRefAttr callee : dispatch.getPath(p)) {
          StringRef name = callee.getValue();
          path.functions.push_back(name.str());
          path.macs = saturatingAdd(path.macs, macsOf(symbols, name));
        }
        worst = std::max(worst, path.macs);
        step.paths.push_back(std::move(path));
      }
      report.routedMacs =
          saturatingAdd(report.routedMacs, saturatingMul(step.k, worst));
    } else if (auto combine = dyn_cast<CombineOp>(op)) {
      step.kind = PathReportStep::Kind::Combine;
      step.name = stringifyCombineKind(combine.getKind()).str();
    } else {
      continue;
    }
    report.steps.push_back(std::move(step));
  }
  return report;
}

void goe::printPathReport(const PathReport &report, llvm::raw_ostream &os) {
  using Kind = PathReportStep::Kind;
  os << report.graph << "\n";
  for (const PathReportStep &step : report.steps) {
    switch (step.kind) {
    case Kind::Shared:
      os << "  shared   @" << step.name << "  MACs " << grouped(step.macs)
         << "\n";
      break;
    case Kind::Router:
      os << "  router   @" << step.name << " (" << step.routerKind << ", top-"
         << step.k << " of " << step.choices << ")";
      if (!step.body.empty())
        os << " body @" << step.body;
      os << "  MACs " << grouped(step.macs);
      if (step.searchMacs)
        os << " (nearest code and centre " << grouped(step.searchMacs) << ")";
      os << "\n";
      break;
    case Kind::Dispatch:
      os << "  dispatch " << step.paths.size() << " paths, " << step.k
         << " per input\n";
      for (auto [p, path] : llvm::enumerate(step.paths)) {
        os << "    path " << p << ":";
        for (auto [i, function] : llvm::enumerate(path.functions))
          os << (i ? " -> @" : " @") << function;
        os << "  MACs " << grouped(path.macs) << "\n";
      }
      break;
    case Kind::Combine:
      os << "  combine  " << step.name << "\n";
      break;
    }
  }
  os << "  MACs per input: "
     << grouped(saturatingAdd(report.everyInputMacs, report.routedMacs))
     << " at most (shared and routers " << grouped(report.everyInputMacs)
     << ", routed " << grouped(report.routedMacs) << ")\n";
}

LogicalResult goe::printRoutedPaths(ModuleOp module, llvm::raw_ostream &os) {
  FailureOr<PathReport> report = reportRoutedPaths(module);
  if (failed(report))
    return failure();
  printPathReport(*report, os);
  return success();
}
