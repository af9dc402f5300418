//===- ConvsToMicrokernelCalls.cpp - large convolutions as microkernel calls ===//
//
// MLIR's tiled and vectorised convolutions reach about a fifth of the FMA
// peak on YOLO's layers (LLVM spills the accumulators and weights of the
// vectorised tiles), while a direct convolution blocked by hand for the
// register file reaches three quarters of it. So the CPU pipeline sends
// every convolution with a multiple of 32 output channels to the C
// microkernel of ConvMicrokernel.cpp, which the back end compiles for the
// target CPU and links next to the kernels (the way IREE calls its
// microkernels). Two passes share the choice (MicrokernelConvs.h):
//
//   goe-generalize-named-ops          keeps those convolutions named, so
//                                     they are still recognisable after
//                                     bufferisation;
//   goe-convs-to-microkernel-calls    replaces them, on buffers, by calls,
//                                     each applying the LeakyReLU that
//                                     follows it where it can
//                                     (ConvEpilogue.h), and starting from
//                                     the bias that filled its output
//                                     (the fill removed).
//
//===----------------------------------------------------------------------===//

#include "goe/Passes/Passes.h"

#include "ConvEpilogue.h"
#include "MicrokernelConvs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

namespace goe {
#define GEN_PASS_DEF_GENERALIZENAMEDOPS
#define GEN_PASS_DEF_CONVSTOMICROKERNELCALLS
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

using goe::kMicrokernelConvSymbol;

struct GeneralizeNamedOps
    : public goe::impl::GeneralizeNamedOpsBase<GeneralizeNamedOps> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> named;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!isa<linalg::GenericOp>(op) && !goe::isMicrokernelConv(op))
        named.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : named) {
      rewriter.setInsertionPoint(op);
      // Named ops without a generic form (none in goe's lowering today)
      // stay named; linalg-to-loops lowers them either way.
      (void)linalg::generalizeNamedOp(rewriter, op);
    }
  }
};

/// A rank-4 f32 memref with fully dynamic sizes, strides and offset: the
/// one signature every call site casts to.
MemRefType anyLayoutMemRef(MLIRContext *context) {
  int64_t dynamic = ShapedType::kDynamic;
  auto layout = StridedLayoutAttr::get(context, dynamic,
                                       {dynamic, dynamic, dynamic, dynamic});
  return MemRefType::get({dynamic, dynamic, dynamic, dynamic},
                         Float32Type::get(context), layout);
}

/// The microkernel reads every operand's last dimension as contiguous.
bool innermostContiguous(Value buffer) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  return type && succeeded(getStridesAndOffset(type, strides, offset)) &&
         !strides.empty() && strides.back() == 1;
}

func::FuncOp declareMicrokernel(ModuleOp module) {
  if (auto existing =
          module.lookupSymbol<func::FuncOp>(kMicrokernelConvSymbol))
    return existing;
  MLIRContext *context = module.getContext();
  OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
  Type memref = anyLayoutMemRef(context);
  Type i64 = builder.getI64Type();
  // input, filter, output, the values the sums start from, strides,
  // dilations, then the epilogue: 1 applies max(x, slope x) to each stored
  // output, 0 stores the sums as they are.
  auto type = builder.getFunctionType(
      {memref, memref, memref, memref, i64, i64, i64, i64, i64,
       builder.getF32Type()},
      {});
  auto fn = builder.create<func::FuncOp>(module.getLoc(),
                                        kMicrokernelConvSymbol, type);
  fn.setPrivate();
  fn->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
  return fn;
}

/// The bias broadcast that fills `conv`'s output just before it (only ops
/// without memory effects between), with an identity-layout bias that is
/// a function argument (a weight: it cannot alias the output, which the
/// call writes while it reads the bias); null otherwise.
linalg::GenericOp biasFillOf(linalg::Conv2DNhwcHwcfOp conv) {
  Value output = conv.getDpsInits()[0];
  for (Operation *op = conv->getPrevNode(); op; op = op->getPrevNode()) {
    if (goe::isBiasBroadcast(op)) {
      auto fill = cast<linalg::GenericOp>(op);
      auto bias = cast<MemRefType>(fill.getDpsInputOperand(0)->get().getType());
      if (fill.getDpsInits()[0] != output || !bias.getLayout().isIdentity() ||
          !isa<BlockArgument>(fill.getDpsInputOperand(0)->get()))
        return nullptr;
      return fill;
    }
    if (!isMemoryEffectFree(op))
      return nullptr;
  }
  return nullptr;
}

/// What the microkernel's sums start from: the output's own values, or,
/// when a bias broadcast filled it, the bias read in place as a
/// [N, H, W, F] view with pixel strides 0 (the fill is erased).
Value startValues(OpBuilder &builder, linalg::Conv2DNhwcHwcfOp conv) {
  Value output = conv.getDpsInits()[0];
  linalg::GenericOp fill = biasFillOf(conv);
  if (!fill)
    return output;
  Value bias = fill.getDpsInputOperand(0)->get();
  ArrayRef<int64_t> shape = cast<MemRefType>(output.getType()).getShape();
  auto type = MemRefType::get(
      shape, Float32Type::get(builder.getContext()),
      StridedLayoutAttr::get(builder.getContext(), 0, {0, 0, 0, 1}),
      cast<MemRefType>(bias.getType()).getMemorySpace());
  Value view = builder.create<memref::ReinterpretCastOp>(
      conv.getLoc(), type, bias, /*offset=*/0, shape,
      ArrayRef<int64_t>{0, 0, 0, 1});
  fill.erase();
  return view;
}

struct ConvsToMicrokernelCalls
    : public goe::impl::ConvsToMicrokernelCallsBase<ConvsToMicrokernelCalls> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::Conv2DNhwcHwcfOp> convs;
    module.walk([&](linalg::Conv2DNhwcHwcfOp conv) {
      if (conv.hasPureBufferSemantics() && goe::isMicrokernelConv(conv) &&
          llvm::all_of(conv->getOperands(), innermostContiguous))
        convs.push_back(conv);
    });
    if (convs.empty())
      return;
    func::FuncOp callee = declareMicrokernel(module);
    Type memref = anyLayoutMemRef(&getContext());
    for (linalg::Conv2DNhwcHwcfOp conv : convs) {
      std::optional<goe::ConvActivation> activation =
          goe::findFusableActivation(conv);
      OpBuilder builder(conv);
      Location loc = conv.getLoc();
      SmallVector<Value> arguments;
      for (Value operand : conv->getOperands())
        arguments.push_back(
            builder.create<memref::CastOp>(loc, memref, operand));
      arguments.push_back(builder.create<memref::CastOp>(
          loc, memref, startValues(builder, conv)));
      auto i64 = [&](int64_t value) -> Value {
        return builder.create<arith::ConstantIntOp>(loc, value, 64);
      };
      SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
      SmallVector<int64_t> dilations(
          conv.getDilations().getValues<int64_t>());
      arguments.append({i64(strides[0]), i64(strides[1]), i64(dilations[0]),
                        i64(dilations[1]), i64(activation ? 1 : 0)});
      arguments.push_back(builder.create<arith::ConstantFloatOp>(
          loc, APFloat(activation ? activation->slope : 0.0f),
          builder.getF32Type()));
      builder.create<func::CallOp>(loc, callee, arguments);
      if (activation)
        goe::foldActivationIntoConv(conv, *activation);
      conv.erase();
    }
  }
};

} // namespace
