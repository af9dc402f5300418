//===- MapLoopsToGpu.cpp - parallel loop nests to GPU launches ------------===//
//
// After bufferization and `convert-linalg-to-parallel-loops`, a function is
// a sequence of allocations and one `scf.parallel` per linalg op. Each such
// loop becomes one kernel launch whose threads cover the loop's parallel
// iteration space, linearised with the last dimension fastest: with NHWC
// activations that is the channel dimension, so neighbouring threads of a
// warp write neighbouring output elements (coalesced stores).
//
// The linearised form is used instead of upstream `gpu-map-parallel-loops`
// (which maps the first three loop dimensions to the grid and leaves one
// thread per block unless loops are tiled per rank) because the grid then
// has a single formula, `ceildiv(total, block)`, with `total` linear in the
// batch: that is what lets the runtime launch without a compiler.
//
//===----------------------------------------------------------------------===//

#include "goe/Passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace goe {
#define GEN_PASS_DEF_MAPLOOPSTOGPU
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

/// Ops worth recomputing inside a kernel instead of passing their result as
/// an argument: index arithmetic, shape queries, views and constants. They
/// read no memory, so duplicating them is free of races.
bool isSinkable(Operation *op) {
  if (op->getNumRegions() != 0)
    return false;
  if (isa<memref::AllocOp, memref::AllocaOp>(op))
    return false;
  return isMemoryEffectFree(op) || isa<memref::DimOp>(op) ||
         isa<ViewLikeOpInterface>(op);
}

/// Recomputes inside `launch` every sinkable value it uses from above, and
/// their sinkable operands in turn; what is left captured is function
/// arguments, allocations and values of non-sinkable ops. (Upstream
/// sinkOperationsIntoLaunchOp sinks an op only when all its operands are
/// sinkable or already captured, so it keeps a subview of an allocation
/// outside, and the kernel would take a strided view as an argument.)
void sinkIntoLaunch(gpu::LaunchOp launch) {
  Region &body = launch.getBody();
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(body, captured);
  OpBuilder b = OpBuilder::atBlockBegin(&body.front());
  IRMapping mapping;
  std::function<Value(Value)> materialize = [&](Value value) -> Value {
    if (Value sunk = mapping.lookupOrNull(value))
      return sunk;
    Operation *def = value.getDefiningOp();
    if (!def || !isSinkable(def))
      return value;
    for (Value operand : def->getOperands())
      materialize(operand);
    b.clone(*def, mapping);
    return mapping.lookup(value);
  };
  for (Value value : captured) {
    Value sunk = materialize(value);
    if (sunk != value)
      replaceAllUsesInRegionWith(value, sunk, body);
  }
}

/// Replaces `loop` by a `gpu.launch` over its linearised iteration space.
LogicalResult launchLoop(scf::ParallelOp loop, int64_t blockSize) {
  if (loop.getNumResults() != 0)
    return loop.emitOpError(
        "with reductions cannot be mapped to GPU threads yet");
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  Value one = b.create<arith::ConstantIndexOp>(loc, 1);
  Value block = b.create<arith::ConstantIndexOp>(loc, blockSize);

  // Trip count per dimension and their product, on the host: the grid.
  SmallVector<Value> trips;
  Value total = one;
  for (auto [lb, ub, step] : llvm::zip(loop.getLowerBound(),
                                       loop.getUpperBound(), loop.getStep())) {
    Value span = b.create<arith::SubIOp>(loc, ub, lb);
    Value trip = b.create<arith::CeilDivUIOp>(loc, span, step);
    trips.push_back(trip);
    total = b.create<arith::MulIOp>(loc, total, trip);
  }
  Value grid = b.create<arith::CeilDivUIOp>(loc, total, block);
  auto launch =
      b.create<gpu::LaunchOp>(loc, grid, one, one, block, one, one);

  // Body: one point per thread, the tail guarded.
  Block &body = launch.getBody().front();
  b.setInsertionPointToStart(&body);
  Value base = b.create<arith::MulIOp>(loc, launch.getBlockIds().x, block);
  Value id = b.create<arith::AddIOp>(loc, base, launch.getThreadIds().x);
  Value inRange =
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, id, total);
  auto guard = b.create<scf::IfOp>(loc, inRange, /*withElseRegion=*/false);
  b.create<gpu::TerminatorOp>(loc);

  b.setInsertionPoint(guard.thenBlock()->getTerminator());
  IRMapping mapping;
  Value rest = id;
  for (int64_t d = loop.getNumLoops() - 1; d >= 0; --d) {
    Value index = d == 0 ? rest : b.create<arith::RemUIOp>(loc, rest, trips[d]);
    if (d != 0)
      rest = b.create<arith::DivUIOp>(loc, rest, trips[d]);
    Value scaled = b.create<arith::MulIOp>(loc, index, loop.getStep()[d]);
    Value iv = b.create<arith::AddIOp>(loc, loop.getLowerBound()[d], scaled);
    mapping.map(loop.getInductionVars()[d], iv);
  }
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
  loop.erase();

  // Recompute bounds, shapes and views inside the kernel so that the
  // outlined kernel takes only buffers and the trip counts' inputs.
  sinkIntoLaunch(launch);
  return success();
}

struct MapLoopsToGpu : public goe::impl::MapLoopsToGpuBase<MapLoopsToGpu> {
  using MapLoopsToGpuBase::MapLoopsToGpuBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (blockSize < 1 || blockSize > 1024) {
      module.emitError("goe-map-loops-to-gpu: block-size must be in "
                       "[1, 1024], got ")
          << static_cast<int64_t>(blockSize);
      return signalPassFailure();
    }
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    UnitAttr::get(&getContext()));
    for (auto fn : module.getOps<func::FuncOp>()) {
      if (fn.isExternal())
        continue;
      SmallVector<scf::ParallelOp> loops;
      for (Operation &op : fn.getBody().front()) {
        if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
          loops.push_back(loop);
          continue;
        }
        if (isa<memref::AllocOp, memref::DeallocOp, func::ReturnOp>(op) ||
            isSinkable(&op))
          continue;
        // Anything else (a loop with no parallel dimension, a copy, a
        // store) would have to run on the host.
        op.emitOpError("cannot be mapped to a GPU kernel: only parallel "
                       "loop nests, allocations and index arithmetic may "
                       "remain at function level");
        return signalPassFailure();
      }
      for (scf::ParallelOp loop : loops)
        if (failed(launchLoop(loop, blockSize)))
          return signalPassFailure();
    }
  }
};

} // namespace
