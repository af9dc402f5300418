//===- SampleLoop.cpp - run each kernel one sample at a time --------------===//
//
// An expert function takes a batch: every activation is [B, ...] with B
// unknown until run time. Compiled as it stands, each layer runs over the
// whole batch before the next starts, so every intermediate is a
// B-sized heap buffer (megabytes at batch 256, page-faulted on every call)
// that has left the cache by the time the next layer reads it.
//
// This pass splits each such function `@f` in two:
//   - `@f.sample`, private: the same body on one sample, batch dimension 1,
//     every shape then static (TOSA shape inference refines the body);
//   - `@f`, same signature as before: a loop over the batch that slices
//     sample b out of each activation, calls `@f.sample` and inserts its
//     results at b.
// Intermediates are then per sample (kilobytes, kept in cache and, after
// bufferisation, on the stack) and the tiling passes see static shapes.
// Expert bodies never mix samples (inference ops only), which is what
// makes this legal.
//
//===----------------------------------------------------------------------===//

#include "goe/Dialect/Goe/GoeOps.h"
#include "goe/Passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"

namespace goe {
#define GEN_PASS_DEF_SAMPLELOOP
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

/// `type` with its leading (batch) dimension set to 1.
RankedTensorType oneSample(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  SmallVector<int64_t> shape(tensor.getShape());
  shape[0] = 1;
  return RankedTensorType::get(shape, tensor.getElementType());
}

/// Whether `fn` is a batched kernel this pass applies to: every activation
/// argument and every result a ranked tensor with a dynamic leading
/// dimension, at least one of each.
bool isBatchedKernel(func::FuncOp fn) {
  if (fn.isExternal() || fn.getBody().getBlocks().size() != 1)
    return false;
  ArrayRef<Type> activations = goe::getActivationTypes(fn);
  auto batched = [](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return tensor && tensor.getRank() >= 1 && tensor.isDynamicDim(0) &&
           llvm::count_if(tensor.getShape(), ShapedType::isDynamic) == 1;
  };
  return !activations.empty() && fn.getNumResults() > 0 &&
         llvm::all_of(activations, batched) &&
         llvm::all_of(fn.getResultTypes(), batched);
}

struct SampleLoop : public goe::impl::SampleLoopBase<SampleLoop> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> kernels;
    for (auto fn : module.getOps<func::FuncOp>())
      if (isBatchedKernel(fn))
        kernels.push_back(fn);
    for (func::FuncOp fn : kernels)
      if (failed(split(fn)))
        return signalPassFailure();
  }

  LogicalResult split(func::FuncOp fn) {
    size_t numActivations = goe::getActivationTypes(fn).size();

    // The per-sample body: a private clone with batch-1 activations, its
    // shapes refined by TOSA shape inference.
    OpBuilder moduleBuilder(fn);
    auto sample = cast<func::FuncOp>(moduleBuilder.clone(*fn));
    sample.setSymName((fn.getSymName() + ".sample").str());
    sample.setPrivate();
    // Only the entry point is called from outside (C interface, weights).
    sample->setDiscardableAttrs(DictionaryAttr::get(&getContext(), {}));
    Block &body = sample.getBody().front();
    for (unsigned i = 0; i < numActivations; ++i)
      body.getArgument(i).setType(oneSample(body.getArgument(i).getType()));
    sample.setFunctionType(FunctionType::get(
        &getContext(), body.getArgumentTypes(), sample.getResultTypes()));
    OpPassManager infer(func::FuncOp::getOperationName());
    infer.addPass(tosa::createTosaInferShapesPass());
    if (failed(runPipeline(infer, sample)))
      return failure();
    // Results: batch 1 too, the casts shape inference left at the return
    // dropped where the value is now exactly that.
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    SmallVector<Type> resultTypes;
    for (OpOperand &operand : ret->getOpOperands()) {
      Type want = oneSample(operand.get().getType());
      if (auto cast = operand.get().getDefiningOp<tensor::CastOp>())
        if (cast.getSource().getType() == want) {
          operand.set(cast.getSource());
          if (cast->use_empty())
            cast->erase();
        }
      if (operand.get().getType() != want) {
        OpBuilder b(ret);
        operand.set(b.create<tensor::CastOp>(ret.getLoc(), want, operand.get()));
      }
      resultTypes.push_back(want);
    }
    sample.setFunctionType(FunctionType::get(
        &getContext(), body.getArgumentTypes(), resultTypes));

    // The batched entry point: a loop over the samples.
    Block &entry = fn.getBody().front();
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(entry)))
      op.erase();
    OpBuilder b = OpBuilder::atBlockEnd(&entry);
    Location loc = fn.getLoc();
    Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
    Value one = b.create<arith::ConstantIndexOp>(loc, 1);
    Value batch = b.create<tensor::DimOp>(loc, entry.getArgument(0), zero);
    SmallVector<Value> inits;
    for (Type type : fn.getResultTypes())
      inits.push_back(b.create<tensor::EmptyOp>(
          loc, cast<RankedTensorType>(type), ValueRange{batch}));
    auto loop = b.create<scf::ForOp>(
        loc, zero, batch, one, inits,
        [&](OpBuilder &lb, Location l, Value index, ValueRange accumulated) {
          SmallVector<Value> args;
          for (auto [i, arg] : llvm::enumerate(entry.getArguments())) {
            if (i >= numActivations) {
              args.push_back(arg); // weights, shared by all samples
              continue;
            }
            args.push_back(sliceSample(lb, l, arg, index));
          }
          auto call = lb.create<func::CallOp>(l, sample, args);
          SmallVector<Value> updated;
          for (auto [result, into] :
               llvm::zip(call.getResults(), accumulated))
            updated.push_back(insertSample(lb, l, result, into, index));
          lb.create<scf::YieldOp>(l, updated);
        });
    b.create<func::ReturnOp>(loc, loop.getResults());
    return success();
  }

  /// Offsets [index, 0...], sizes [1, D...], unit strides for `type`.
  static void sampleBox(OpBuilder &b, RankedTensorType type, Value index,
                        SmallVector<OpFoldResult> &offsets,
                        SmallVector<OpFoldResult> &sizes,
                        SmallVector<OpFoldResult> &strides) {
    offsets.assign(type.getRank(), b.getIndexAttr(0));
    offsets[0] = index;
    sizes.clear();
    sizes.push_back(b.getIndexAttr(1));
    for (int64_t d : type.getShape().drop_front())
      sizes.push_back(b.getIndexAttr(d));
    strides.assign(type.getRank(), b.getIndexAttr(1));
  }

  /// Sample `index` of `batched`, copied into a tensor of its own. The copy
  /// (a few kilobytes) matters: bufferised in place, the slice would be a
  /// view at a non-zero offset, and the sample function's arguments have
  /// the identity layout, which assumes offset 0.
  static Value sliceSample(OpBuilder &b, Location loc, Value batched,
                           Value index) {
    auto type = cast<RankedTensorType>(batched.getType());
    SmallVector<OpFoldResult> offsets, sizes, strides;
    sampleBox(b, type, index, offsets, sizes, strides);
    RankedTensorType sampleType = oneSample(type);
    Value slice = b.create<tensor::ExtractSliceOp>(loc, sampleType, batched,
                                                   offsets, sizes, strides);
    Value fresh = b.create<tensor::EmptyOp>(loc, sampleType.getShape(),
                                            sampleType.getElementType());
    return b.create<linalg::CopyOp>(loc, slice, fresh).getResult(0);
  }

  static Value insertSample(OpBuilder &b, Location loc, Value sample,
                            Value into, Value index) {
    auto type = cast<RankedTensorType>(into.getType());
    SmallVector<OpFoldResult> offsets, sizes, strides;
    sampleBox(b, type, index, offsets, sizes, strides);
    return b.create<tensor::InsertSliceOp>(loc, sample, into, offsets, sizes,
                                           strides);
  }
};

} // namespace
