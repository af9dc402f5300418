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

def TileAndVectorize
    : Pass<"goe-tile-and-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Tiles convolutions, poolings, matmuls and elementwise ops "
                "to register-sized tiles and vectorises them";
  let description = [{
    Tiles each op (on tensors) so that one tile's output is one sample, one
    output row, at most 8 pixels and at most 32 channels; 2-D windows are
    tiled to one window row and decomposed into 1-D convolutions; input
    channels and matmul depth are tiled by at most 16. Tile sizes divide
    the static extents, so every tile is static and full; the batch is
    tiled by one. The tiles are then vectorised and the accumulator's
    transfers hoisted out of the reduction loops, so it stays in registers.
    Run before `linalg-generalize-named-ops`: it matches named ops.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def LowerVectorContractions
    : Pass<"goe-lower-vector-contractions", "::mlir::func::FuncOp"> {
  let summary = "Lowers vector contractions to outer products and FMAs";
  let description = [{
    Drops leading unit dimensions of vectors, then lowers `vector.contract`
    to `vector.outerproduct` and on to `vector.fma` (one broadcast and one
    FMA per accumulator vector for each reduction index), instead of the
    dot-product lowering the LLVM conversion would pick. Transposes,
    broadcasts, shape casts and multi-reductions are lowered on the way.
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect"];
}

//===----------------------------------------------------------------------===//
// GPU (CUDA) lowering: buildCudaLoweringPipeline in GpuPipelines.cpp.
//===----------------------------------------------------------------------===//

def MapLoopsToGpu : Pass<"goe-map-loops-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Turns each top-level parallel loop nest into a GPU launch";
  let description = [{
    For every `scf.parallel` directly in a `func.func` body (what
    `convert-linalg-to-parallel-loops` makes of one linalg op), creates a
    `gpu.launch` whose iteration space is the loop's whole parallel space,
    linearised with the last (contiguous) dimension fastest and split into
    blocks of `block-size` threads: block `b`, thread `t` runs point
    `b * block-size + t`, guarded against the tail. Reductions inside the
    loop (`scf.for`) stay sequential per thread. The grid is
    `ceildiv(total, block-size)` computed on the host from the loop bounds,
    so it follows the batch. Pure index computations and memref views the
    body uses are sunk into the launch, so that after outlining a kernel's
    arguments are only function arguments, host allocations and index
    scalars: what a runtime without a compiler can supply. Any other
    top-level op that writes memory is an error (it would need a host
    interpreter). Marks the module `gpu.container_module`.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", "256",
           "Threads per block (one dimension)">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def WriteIntoSlices
    : Pass<"goe-write-into-slices", "::mlir::func::FuncOp"> {
  let summary = "Producers write into the concat or padding slice they are copied to";
  let description = [{
    On buffers: `linalg.copy A -> subview(B)` where A is a fresh buffer
    (a concat input, the interior of a zero-padded buffer) is removed, A's
    producers and readers use the subview instead, and B's allocation, fill
    and subview move before A's allocation. Only where nothing can observe
    the difference (see WriteIntoSlices.cpp). Run after the deallocations
    are placed and the microkernel calls made.
  }];
}

def ApproximateMath
    : Pass<"goe-approximate-math", "::mlir::func::FuncOp"> {
  let summary = "Rewrites f32 math functions as inline polynomials";
  let description = [{
    math.exp, tanh, log, erf and the others become MLIR's polynomial
    approximations (arith ops), so that they vectorise instead of becoming
    one libm call per element. Errors of a few ulp. CPU pipeline, before
    the lowering to LLVM.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def DropBatchBroadcasts
    : Pass<"goe-drop-batch-broadcasts", "::mlir::func::FuncOp"> {
  let summary = "Removes run-time broadcast checks along the batch";
  let description = [{
    tosa-to-linalg guards each batched operand of an elementwise op with
    `scf.if (dim(x, 0) == 1) { broadcast x } else { x }`, since it cannot
    know that two `?` batch sizes are equal. In a goe expert function they
    are (the runtime runs a function on one group), so the broadcast is the
    identity: the `scf.if` is replaced by `x`. Needed on the GPU, where a
    host-side branch cannot be expressed in a launch plan. Run after
    tosa-to-linalg, on tensors.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def GatherGpuKernels : Pass<"goe-gather-gpu-kernels", "::mlir::ModuleOp"> {
  let summary = "Moves all outlined kernels into one gpu.module with PTX-safe names";
  let description = [{
    `gpu-kernel-outlining` makes one `gpu.module` per launch, named after
    its host function (`paths.path0_kernel`). This pass moves every kernel
    into a single `gpu.module @goe_kernels` (one PTX file, one cubin, one
    driver module to load) and renames each to a unique `[A-Za-z0-9_]`
    name: PTX identifiers cannot hold `.`, and the NVPTX back end would
    otherwise mangle names behind the artifact's back, while the runtime
    looks kernels up by exactly the recorded name. Other symbols the
    kernels use (constant globals) are moved once. Every `gpu.launch_func`
    is updated.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def PrepackWeights : Pass<"goe-prepack-weights", "::mlir::ModuleOp"> {
  let summary = "Stores bound weights in the layout the CPU kernels read";
  let description = [{
    For bound weights only: a convolution's OIHW weight is stored HWCF (as
    `<name>.hwcf`) and a fully-connected layer's [out, in] weight as
    [in, out] (`<name>.io`). The IR keeps an explicit transpose back to the
    layout the TOSA op expects, the inverse of the one TOSA-to-linalg
    inserts, so that canonicalisation removes both and no weight is copied
    at run time. Globals left unread are erased.
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect",
                           "::mlir::ml_program::MLProgramDialect"];
}

def SampleLoop : Pass<"goe-sample-loop", "::mlir::ModuleOp"> {
  let summary = "Runs each batched kernel as a loop over single samples";
  let description = [{
    Splits every function whose activations and results are [?, static...]
    into a private `<name>.sample` (the body on batch 1, shapes refined by
    TOSA shape inference) and the entry point `<name>` with its signature
    unchanged: an `scf.for` over the batch that copies sample b of each
    activation into a tensor of its own, calls the sample function with the weights as they are,
    and inserts its results at b. Intermediates become per-sample and
    static: cache-resident, stack-allocatable, tileable without masks.
    Run after `goe-extract-kernels`, on TOSA.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::tosa::TosaDialect"];
}

def ShareIdenticalKernels : Pass<"goe-share-identical-kernels", "::mlir::ModuleOp"> {
  let summary = "Compiles each set of identical private kernel bodies once";
  let description = [{
    Finds private functions with the same signature and bodies equal op for
    op (locations aside): after `goe-weights-to-arguments` and
    `goe-sample-loop`, the per-sample bodies of experts that are copies of
    one module. The first of each set is kept; `func.call`s of the others
    call it instead, and the others are erased. Public entry points are
    never merged, so every kernel keeps its name. Run after
    `goe-sample-loop`.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def FuseTransposes : Pass<"goe-fuse-transposes", "::mlir::func::FuncOp"> {
  let summary = "Fuses each transpose into the elementwise op that reads it";
  let description = [{
    On tensors: a `linalg.transpose` whose only user is an elementwise
    `linalg.generic` becomes a generic and is fused into that consumer,
    which then reads the transpose's input through the permuted map: no
    transposed copy is written. Run after linalg's elementwise fusion and
    the canonicalizer that cancels paired weight transposes.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def GeneralizeNamedOps
    : Pass<"goe-generalize-named-ops", "::mlir::func::FuncOp"> {
  let summary = "Generalises named linalg ops, except the convolutions the "
                "C microkernel runs";
  let description = [{
    `linalg-generalize-named-ops`, with one exception: a
    `linalg.conv_2d_nhwc_hwcf` that `goe-convs-to-microkernel-calls` will
    turn into a call (f32, static shapes, at least 32 output channels)
    stays named, so that the call pass can still recognise it after
    bufferisation.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def ConvsToMicrokernelCalls
    : Pass<"goe-convs-to-microkernel-calls", "::mlir::ModuleOp"> {
  let summary = "Runs large convolutions through goe's C microkernel";
  let description = [{
    Replaces each `linalg.conv_2d_nhwc_hwcf` on buffers with at least 32
    output channels (f32, static shapes, every operand
    contiguous in its last dimension) by a call of
    `goe_conv2d_nhwc_hwcf_f32(input, filter, output, stride_h, stride_w,
    dilation_h, dilation_w, epilogue, slope)`, declared with
    `llvm.emit_c_interface`. When the convolution's buffer is read only by
    an elementwise max(x, slope * x) into a fresh buffer (LeakyReLU), the
    call applies it as it stores (epilogue 1) and that generic goes, its
    buffer replaced by the convolution's; otherwise epilogue 0. The
    CPU back end links its C definition (ConvMicrokernel.cpp), compiled for
    the target CPU. Run after bufferisation, before linalg-to-loops.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def OutlineLoopNests : Pass<"goe-outline-loop-nests", "::mlir::ModuleOp"> {
  let summary = "Moves each top-level loop nest of a large function into a function of its own";
  let description = [{
    For every function with at least `min-function-ops` operations, each
    result-less `scf.for` directly in its body with at least
    `min-nest-ops` operations becomes a private function `<name>.nest<i>`
    called in its place. Values the nest uses from outside become
    arguments, except constants, which are cloned in. LLVM's loop passes
    and code generator take superlinear time in a function's size, so a
    large per-sample body compiles faster in pieces. Run after
    bufferisation and linalg-to-loops, before lowering to LLVM.
  }];
  let options = [
    Option<"minFunctionOps", "min-function-ops", "unsigned", "5000",
           "Split only functions with at least this many operations">,
    Option<"minNestOps", "min-nest-ops", "unsigned", "64",
           "Outline only nests with at least this many operations">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

#endif // GOE_PASSES_TD
