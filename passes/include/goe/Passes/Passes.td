//===- Passes.td - goe passes ------------------------------*- tablegen -*-===//
//
// Passes over goe modules, one file each under passes/lib. Analyses come
// first; the lowering pipeline (specialize paths, fuse, lower to linalg,
// bufferize, LLVM) is built by goe::buildCompilePipeline as it lands.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_PASSES_TD
#define GOE_PASSES_TD

include "mlir/Pass/PassBase.td"

def AnnotateMacs : Pass<"goe-annotate-macs", "::mlir::ModuleOp"> {
  let summary = "Counts multiply-accumulates per sample of every function";
  let description = [{
    Sets `goe.macs` (i64) on every `func.func`: the multiply-accumulates one
    sample costs in its convolutions and fully-connected layers (the measure
    the Graph-of-Experts work reports as "FLOPs"). Calls of other functions
    add the callee's count. `goe-compile --emit=paths` and the MAC tables of
    experiments read it, so costs are measured on the IR that is compiled,
    not re-derived from the spec.
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

#endif // GOE_PASSES_TD
