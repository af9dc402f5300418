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

def FoldBatchNorm : Pass<"goe-fold-batchnorm", "::mlir::ModuleOp"> {
  let summary = "Folds inference batch-norm into the preceding convolution";
  let description = [{
    Matches a `tosa.conv2d` whose result feeds only the batch-norm the spec
    frontend emits, `(y - mean) * (gamma * rsqrt(var + eps)) + beta`, with
    every parameter loaded from an `ml_program.global` that holds a value
    (weights bound), and replaces both by one convolution with new globals
    `<conv>.folded_weight = W * s` and `<conv>.folded_bias = (b - mean) * s +
    beta`, `s = gamma / sqrt(var + eps)` per output channel. Convolutions
    whose weights are not bound are left alone. Globals nothing uses any
    more are removed.
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect",
                           "::mlir::ml_program::MLProgramDialect"];
}

def SpecializePaths : Pass<"goe-specialize-paths", "::mlir::ModuleOp"> {
  let summary = "One function per routed path, its experts inlined";
  let description = [{
    For every `goe.dispatch` whose paths chain several expert functions
    (a Graph-of-Experts tree), creates `@<first expert>.path<i>`-style
    functions `@<dispatch name>.path<i>` that call the chain in order,
    inlines those calls, and makes the dispatch call the one function per
    path. Along a path the modules are then one function, so fusion crosses
    module boundaries, and the runtime makes one native call per path group.
    The expert functions no path uses any more are removed. Shared prefixes
    (a tree's root) are compiled once per path: each input still runs each
    module of its path exactly once.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def WeightsToArguments : Pass<"goe-weights-to-arguments", "::mlir::ModuleOp"> {
  let summary = "Turns each function's weight loads into trailing arguments";
  let description = [{
    Every `ml_program.global_load_const` in a `func.func` becomes a new
    argument appended after the function's inputs, in first-use order, and
    the function records the global names in `goe.weights` (an array of
    symbol references) so the runtime knows which buffer goes where. Calls
    of such functions pass the globals along. Afterwards expert bodies are
    plain tensor functions that upstream bufferization and LLVM lowering
    accept, and one compiled path serves any set of weights.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::ml_program::MLProgramDialect"];
}

def ExtractKernels : Pass<"goe-extract-kernels", "::mlir::ModuleOp"> {
  let summary = "Keeps only the expert functions, ready for code generation";
  let description = [{
    Removes what the runtime interprets rather than compiles (the
    `goe.graph`, `goe.router` declarations and the weight globals) and marks
    every remaining function public with `llvm.emit_c_interface`, so each
    gets a `_mlir_ciface_<name>` entry point the runtime resolves. Run after
    goe-weights-to-arguments: a function that still loads a global is an
    error, since the runtime could not bind it.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def InterchangeForVectorization
    : Pass<"goe-interchange-for-vectorization", "::mlir::func::FuncOp"> {
  let summary = "Makes the output's contiguous loop the innermost one";
  let description = [{
    For every `linalg.generic` with reductions (convolutions, matmuls),
    reorders the loops to: the other parallel loops, then the reductions,
    then the parallel loop that walks the output's last (contiguous)
    dimension. After lowering to loops, the innermost loop then writes
    consecutive output elements from consecutive (or invariant) inputs, with
    no reduction carried in it, which LLVM's loop vectoriser turns into SIMD
    code without reassociating floating-point sums. Run after
    `linalg-generalize-named-ops`; with NHWC activations and HWCF
    convolution weights the output channel is that loop.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // GOE_PASSES_TD
