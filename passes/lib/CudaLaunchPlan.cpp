//===- CudaLaunchPlan.cpp - host functions to launch plans ----------------===//
//
// After buildCudaLoweringPipeline a host function is straight-line code:
// allocations, index arithmetic on the batch size, and gpu.launch_func.
// The runtime links no compiler, so that code is turned into data here:
// every size the host computes is evaluated as a function of the batch and
// must be linear in it (checked at several batch sizes), which holds for
// the shapes goe's expert functions have (a batch dimension and static
// per-sample dimensions).
//
//===----------------------------------------------------------------------===//

#include "goe/Compiler/CudaCodegen.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
namespace artifact = goe::artifact;

namespace {

/// Evaluates host index values of one function for a given batch size.
class BatchEvaluator {
public:
  explicit BatchEvaluator(func::FuncOp fn) : fn(fn) {}

  /// The value as per_sample * batch + fixed, or an error at `user`.
  FailureOr<artifact::BatchLinear> linear(Value value, Operation *user) {
    // Four sample points: two fix the line, two check it.
    constexpr int64_t kBatches[] = {1, 2, 3, 97};
    int64_t at[4];
    for (int i = 0; i < 4; ++i) {
      FailureOr<int64_t> v = evaluate(value, kBatches[i]);
      if (failed(v)) {
        InFlightDiagnostic diag = user->emitOpError(
            "has a host-side size goe cannot evaluate for the launch plan");
        if (blocker)
          diag << " (it depends on '" << blocker->getName() << "')";
        return diag;
      }
      at[i] = *v;
    }
    int64_t slope = at[1] - at[0];
    int64_t fixed = at[0] - slope;
    for (int i = 2; i < 4; ++i)
      if (at[i] != slope * kBatches[i] + fixed)
        return user->emitOpError("has a host-side size that is not linear "
                                 "in the batch (")
               << at[0] << ", " << at[1] << ", " << at[2]
               << " at batch 1, 2, 3)";
    artifact::BatchLinear out;
    out.set_per_sample(slope);
    out.set_fixed(fixed);
    return out;
  }

private:
  FailureOr<int64_t> evaluate(Value value, int64_t batch) {
    APInt constant;
    if (matchPattern(value, m_ConstantInt(&constant)))
      return constant.getSExtValue();
    Operation *op = value.getDefiningOp();
    if (!op)
      return failure();
    auto operand = [&](unsigned i) { return evaluate(op->getOperand(i), batch); };
    auto binary = [&](auto combine) -> FailureOr<int64_t> {
      FailureOr<int64_t> a = operand(0), b = operand(1);
      if (failed(a) || failed(b))
        return failure();
      return combine(*a, *b);
    };
    if (isa<arith::AddIOp>(op))
      return binary([](int64_t a, int64_t b) { return a + b; });
    if (isa<arith::SubIOp>(op))
      return binary([](int64_t a, int64_t b) { return a - b; });
    if (isa<arith::MulIOp>(op))
      return binary([](int64_t a, int64_t b) { return a * b; });
    if (isa<arith::DivUIOp, arith::DivSIOp, arith::FloorDivSIOp>(op))
      return binary([](int64_t a, int64_t b) { return b ? a / b : 0; });
    if (isa<arith::CeilDivUIOp, arith::CeilDivSIOp>(op))
      return binary([](int64_t a, int64_t b) { return b ? (a + b - 1) / b : 0; });
    if (isa<arith::RemUIOp, arith::RemSIOp>(op))
      return binary([](int64_t a, int64_t b) { return b ? a % b : 0; });
    if (isa<arith::MaxSIOp, arith::MaxUIOp>(op))
      return binary([](int64_t a, int64_t b) { return std::max(a, b); });
    if (isa<arith::MinSIOp, arith::MinUIOp>(op))
      return binary([](int64_t a, int64_t b) { return std::min(a, b); });
    if (isa<arith::IndexCastOp, arith::IndexCastUIOp>(op))
      return operand(0);
    if (auto apply = dyn_cast<affine::AffineApplyOp>(op)) {
      SmallVector<Attribute> operands;
      for (Value v : apply.getOperands()) {
        FailureOr<int64_t> x = evaluate(v, batch);
        if (failed(x))
          return failure();
        operands.push_back(IntegerAttr::get(v.getType(), *x));
      }
      SmallVector<Attribute> results;
      if (failed(apply.getAffineMap().constantFold(operands, results)) ||
          results.size() != 1)
        return failure();
      return cast<IntegerAttr>(results[0]).getInt();
    }
    if (auto dim = dyn_cast<memref::DimOp>(op)) {
      std::optional<int64_t> index = dim.getConstantIndex();
      if (!index)
        return failure();
      return dimOf(dim.getSource(), *index, batch);
    }
    blocker = op;
    return failure();
  }

  /// Dimension `index` of `buffer`: static sizes, the batch of function
  /// arguments, allocation sizes, and reshapes of those.
  FailureOr<int64_t> dimOf(Value buffer, int64_t index, int64_t batch) {
    auto type = dyn_cast<MemRefType>(buffer.getType());
    if (!type || index < 0 || index >= type.getRank())
      return failure();
    if (!type.isDynamicDim(index))
      return type.getDimSize(index);
    if (auto arg = dyn_cast<BlockArgument>(buffer)) {
      // A function argument's only dynamic dimension is its batch.
      if (arg.getOwner()->getParentOp() == fn && index == 0)
        return batch;
      return failure();
    }
    Operation *source = buffer.getDefiningOp();
    if (auto alloc = dyn_cast<memref::AllocOp>(source))
      return evaluate(alloc.getDynamicSizes()[type.getDynamicDimIndex(index)],
                      batch);
    // Reshapes of batched buffers (flatten before a linear layer).
    if (auto collapse = dyn_cast<memref::CollapseShapeOp>(source)) {
      // A local copy: getReassociationIndices() returns a temporary.
      SmallVector<ReassociationIndices> groups =
          collapse.getReassociationIndices();
      int64_t size = 1;
      for (int64_t d : groups[index]) {
        FailureOr<int64_t> part = dimOf(collapse.getSrc(), d, batch);
        if (failed(part))
          return failure();
        size *= *part;
      }
      return size;
    }
    if (auto expand = dyn_cast<memref::ExpandShapeOp>(source)) {
      ArrayRef<int64_t> sizes = expand.getStaticOutputShape();
      int64_t dynamicIndex =
          llvm::count_if(sizes.take_front(index), ShapedType::isDynamic);
      return evaluate(expand.getOutputShape()[dynamicIndex], batch);
    }
    if (auto castOp = dyn_cast<memref::CastOp>(source))
      return dimOf(castOp.getSource(), index, batch);
    blocker = source;
    if (auto subview = dyn_cast<memref::SubViewOp>(source)) {
      // Rank-preserving views only: sizes map one to one.
      if (subview.getType().getRank() != subview.getSourceType().getRank())
        return failure();
      OpFoldResult size = subview.getMixedSizes()[index];
      if (std::optional<int64_t> constant = getConstantIntValue(size))
        return *constant;
      return evaluate(cast<Value>(size), batch);
    }
    return failure();
  }

  func::FuncOp fn;
  /// The last op evaluation gave up on, for the error message.
  Operation *blocker = nullptr;
};

int64_t elementBytes(Type type) {
  unsigned bits = type.getIntOrFloatBitWidth();
  return bits <= 8 ? 1 : bits / 8;
}

FailureOr<artifact::CudaFunction> planFunction(func::FuncOp fn,
                                               int64_t blockSize) {
  artifact::CudaFunction plan;
  plan.set_name(fn.getSymName().str());
  BatchEvaluator evaluator(fn);
  llvm::DenseMap<Value, int> temporaries;

  for (Operation &op : fn.getBody().front()) {
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      MemRefType type = alloc.getType();
      if (!type.getLayout().isIdentity() ||
          !type.getElementType().isIntOrFloat())
        return alloc.emitOpError("allocates a buffer the runtime cannot "
                                 "describe (needs an identity layout and a "
                                 "scalar element type)");
      artifact::CudaTemporary *temporary = plan.add_temporaries();
      temporary->set_element_bytes(elementBytes(type.getElementType()));
      for (int64_t d = 0; d < type.getRank(); ++d) {
        artifact::BatchLinear *extent = temporary->add_shape();
        if (!type.isDynamicDim(d)) {
          extent->set_fixed(type.getDimSize(d));
          continue;
        }
        FailureOr<artifact::BatchLinear> size = evaluator.linear(
            alloc.getDynamicSizes()[type.getDynamicDimIndex(d)], alloc);
        if (failed(size))
          return failure();
        *extent = *size;
      }
      temporaries[alloc] = plan.temporaries_size() - 1;
      continue;
    }
    if (auto launch = dyn_cast<gpu::LaunchFuncOp>(op)) {
      gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
      gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
      // goe-map-loops-to-gpu launches ceildiv(threads, block) x 1 x 1
      // blocks of block x 1 x 1 threads.
      auto ceil = grid.x.getDefiningOp<arith::CeilDivUIOp>();
      auto is = [](Value v, int64_t c) {
        std::optional<int64_t> constant = getConstantIntValue(v);
        return constant && *constant == c;
      };
      if (!ceil || !is(block.x, blockSize) || !is(ceil.getRhs(), blockSize) ||
          !is(grid.y, 1) || !is(grid.z, 1) || !is(block.y, 1) ||
          !is(block.z, 1))
        return launch.emitOpError("is not a 1-D launch of ")
               << blockSize << "-thread blocks as goe-map-loops-to-gpu makes";
      if (launch.getAsyncToken() || !launch.getAsyncDependencies().empty() ||
          launch.getDynamicSharedMemorySize())
        return launch.emitOpError("uses features the launch plan does not "
                                  "describe (async tokens, dynamic shared "
                                  "memory)");
      artifact::CudaLaunch *out = plan.add_launches();
      out->set_kernel(launch.getKernelName().str());
      FailureOr<artifact::BatchLinear> threads =
          evaluator.linear(ceil.getLhs(), launch);
      if (failed(threads))
        return failure();
      *out->mutable_threads() = *threads;
      for (Value arg : launch.getKernelOperands()) {
        artifact::CudaArgument *argument = out->add_arguments();
        if (auto block = dyn_cast<BlockArgument>(arg);
            block && block.getOwner()->getParentOp() == fn) {
          argument->set_kind(artifact::CudaArgument::ARGUMENT);
          argument->set_index(block.getArgNumber());
        } else if (auto it = temporaries.find(arg); it != temporaries.end()) {
          argument->set_kind(artifact::CudaArgument::TEMPORARY);
          argument->set_index(it->second);
        } else if (arg.getType().isIndex() ||
                   arg.getType().isSignlessInteger(64)) {
          argument->set_kind(artifact::CudaArgument::SCALAR);
          FailureOr<artifact::BatchLinear> value =
              evaluator.linear(arg, launch);
          if (failed(value))
            return failure();
          *argument->mutable_value() = *value;
        } else {
          return launch.emitOpError("passes a kernel argument the runtime "
                                    "cannot supply: ")
                 << arg.getType();
        }
      }
      continue;
    }
    if (isa<memref::DeallocOp, func::ReturnOp>(op) || isMemoryEffectFree(&op) ||
        isa<memref::DimOp>(op))
      continue;
    return op.emitOpError("would have to run on the host; a CUDA launch "
                          "plan holds only allocations and kernel launches");
  }
  return plan;
}

} // namespace

LogicalResult goe::buildCudaLaunchPlans(ModuleOp lowered, int64_t blockSize,
                                        artifact::CudaCode &code) {
  for (auto fn : lowered.getOps<func::FuncOp>()) {
    if (fn.isExternal())
      continue;
    FailureOr<artifact::CudaFunction> plan = planFunction(fn, blockSize);
    if (failed(plan))
      return failure();
    *code.add_functions() = std::move(*plan);
  }
  return success();
}
