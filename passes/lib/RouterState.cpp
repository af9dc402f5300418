//===- RouterState.cpp - learned router tables in weights and artifacts ---===//

#include "goe/Compiler/RouterState.h"
#include "goe/Dialect/Goe/GoeOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <random>
#include <set>

using namespace mlir;

namespace goe {
namespace {

struct LatentShape {
  int64_t codes = 0, codeDim = 0, latentSize = 0, choices = 0;
};

/// The table shapes of a vqvae_hclust router, from its parameters and its
/// encoder's result type [B, H, W, code_dim]; failure if it has no encoder.
FailureOr<LatentShape> latentShape(RouterOp router) {
  LatentShape shape;
  shape.choices = router.getChoices();
  if (auto params = router.getParamsAttr()) {
    if (auto codes = params.getAs<IntegerAttr>("codes"))
      shape.codes = codes.getInt();
    if (auto dim = params.getAs<IntegerAttr>("code_dim"))
      shape.codeDim = dim.getInt();
  }
  if (!router.getBody())
    return failure();
  auto body = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
      router, router.getBodyAttr());
  if (!body || body.getNumResults() != 1)
    return failure();
  auto type = dyn_cast<RankedTensorType>(body.getResultTypes()[0]);
  if (!type || type.getRank() < 2 ||
      llvm::any_of(type.getShape().drop_front(), ShapedType::isDynamic))
    return failure();
  shape.latentSize = 1; // per sample: the batch dimension is dynamic
  for (int64_t d : type.getShape().drop_front())
    shape.latentSize *= d;
  return shape;
}

artifact::Tensor makeTable(const std::string &name, int64_t rows,
                           int64_t columns, const std::vector<float> &values) {
  artifact::Tensor tensor;
  tensor.set_name(name);
  tensor.add_shape(rows);
  tensor.add_shape(columns);
  tensor.set_dtype(artifact::F32);
  tensor.set_data(std::string(reinterpret_cast<const char *>(values.data()),
                              values.size() * sizeof(float)));
  return tensor;
}

bool fits(const artifact::Tensor &tensor, int64_t rows, int64_t columns) {
  return tensor.dtype() == artifact::F32 && tensor.shape_size() == 2 &&
         tensor.shape(0) == rows && tensor.shape(1) == columns &&
         tensor.data().size() == size_t(rows * columns) * sizeof(float);
}

} // namespace

bool isRouterStateName(ModuleOp module, StringRef name) {
  auto [routerName, table] = name.rsplit('.');
  if (table != "codebook" && table != "centres")
    return false;
  for (auto router : module.getOps<RouterOp>())
    if (router.getSymName() == routerName &&
        router.getKind() == RouterKind::VqvaeHclust)
      return true;
  return false;
}

void addRandomRouterState(ModuleOp module, uint64_t seed, WeightMap &weights) {
  for (auto router : module.getOps<RouterOp>()) {
    if (router.getKind() != RouterKind::VqvaeHclust)
      continue;
    FailureOr<LatentShape> shape = latentShape(router);
    if (failed(shape) || shape->codes < 1 || shape->codeDim < 1)
      continue; // attachRouterState reports it if the router is used
    std::mt19937_64 engine(seed * 0x9e3779b97f4a7c15ull +
                           std::hash<std::string>()(router.getSymName().str()));
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::vector<float> codebook(size_t(shape->codes * shape->codeDim));
    for (float &v : codebook)
      v = uniform(engine);
    std::vector<float> centres;
    int64_t positions = shape->latentSize / shape->codeDim;
    for (int64_t p = 0; p < shape->choices * positions; ++p) {
      int64_t code = int64_t(engine() % uint64_t(shape->codes));
      centres.insert(centres.end(), codebook.begin() + code * shape->codeDim,
                     codebook.begin() + (code + 1) * shape->codeDim);
    }
    std::string name = router.getSymName().str();
    weights[name + ".codebook"] = makeTable(name + ".codebook", shape->codes,
                                            shape->codeDim, codebook);
    weights[name + ".centres"] = makeTable(name + ".centres", shape->choices,
                                           shape->latentSize, centres);
  }
}

LogicalResult attachRouterState(ModuleOp module, const WeightMap &weights,
                                artifact::Model &model) {
  std::set<std::string> used;
  for (const artifact::Step &step : model.steps())
    if (step.kind() == artifact::Step::ROUTE)
      used.insert(step.router());
  for (artifact::Router &out : *model.mutable_routers()) {
    if (out.kind_case() != artifact::Router::kVqvaeHclust)
      continue;
    auto router = SymbolTable::lookupNearestSymbolFrom<RouterOp>(
        module, StringAttr::get(module.getContext(), out.name()));
    if (!router)
      continue;
    FailureOr<LatentShape> shape = latentShape(router);
    auto codebook = weights.find(out.name() + ".codebook");
    auto centres = weights.find(out.name() + ".centres");
    bool present = codebook != weights.end() && centres != weights.end();
    if (!present) {
      if (!used.count(out.name()))
        continue; // declared but not placed: nothing reads its tables
      return router.emitError("the weights have no '")
             << out.name()
             << (codebook == weights.end() ? ".codebook" : ".centres")
             << "' for this vqvae_hclust router (train it with goe-train "
                "--router "
             << out.name() << ")";
    }
    if (failed(shape))
      return router.emitError("cannot size the tables of this router: its "
                              "encoder must return one static tensor");
    if (!fits(codebook->second, shape->codes, shape->codeDim))
      return router.emitError("'")
             << out.name() << ".codebook' must be f32 [" << shape->codes
             << ", " << shape->codeDim << "] (codes, code_dim)";
    if (!fits(centres->second, shape->choices, shape->latentSize))
      return router.emitError("'")
             << out.name() << ".centres' must be f32 [" << shape->choices
             << ", " << shape->latentSize << "] (choices, latent size)";
    *out.mutable_vqvae_hclust()->mutable_codebook() = codebook->second;
    *out.mutable_vqvae_hclust()->mutable_centres() = centres->second;
  }
  return success();
}

} // namespace goe
