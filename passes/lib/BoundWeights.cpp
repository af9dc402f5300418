//===- BoundWeights.cpp - weight globals made from other weights ----------===//

#include "goe/Passes/BoundWeights.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using goe::runtime::FloatTensor;
using goe::runtime::WeightRecipe;
using goe::runtime::WeightTransform;

namespace {

constexpr StringLiteral kRecipe = "goe.recipe";

Attribute transformAttr(MLIRContext *context, const WeightTransform &t) {
  Builder b(context);
  SmallVector<NamedAttribute> fields;
  fields.push_back(b.getNamedAttr(
      "kind", b.getStringAttr(goe::runtime::weightTransformName(t.kind))));
  if (t.kind == WeightTransform::Kind::Transpose)
    fields.push_back(b.getNamedAttr("perm", b.getDenseI64ArrayAttr(t.perm)));
  else
    fields.push_back(b.getNamedAttr("eps", b.getF32FloatAttr(t.eps)));
  return b.getDictionaryAttr(fields);
}

std::optional<WeightTransform> transformFrom(Attribute attr) {
  auto dict = dyn_cast<DictionaryAttr>(attr);
  auto kindName = dict ? dict.getAs<StringAttr>("kind") : nullptr;
  if (!kindName)
    return std::nullopt;
  std::optional<WeightTransform::Kind> kind =
      goe::runtime::weightTransformKind(kindName.getValue().str());
  if (!kind)
    return std::nullopt;
  WeightTransform t;
  t.kind = *kind;
  if (t.kind == WeightTransform::Kind::Transpose) {
    auto perm = dict.getAs<DenseI64ArrayAttr>("perm");
    if (!perm)
      return std::nullopt;
    t.perm.assign(perm.asArrayRef().begin(), perm.asArrayRef().end());
  } else {
    auto eps = dict.getAs<FloatAttr>("eps");
    if (!eps)
      return std::nullopt;
    t.eps = float(eps.getValueAsDouble());
  }
  return t;
}

DictionaryAttr recipeAttr(MLIRContext *context, const WeightRecipe &recipe) {
  Builder b(context);
  SmallVector<Attribute> sources, transforms;
  for (const std::string &source : recipe.sources)
    sources.push_back(b.getStringAttr(source));
  for (const WeightTransform &t : recipe.transforms)
    transforms.push_back(transformAttr(context, t));
  return b.getDictionaryAttr(
      {b.getNamedAttr("sources", b.getArrayAttr(sources)),
       b.getNamedAttr("transforms", b.getArrayAttr(transforms))});
}

} // namespace

std::optional<FloatTensor> goe::boundValues(ml_program::GlobalOp global) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(global.getValueAttr());
  if (!dense || !dense.getElementType().isF32())
    return std::nullopt;
  FloatTensor tensor;
  tensor.shape.assign(dense.getType().getShape().begin(),
                      dense.getType().getShape().end());
  auto values = dense.getValues<float>();
  tensor.values.assign(values.begin(), values.end());
  return tensor;
}

std::optional<WeightRecipe> goe::recipeOf(ml_program::GlobalOp global) {
  auto attr = global->getAttrOfType<DictionaryAttr>(kRecipe);
  if (!attr)
    return WeightRecipe{{global.getSymName().str()}, {}};
  auto sources = attr.getAs<ArrayAttr>("sources");
  auto transforms = attr.getAs<ArrayAttr>("transforms");
  if (!sources || !transforms)
    return std::nullopt;
  WeightRecipe recipe;
  for (Attribute source : sources) {
    auto name = dyn_cast<StringAttr>(source);
    if (!name)
      return std::nullopt;
    recipe.sources.push_back(name.str());
  }
  for (Attribute transform : transforms) {
    std::optional<WeightTransform> t = transformFrom(transform);
    if (!t)
      return std::nullopt;
    recipe.transforms.push_back(std::move(*t));
  }
  return recipe;
}

ml_program::GlobalOp
goe::deriveWeight(const runtime::WeightTransform &transform,
                  ArrayRef<ml_program::GlobalOp> operands, StringRef name,
                  SymbolTable &symbols) {
  std::vector<FloatTensor> values;
  std::vector<WeightRecipe> recipes;
  for (ml_program::GlobalOp operand : operands) {
    std::optional<FloatTensor> bound = boundValues(operand);
    std::optional<WeightRecipe> recipe = recipeOf(operand);
    if (!bound || !recipe)
      return nullptr;
    values.push_back(std::move(*bound));
    recipes.push_back(std::move(*recipe));
  }
  std::optional<WeightRecipe> recipe =
      runtime::composeRecipe(transform, recipes);
  if (!recipe || operands.empty())
    return nullptr;
  std::vector<const FloatTensor *> pointers;
  for (const FloatTensor &value : values)
    pointers.push_back(&value);
  runtime::TransformResult result =
      runtime::applyWeightTransform(transform, pointers);
  if (!result.ok())
    return nullptr;

  ml_program::GlobalOp anchor = operands.front();
  OpBuilder builder(anchor);
  auto type = RankedTensorType::get(result.tensor.shape, builder.getF32Type());
  auto global = builder.create<ml_program::GlobalOp>(
      anchor.getLoc(), name, type, /*is_mutable=*/false,
      DenseElementsAttr::get(type, ArrayRef<float>(result.tensor.values)),
      builder.getStringAttr("private"));
  global->setAttr(kRecipe, recipeAttr(builder.getContext(), *recipe));
  symbols.insert(global);
  return global;
}
