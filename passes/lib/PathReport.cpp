//===- PathReport.cpp - list a model's routed paths -----------------------===//
//
// The text `goe-compile --emit=paths` prints: what every input runs (shared
// segments and routers) and what each routed path adds, with MACs per
// sample taken from goe-annotate-macs.
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

LogicalResult goe::printRoutedPaths(ModuleOp module,
                                          llvm::raw_ostream &os) {
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
  os << graph.getSymName() << "\n";
  int64_t everyInput = 0, worstRouted = 0;
  for (Operation &op : graph.getBody().front()) {
    if (auto call = dyn_cast<func::CallOp>(op)) {
      int64_t macs = macsOf(symbols, call.getCallee());
      everyInput = saturatingAdd(everyInput, macs);
      os << "  shared   @" << call.getCallee() << "  MACs " << grouped(macs)
         << "\n";
    } else if (auto route = dyn_cast<RouteOp>(op)) {
      auto router = symbols.lookup<RouterOp>(route.getRouter());
      int64_t macs = router.getBody() ? macsOf(symbols, *router.getBody()) : 0;
      int64_t search = latentSearchMacs(symbols, router);
      macs = saturatingAdd(macs, search);
      everyInput = saturatingAdd(everyInput, macs);
      os << "  router   @" << router.getSymName() << " ("
         << stringifyRouterKind(router.getKind()) << ", top-" << router.getK()
         << " of " << router.getChoices() << ")";
      if (router.getBody())
        os << " body @" << *router.getBody();
      os << "  MACs " << grouped(macs);
      if (search)
        os << " (nearest code and centre " << grouped(search) << ")";
      os << "\n";
    } else if (auto dispatch = dyn_cast<DispatchOp>(op)) {
      int64_t k = dispatch.getRouting().getType().getK();
      os << "  dispatch " << dispatch.getNumPaths() << " paths, " << k
         << " per input\n";
      int64_t worst = 0;
      for (unsigned p = 0; p < dispatch.getNumPaths(); ++p) {
        int64_t macs = 0;
        os << "    path " << p << ":";
        for (auto [i, step] : llvm::enumerate(dispatch.getPath(p))) {
          os << (i ? " -> @" : " @") << step.getValue();
          macs = saturatingAdd(macs, macsOf(symbols, step.getValue()));
        }
        os << "  MACs " << grouped(macs) << "\n";
        worst = std::max(worst, macs);
      }
      worstRouted = saturatingAdd(worstRouted, saturatingMul(k, worst));
    } else if (auto combine = dyn_cast<CombineOp>(op)) {
      os << "  combine  " << stringifyCombineKind(combine.getKind()) << "\n";
    }
  }
  os << "  MACs per input: " << grouped(saturatingAdd(everyInput, worstRouted))
     << " at most (shared and routers " << grouped(everyInput)
     << ", routed " << grouped(worstRouted) << ")\n";
  return success();
}
