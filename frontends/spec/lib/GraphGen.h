//===- GraphGen.h - the graph generator's internals -------------*- C++ -*-===//
//
// The state of one spec-to-goe.graph generation, shared by MLIRGen.cpp
// (lookups, shared modules, routers, the graph's edges) and RoutedNodes.cpp
// (dispatch and combine). Not installed: users see MLIRGen.h.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_SPEC_LIB_GRAPHGEN_H
#define GOE_FRONTENDS_SPEC_LIB_GRAPHGEN_H

#include "goe/Frontends/Spec/MLIRGen.h"
#include "goe/Dialect/Goe/GoeOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"

namespace goe::spec::graphgen {

using namespace mlir;

struct GraphError {
  Loc loc;
  std::string message;
};

[[noreturn]] inline void fail(Loc loc, const std::string &message) {
  throw GraphError{loc, message};
}

/// What a graph input or node produced.
struct GraphValue {
  enum Kind { Tensors, Routing } kind = Tensors;
  std::vector<Value> values;          // physical (channels-last) values
  std::vector<TensorInfo> types;      // logical per-sample types
  std::vector<std::string> names;     // output names, when named
  Value routing;                      // Routing: the route; dispatch: its route
  bool isDispatch = false;
};

class GraphGen {
public:
  GraphGen(const Spec &spec, const BuildOptions &options, ModuleOp module)
      : spec(spec), options(options), context(module.getContext()),
        moduleBuilder(module.getBodyRegion()), b(context) {}

  void run();

private:
  Location locOf(Loc loc) {
    return FileLineColLoc::get(context, spec.file, loc.line, loc.col);
  }
  std::string nodeWhere(const Node &node) {
    return "graph node '" + node.name + "'";
  }

  /// The tensors a reference names (all outputs of a node without `.out`).
  void lookup(const Ref &ref, const std::string &reader,
              std::vector<Value> &values, std::vector<TensorInfo> &types,
              const GraphValue **owner = nullptr, bool forCombine = false);
  void checkRouterInput(const Router &router, const Ref &from,
                        const TensorInfo &type);
  const GraphValue &lookupNode(const Ref &ref, const std::string &reader);
  void gather(const std::vector<Ref> &refs, const std::string &reader,
              std::vector<Value> &values, std::vector<TensorInfo> &types);

  ResolvedModule resolve(const Module &module,
                         const std::vector<TensorInfo> &inputs, Loc where,
                         const std::string &what);
  func::FuncOp instance(const ResolvedModule &resolved,
                        const std::string &name, Loc loc);

  void emitModuleNode(const Node &node);
  void emitRouterNode(const Node &node);
  void emitDispatchNode(const Node &node);
  void emitCombineNode(const Node &node);
  goe::RouterOp declareRouter(const Router &router,
                              const std::vector<TensorInfo> &inputs);

  const Spec &spec;
  const BuildOptions &options;
  MLIRContext *context;
  OpBuilder moduleBuilder, b;
  std::map<std::string, GraphValue> table;
  std::map<std::string, goe::RouterOp> declared;
  std::map<std::string, func::FuncOp> bodies;
};

} // namespace goe::spec::graphgen

#endif // GOE_FRONTENDS_SPEC_LIB_GRAPHGEN_H
