//===- GoeOps.td - goe operations --------------------------*- tablegen -*-===//

#ifndef GOE_DIALECT_GOE_GOEOPS_TD
#define GOE_DIALECT_GOE_GOEOPS_TD

include "goe/Dialect/Goe/GoeDialect.td"
include "mlir/Interfaces/FunctionInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/BuiltinAttributes.td"

//===----------------------------------------------------------------------===//
// goe.graph / goe.output
//===----------------------------------------------------------------------===//

def Goe_GraphOp : Goe_Op<"graph", [
    FunctionOpInterface, IsolatedFromAbove, SingleBlock]> {
  let summary = "a routed model: inputs in, routers, dispatch, combine, outputs";
  let description = [{
    The entry of a goe model. Its arguments are the model inputs with a
    dynamic batch dimension, channels-first for images. The body ends in
    `goe.output`.

    ```mlir
    goe.graph @mnist(%image: tensor<?x1x28x28xf32>, %group: tensor<?xi64>)
        -> tensor<?x10xf32> { ... goe.output %logits : tensor<?x10xf32> }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<FunctionType>:$function_type,
                       OptionalAttr<DictArrayAttr>:$arg_attrs,
                       OptionalAttr<DictArrayAttr>:$res_attrs);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::Region *getCallableRegion() { return &getBody(); }
    ::llvm::ArrayRef<::mlir::Type> getArgumentTypes() {
      return getFunctionType().getInputs();
    }
    ::llvm::ArrayRef<::mlir::Type> getResultTypes() {
      return getFunctionType().getResults();
    }
  }];
}

def Goe_OutputOp : Goe_Op<"output", [
    Pure, HasParent<"GraphOp">, ReturnLike, Terminator]> {
  let summary = "the results of a goe.graph";
  let arguments = (ins Variadic<AnyType>:$results);
  let assemblyFormat = "attr-dict ($results^ `:` type($results))?";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// goe.router / goe.route
//===----------------------------------------------------------------------===//

def Goe_RouterOp : Goe_Op<"router", [
    Symbol, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "declares a router: its kind, fan-out, k and parameters";
  let description = [{
    A router chooses, for every input, `k` of `choices` paths or experts.
    `oracle` reads an integer label per input; `random` picks uniformly
    (an ablation); `vqvae_hclust` runs the encoder function `body`, finds the
    nearest codebook entry per latent position and the nearest cluster centre
    of the flattened code, whose leaf in the hierarchical 2-means tree is the
    path; `topk` runs the gate function `body` to `choices` logits, takes a
    softmax and keeps the top k with weights renormalised to sum 1.
    Learned state (codebook, centres) is bound with the weights; `params`
    holds the hyper-parameters (e.g. `codes`, `code_dim`, `balance_weight`).

    ```mlir
    goe.router @gate topk choices 4 top 2 body @gate.gate_net
        params {balance_weight = 1.000000e-02 : f64}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       Goe_RouterKind:$kind,
                       I64Attr:$choices,
                       I64Attr:$k,
                       OptionalAttr<FlatSymbolRefAttr>:$body,
                       OptionalAttr<DictionaryAttr>:$params);
  let assemblyFormat = [{
    $sym_name $kind `choices` $choices `top` $k (`body` $body^)?
    (`params` $params^)? attr-dict
  }];
  let hasVerifier = 1;
}

def Goe_RouteOp : Goe_Op<"route", [
    Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "runs a router on a batch";
  let description = [{
    ```mlir
    %r = goe.route @oracle(%group) : tensor<?xi64> -> !goe.routing<4, top 1>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$router, AnyRankedTensor:$input);
  let results = (outs Goe_RoutingType:$routing);
  let assemblyFormat = [{
    $router `(` $input `)` attr-dict `:` type($input) `->` qualified(type($routing))
  }];
}

//===----------------------------------------------------------------------===//
// goe.dispatch / goe.combine
//===----------------------------------------------------------------------===//

def Goe_DispatchOp : Goe_Op<"dispatch", [
    Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "runs each input through the paths its route chose, and only those";
  let description = [{
    `paths` lists, per choice, a chain of expert functions: the first takes
    the dispatch inputs, each next one the previous one's results. Every path
    ends in results of the same types. Result `i` stacks, per input, the k
    chosen paths' result `i`: a path result `tensor<?xD...>` becomes
    `tensor<?xkxD...>`, in the order of the route's choices.

    ```mlir
    %y = goe.dispatch %r(%x) paths [[@t.l0.n0, @t.l1.n0], [@t.l0.n0, @t.l1.n1]]
        : !goe.routing<2, top 1>, (tensor<?x28x28x1xf32>) -> tensor<?x1x10xf32>
    ```
  }];
  let arguments = (ins Goe_RoutingType:$routing,
                       Variadic<AnyRankedTensor>:$inputs,
                       ArrayAttr:$paths);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    $routing `(` $inputs `)` `paths` $paths attr-dict `:` qualified(type($routing)) `,`
    `(` type($inputs) `)` `->` type($results)
  }];
  let extraClassDeclaration = [{
    /// The expert functions of path `index`, in order.
    ::llvm::SmallVector<::mlir::FlatSymbolRefAttr> getPath(unsigned index);
    unsigned getNumPaths() { return getPaths().size(); }
  }];
}

def Goe_CombineOp : Goe_Op<"combine", [Pure]> {
  let summary = "merges the k per-choice results of a dispatch into one per input";
  let description = [{
    - `select` (k = 1): `tensor<?x1xD...>` → `tensor<?xD...>` for each input.
    - `weighted_sum`: Σ over the k choices of route weight × result.
    - `importance_mix` (k = 1): inputs baseline `[B, C]`, expert scores
      `[B, 1, C]`, importance `[B, 1, C, 2]`; result
      `baseline · imp[..., 0] + scores · imp[..., 1]`, shape `[B, C]`.
    - `wbf`: inputs are YOLO head levels `[B, k, 3, H, W, nc + 5]`; each
      expert's boxes go through NMS, then weighted boxes fusion across the
      k experts, weighted by the route; result `[B, max_det, 6]`
      (x1 y1 x2 y2 score label, zero rows past the last box).
  }];
  let arguments = (ins Goe_CombineKind:$kind,
                       Goe_RoutingType:$routing,
                       Variadic<AnyRankedTensor>:$inputs,
                       OptionalAttr<DictionaryAttr>:$params);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    $kind $routing `,` $inputs (`params` $params^)? attr-dict `:`
    qualified(type($routing)) `,` type($inputs) `->` type($results)
  }];
  let hasVerifier = 1;
}

#endif // GOE_DIALECT_GOE_GOEOPS_TD
