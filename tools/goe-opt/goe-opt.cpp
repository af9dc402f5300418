//===- goe-opt.cpp - mlir-opt with the goe dialect and passes -------------===//

#include "goe/Dialect/Goe/GoeDialect.h"
#include "goe/Passes/Passes.h"
#include "goe/Passes/Pipelines.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  goe::registerGoePasses();
  goe::registerGoePipelines();
  goe::registerGoeGpuPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  registry.insert<goe::GoeDialect>();
  // Translation interfaces: --goe-lower-to-nvvm serializes kernels to PTX.
  goe::registerCodegenDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "goe optimizer driver\n", registry));
}
