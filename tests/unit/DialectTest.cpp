//===- DialectTest.cpp - goe types and ops through the C++ API ------------===//

#include "TestUtil.h"

#include "goe/Dialect/Goe/GoeOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

TEST(Dialect, RoutingTypeChecksKAgainstChoices) {
  goe::test::Context context;
  context.get()->loadDialect<goe::GoeDialect>();
  auto emit = [&] { return emitError(UnknownLoc::get(context.get())); };
  EXPECT_TRUE(goe::RoutingType::getChecked(emit, context.get(), int64_t(4), int64_t(2)));
  EXPECT_FALSE(goe::RoutingType::getChecked(emit, context.get(), int64_t(4), int64_t(5)));
  EXPECT_NE(context.lastError().find("picks k in [1, 4] choices, got k = 5"),
            std::string::npos);
  EXPECT_FALSE(goe::RoutingType::getChecked(emit, context.get(), int64_t(0), int64_t(1)));
}

TEST(Dialect, RouterVerifierRejectsMissingBody) {
  goe::test::Context context;
  MLIRContext *ctx = context.get();
  ctx->loadDialect<goe::GoeDialect>();
  OpBuilder b(ctx);
  OwningOpRef<ModuleOp> module = ModuleOp::create(b.getUnknownLoc());
  b.setInsertionPointToEnd(module->getBody());
  b.create<goe::RouterOp>(b.getUnknownLoc(), b.getStringAttr("gate"),
                          goe::RouterKindAttr::get(ctx, goe::RouterKind::TopK),
                          b.getI64IntegerAttr(4), b.getI64IntegerAttr(2),
                          FlatSymbolRefAttr(), DictionaryAttr());
  EXPECT_TRUE(failed(verify(*module)));
  EXPECT_NE(context.lastError().find("of kind 'topk' needs a body function"),
            std::string::npos)
      << context.lastError();
}

} // namespace
