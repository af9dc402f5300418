//===- WriteIntoSlices.cpp - producers write where their copy would go ----===//
//
// After bufferisation every concat and every zero padding is a copy: a
// layer writes a fresh buffer A, then `linalg.copy A -> subview(B)` puts it
// into its channel slice of the concat buffer, or into the interior of the
// zero-padded buffer the next 3x3 convolution reads. On YOLO that is 26
// full passes over feature maps in the backbone alone. This pass makes the
// producers write into the slice directly: A's uses become uses of the
// subview, the copy and A go, and B (its allocation, its zero fill, the
// subview) moves up to before A's allocation. Run on buffers, after the
// deallocations are placed and the microkernel calls made (they take any
// strided output whose innermost stride is 1).
//
// It is only done when the result cannot change: A is a fresh allocation
// of the slice's shape that nothing reads or writes through a view or an
// unknown call, nothing writes A after the copy (so its later readers see
// the same values in the slice), nothing writes B's slice after the copy
// (B's other subviews are disjoint from it, B is otherwise only read after
// the copy), and B's zero fill (if any) has no other slice to clobber. B's
// deallocation moves after A's last reader. The fill then covers only
// what lies outside the slice (a padding's frame: 2% of the 161 x 161
// buffer YOLO's stem pads into), since the producers write the rest.
//
// Also, the batch's results, gathered in a buffer and copied to the
// function's output argument at the end, are gathered in the argument.
//
//===----------------------------------------------------------------------===//

#include "goe/Passes/Passes.h"

#include "FreshBuffers.h"
#include "MicrokernelConvs.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

namespace goe {
#define GEN_PASS_DEF_WRITEINTOSLICES
#include "goe/Passes/Passes.h.inc"
} // namespace goe

using namespace mlir;

namespace {

using goe::freshAllocation;
using goe::kMicrokernelConvSymbol;

/// Removes `copy` of the fresh buffer `source` (allocated by `alloc`) and
/// its deallocations; every other use of it reads or writes `replacement`.
void replaceCopiedBuffer(linalg::CopyOp copy, Value source, Operation *alloc,
                         Value replacement) {
  for (Operation *user : llvm::make_early_inc_range(source.getUsers()))
    if (isa<memref::DeallocOp>(user))
      user->erase();
  copy->erase();
  source.replaceAllUsesWith(replacement);
  alloc->erase();
}

/// Whether `user` (a use of `buffer`) only reads it. A cast counts when
/// every user of the cast is a microkernel call reading it.
bool onlyReads(Operation *user, Value buffer) {
  if (isa<vector::TransferReadOp, memref::LoadOp>(user))
    return true;
  if (auto cast = dyn_cast<memref::CastOp>(user)) {
    for (OpOperand &use : cast->getUses()) {
      auto call = dyn_cast<func::CallOp>(use.getOwner());
      if (!call || call.getCallee() != kMicrokernelConvSymbol ||
          use.getOperandNumber() == goe::kMicrokernelOutputOperand)
        return false;
    }
    return true;
  }
  auto dps = dyn_cast<DestinationStyleOpInterface>(user);
  if (!dps || user->getNumResults() != 0)
    return false;
  for (OpOperand &init : dps.getDpsInitsMutable())
    if (init.get() == buffer)
      return false;
  return true;
}

/// Whether the uses of `user` can take a strided view in place of the
/// identity buffer: the ops the pass knows, which accept any layout.
bool takesAnyLayout(Operation *user) {
  if (isa<vector::TransferReadOp, vector::TransferWriteOp, memref::LoadOp,
          memref::StoreOp, memref::DeallocOp, memref::CastOp>(user))
    return true;
  return isa<DestinationStyleOpInterface>(user) && user->getNumResults() == 0;
}

/// Whether two static subviews of one buffer share no element.
bool disjoint(memref::SubViewOp a, memref::SubViewOp b) {
  if (!a.hasUnitStride() || !b.hasUnitStride())
    return false;
  for (auto [aOffset, aSize, bOffset, bSize] :
       llvm::zip(a.getStaticOffsets(), a.getStaticSizes(),
                 b.getStaticOffsets(), b.getStaticSizes())) {
    if (ShapedType::isDynamic(aOffset) || ShapedType::isDynamic(bOffset) ||
        ShapedType::isDynamic(aSize) || ShapedType::isDynamic(bSize))
      return false;
    if (aOffset + aSize <= bOffset || bOffset + bSize <= aOffset)
      return true;
  }
  return false;
}

/// A linalg op whose only memref operand is `buffer`, as its init (a fill
/// of the whole buffer with a value from outside).
bool isWholeFill(Operation *op, Value buffer) {
  auto dps = dyn_cast<DestinationStyleOpInterface>(op);
  if (!dps || op->getNumResults() != 0 || dps.getNumDpsInits() != 1 ||
      dps.getDpsInits()[0] != buffer)
    return false;
  for (OpOperand *input : dps.getDpsInputOperands())
    if (isa<ShapedType>(input->get().getType()))
      return false;
  return true;
}

class SliceRewrite {
public:
  SliceRewrite(linalg::CopyOp copy, DominanceInfo &dominance)
      : copy(copy), dominance(dominance), block(copy->getBlock()) {}

  /// Rewrites the copy when it is safe; false (and nothing changed) if not.
  bool run() {
    if (!match())
      return false;
    rewrite();
    return true;
  }

private:
  linalg::CopyOp copy;
  DominanceInfo &dominance;
  Block *block;
  Value source, target, whole; // A, subview(B), B
  Operation *sourceAlloc = nullptr;
  memref::SubViewOp slice;
  Operation *fill = nullptr;        // B's zero fill, if any
  SmallVector<Operation *> toHoist; // B's allocation, fill, the slice

  Operation *inBlock(Operation *op) const {
    return block->findAncestorOpInBlock(*op);
  }
  bool afterCopy(Operation *op) const {
    return copy->isBeforeInBlock(inBlock(op));
  }

  bool match() {
    source = copy.getInputs()[0];
    target = copy.getOutputs()[0];
    sourceAlloc = freshAllocation(source);
    slice = target.getDefiningOp<memref::SubViewOp>();
    if (!sourceAlloc || !slice || sourceAlloc->getBlock() != block ||
        slice->getBlock() != block || !slice.hasUnitStride() ||
        slice.getNumOperands() != 1 ||
        cast<MemRefType>(target.getType()).getShape() !=
            cast<MemRefType>(source.getType()).getShape())
      return false;
    auto [strides, offset] =
        getStridesAndOffset(cast<MemRefType>(target.getType()));
    if (strides.empty() || strides.back() != 1)
      return false;
    whole = slice.getSource();
    return sliceUsesFit() && sourceUsesFit() && wholeUsesFit();
  }

  /// The slice: besides the copy, only read after it (a reader before it
  /// would see the producers' values instead of what B held).
  bool sliceUsesFit() {
    for (Operation *user : target.getUsers()) {
      if (user == copy.getOperation())
        continue;
      if (!inBlock(user) || !afterCopy(user) || !onlyReads(user, target))
        return false;
    }
    return true;
  }

  /// A: known ops only, and nothing writes it after the copy.
  bool sourceUsesFit() {
    for (Operation *user : source.getUsers()) {
      if (user == copy.getOperation() || isa<memref::DeallocOp>(user))
        continue;
      if (!takesAnyLayout(user) || !inBlock(user))
        return false;
      if (afterCopy(user) && !onlyReads(user, source))
        return false;
    }
    return true;
  }

  /// B: an argument or a plain allocation in this block; before the copy
  /// only its fill and subviews touch it, after it only readers; other
  /// subviews are disjoint from the slice.
  bool wholeUsesFit() {
    Operation *wholeAlloc = nullptr;
    if (auto arg = dyn_cast<BlockArgument>(whole)) {
      if (arg.getOwner() != &block->getParent()->front())
        return false;
    } else {
      wholeAlloc = freshAllocation(whole);
      if (!wholeAlloc || wholeAlloc->getBlock() != block)
        return false;
    }
    int otherSlices = 0;
    for (Operation *user : whole.getUsers()) {
      if (user == slice.getOperation())
        continue;
      // Its deallocation moves after the slice's last reader: only one at
      // the top of the block can.
      if (isa<memref::DeallocOp>(user)) {
        if (user->getBlock() != block)
          return false;
        continue;
      }
      if (auto other = dyn_cast<memref::SubViewOp>(user)) {
        if (!disjoint(slice, other))
          return false;
        ++otherSlices;
        continue;
      }
      if (!inBlock(user))
        return false;
      if (afterCopy(user)) {
        if (!onlyReads(user, whole))
          return false;
      } else if (!fill && isWholeFill(user, whole) &&
                 user->getBlock() == block) {
        fill = user;
      } else {
        return false;
      }
    }
    // A fill moved up could clobber another slice written before it.
    if (fill && otherSlices)
      return false;
    for (Operation *op : {wholeAlloc, fill, slice.getOperation()})
      if (op && sourceAlloc->isBeforeInBlock(op))
        toHoist.push_back(op);
    // The fill's values (the zero) must be available up there.
    if (fill && llvm::is_contained(toHoist, fill)) {
      llvm::SetVector<Value> captured;
      getUsedValuesDefinedAbove(fill->getRegions(), captured);
      for (Value operand : fill->getOperands())
        captured.insert(operand);
      for (Value value : captured)
        if (value != whole && !dominance.properlyDominates(value, sourceAlloc))
          return false;
    }
    return true;
  }

  /// Whether a copy of the fill on a part of B writes there what the fill
  /// wrote: a value that does not depend on where (no linalg.index).
  static bool positionFree(Operation *fill) {
    if (isa<linalg::FillOp>(fill))
      return true;
    if (!isa<linalg::MapOp, linalg::GenericOp>(fill))
      return false;
    return !fill->walk([](linalg::IndexOp) { return WalkResult::interrupt(); })
                .wasInterrupted();
  }

  /// The fill of B, restricted to what lies outside the slice: for each
  /// dimension d, the parts before and after the slice along d, within
  /// the slice along the dimensions before d (at most 2 x rank fills, no
  /// element twice). Left whole when a shape or offset is not static, or
  /// when the fill's values depend on the position.
  void fillOutsideSlice() {
    auto type = cast<MemRefType>(whole.getType());
    ArrayRef<int64_t> offsets = slice.getStaticOffsets();
    ArrayRef<int64_t> sizes = slice.getStaticSizes();
    if (!type.hasStaticShape() || ShapedType::isDynamicShape(offsets) ||
        ShapedType::isDynamicShape(sizes) || !positionFree(fill))
      return;
    OpBuilder builder(fill);
    auto index = [&](int64_t v) -> OpFoldResult {
      return builder.getIndexAttr(v);
    };
    int64_t rank = type.getRank();
    for (int64_t d = 0; d < rank; ++d) {
      int64_t end = offsets[d] + sizes[d];
      for (auto [begin, extent] : {std::pair<int64_t, int64_t>{0, offsets[d]},
                                   {end, type.getDimSize(d) - end}}) {
        if (extent == 0)
          continue;
        SmallVector<OpFoldResult> at, size, step(rank, index(1));
        for (int64_t j = 0; j < rank; ++j) {
          at.push_back(index(j < d ? offsets[j] : j == d ? begin : 0));
          size.push_back(index(j < d    ? sizes[j]
                               : j == d ? extent
                                        : type.getDimSize(j)));
        }
        Value part = builder.create<memref::SubViewOp>(fill->getLoc(), whole,
                                                       at, size, step);
        IRMapping mapping;
        mapping.map(whole, part);
        builder.clone(*fill, mapping);
      }
    }
    fill->erase();
  }

  void rewrite() {
    for (Operation *op : toHoist)
      op->moveBefore(sourceAlloc);
    replaceCopiedBuffer(copy, source, sourceAlloc, target);
    if (fill)
      fillOutsideSlice();
    // B now lives until the slice's last reader.
    Operation *last = nullptr;
    for (Operation *user : target.getUsers())
      if (Operation *top = inBlock(user); !last || last->isBeforeInBlock(top))
        last = top;
    for (Operation *user : llvm::make_early_inc_range(whole.getUsers()))
      if (isa<memref::DeallocOp>(user) && user->getBlock() == block && last &&
          user->isBeforeInBlock(last))
        user->moveAfter(last);
  }
};

/// `copy A -> out` at the end of a function, where `out` is an output
/// argument nothing else uses and A a buffer of its type (the batch's
/// results, gathered sample by sample): the function writes `out` directly.
/// The runtime never passes an output that aliases an input, so writing it
/// early changes nothing.
bool writeOutputDirectly(linalg::CopyOp copy) {
  Value source = copy.getInputs()[0], out = copy.getOutputs()[0];
  auto arg = dyn_cast<BlockArgument>(out);
  Operation *alloc = source.getDefiningOp();
  Block *block = copy->getBlock();
  if (!arg || arg.getOwner() != &block->getParent()->front() ||
      !arg.hasOneUse() || !alloc || !isa<memref::AllocOp>(alloc) ||
      alloc->getBlock() != block || source.getType() != out.getType())
    return false;
  for (Operation *user : source.getUsers()) {
    if (user == copy.getOperation() || isa<memref::DeallocOp>(user))
      continue;
    Operation *top = block->findAncestorOpInBlock(*user);
    if (!top || copy->isBeforeInBlock(top))
      return false;
  }
  replaceCopiedBuffer(copy, source, alloc, out);
  return true;
}

struct WriteIntoSlices
    : public goe::impl::WriteIntoSlicesBase<WriteIntoSlices> {
  void runOnOperation() override {
    func::FuncOp function = getOperation();
    SmallVector<linalg::CopyOp> copies;
    function.walk([&](linalg::CopyOp copy) { copies.push_back(copy); });
    for (linalg::CopyOp copy : copies) {
      if (writeOutputDirectly(copy))
        continue;
      // Each rewrite moves ops: fresh dominance each time.
      DominanceInfo dominance(function);
      (void)SliceRewrite(copy, dominance).run();
    }
  }
};

} // namespace
