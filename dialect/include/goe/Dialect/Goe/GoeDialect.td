//===- GoeDialect.td - the goe dialect ---------------------*- tablegen -*-===//
//
// The goe dialect holds what is particular to conditional-computation models:
// the graph, routers, dispatch of inputs to their chosen experts, and the
// combine that merges results. Expert bodies are ordinary func.func functions
// on tensors written in upstream dialects (tosa, arith), so every upstream
// lowering applies to them unchanged.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DIALECT_GOE_GOEDIALECT_TD
#define GOE_DIALECT_GOE_GOEDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Goe_Dialect : Dialect {
  let name = "goe";
  let cppNamespace = "::goe";
  let summary = "Graph-of-Experts models: routers, dispatch and combine";
  let description = [{
    A goe model is a `goe.graph` whose body runs routers (`goe.route`) that
    choose, per input, k of N paths; `goe.dispatch` runs each input through
    its chosen paths only (a path is a chain of expert functions); and
    `goe.combine` merges the per-choice results into one result per input.
    Routers are declared once at module level (`goe.router`).

    Layout: graph inputs and outputs are channels-first as users hand them
    over (`[batch, C, H, W]`); expert functions work channels-last
    (`[batch, H, W, C]`), the layout TOSA and the code generators prefer.
  }];
  let useDefaultTypePrinterParser = 1;
  let dependentDialects = [
    "::mlir::func::FuncDialect",
    "::mlir::tosa::TosaDialect",
    "::mlir::ml_program::MLProgramDialect"
  ];
}

class Goe_Op<string mnemonic, list<Trait> traits = []>
    : Op<Goe_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Goe_RouterKind : I32EnumAttr<"RouterKind", "how a router chooses", [
    I32EnumAttrCase<"Oracle", 0, "oracle">,
    I32EnumAttrCase<"Random", 1, "random">,
    I32EnumAttrCase<"VqvaeHclust", 2, "vqvae_hclust">,
    I32EnumAttrCase<"TopK", 3, "topk">,
    I32EnumAttrCase<"ClusterGate", 4, "cluster_gate">,
    I32EnumAttrCase<"Fixed", 5, "fixed">]> {
  let cppNamespace = "::goe";
}

def Goe_CombineKind : I32EnumAttr<"CombineKind", "how per-choice results merge", [
    I32EnumAttrCase<"Select", 0, "select">,
    I32EnumAttrCase<"WeightedSum", 1, "weighted_sum">,
    I32EnumAttrCase<"ImportanceMix", 2, "importance_mix">,
    I32EnumAttrCase<"Wbf", 3, "wbf">,
    I32EnumAttrCase<"Nms", 4, "nms">]> {
  let cppNamespace = "::goe";
}

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

def Goe_RoutingType : TypeDef<Goe_Dialect, "Routing"> {
  let mnemonic = "routing";
  let summary = "per-input routing decision: k of N choices with weights";
  let description = [{
    `!goe.routing<4, top 2>` is, for each input of a batch, the indices of
    the 2 (of 4) chosen paths and their weights (summing to 1).
  }];
  let parameters = (ins "int64_t":$choices, "int64_t":$k);
  let assemblyFormat = "`<` $choices `,` `top` $k `>`";
  let genVerifyDecl = 1;
}

#endif // GOE_DIALECT_GOE_GOEDIALECT_TD
