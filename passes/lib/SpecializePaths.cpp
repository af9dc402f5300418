//===- SpecializePaths.cpp - one function per routed path -----------------===//

#include "goe/Dialect/Goe/GoeOps.h"
#include "goe/Passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

namespace goe {
#define GEN_PASS_DEF_SPECIALIZEPATHS
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

/// Clones `callee`'s body into `builder`'s block with `args` for its
/// arguments and returns the values it returns. Expert functions are single
/// blocks ending in func.return (the frontend makes them so).
SmallVector<Value> inlineBody(OpBuilder &builder, func::FuncOp callee,
                              ValueRange args) {
  IRMapping mapping;
  Block &body = callee.getBody().front();
  mapping.map(body.getArguments(), args);
  SmallVector<Value> results;
  for (Operation &op : body) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands())
        results.push_back(mapping.lookup(v));
      break;
    }
    builder.clone(op, mapping);
  }
  return results;
}

struct SpecializePaths
    : public goe::impl::SpecializePathsBase<SpecializePaths> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    OpBuilder builder(&getContext());
    unsigned dispatchIndex = 0;
    bool changed = false;
    WalkResult result = module.walk([&](goe::DispatchOp dispatch) {
      unsigned index = dispatchIndex++;
      bool chained = false;
      for (unsigned p = 0; p < dispatch.getNumPaths(); ++p)
        chained |= dispatch.getPath(p).size() > 1;
      if (!chained)
        return WalkResult::advance();
      // Name paths after the dispatch's first expert's prefix
      // (`paths.level0.0` -> `paths`), so names stay readable.
      std::string base = dispatch.getPath(0)[0].getValue().str();
      base = base.substr(0, base.find('.'));
      if (dispatchIndex > 1)
        base += std::to_string(index);
      SmallVector<Attribute> newPaths;
      for (unsigned p = 0; p < dispatch.getNumPaths(); ++p) {
        SmallVector<func::FuncOp> steps;
        for (FlatSymbolRefAttr step : dispatch.getPath(p)) {
          auto fn = symbols.lookup<func::FuncOp>(step.getValue());
          if (!fn || fn.isExternal() || !fn.getBody().hasOneBlock()) {
            dispatch.emitOpError("path ") << p << " step " << step
                                          << " is not a single-block function";
            return WalkResult::interrupt();
          }
          steps.push_back(fn);
        }
        auto type = builder.getFunctionType(
            steps.front().getArgumentTypes(), steps.back().getResultTypes());
        builder.setInsertionPoint(steps.back());
        auto path = builder.create<func::FuncOp>(
            dispatch.getLoc(), base + ".path" + std::to_string(p), type);
        path.setPrivate();
        symbols.insert(path); // uniquifies the name if it is taken
        Block *entry = path.addEntryBlock();
        builder.setInsertionPointToStart(entry);
        SmallVector<Value> flowing(entry->getArguments());
        for (func::FuncOp step : steps)
          flowing = inlineBody(builder, step, flowing);
        builder.create<func::ReturnOp>(dispatch.getLoc(), flowing);
        newPaths.push_back(builder.getArrayAttr(
            {FlatSymbolRefAttr::get(path.getSymNameAttr())}));
      }
      dispatch.setPathsAttr(builder.getArrayAttr(newPaths));
      changed = true;
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    if (!changed)
      return;
    // Expert functions nothing refers to any more go.
    for (auto fn : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
      if (fn.isPrivate() && SymbolTable::symbolKnownUseEmpty(fn, module))
        fn.erase();
  }
};

} // namespace
