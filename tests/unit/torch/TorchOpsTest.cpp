//===- TorchOpsTest.cpp - every layer op has a LibTorch side --------------===//
//
// InstanceModule looks each layer's op up by its definition object; an op
// added to the spec library without its pair in frontends/torch/lib/ops/
// must fail here, not at a user's first forward().
//
//===----------------------------------------------------------------------===//

#include "ops/TorchOp.h"

#include <gtest/gtest.h>

using namespace goe;

namespace {

TEST(TorchOps, EveryLayerOpHasALibTorchSide) {
  for (const spec::LayerOp *op : spec::allLayerOps()) {
    const torchref::detail::TorchOp *torchOp =
        torchref::detail::findTorchOp(*op);
    ASSERT_NE(torchOp, nullptr) << op->name;
    EXPECT_EQ(&torchOp->op, op) << op->name;
    EXPECT_NE(torchOp->forward, nullptr) << op->name;
  }
}

TEST(TorchOps, BatchedAxisCountsPerSampleAxesFromTheEnd) {
  // [C, H, W] per sample: axis 0 is the channels (batched 1), -1 the width.
  EXPECT_EQ(torchref::detail::batchedAxis({8, 4, 4}, 0), 1);
  EXPECT_EQ(torchref::detail::batchedAxis({8, 4, 4}, -1), 3);
}

} // namespace
