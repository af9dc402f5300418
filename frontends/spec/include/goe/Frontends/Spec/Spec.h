//===- Spec.h - the parsed form of a goe graph spec -------------*- C++ -*-===//
//
// A spec as read from YAML, before shapes are known: names, references and
// fields, each with the line and column it came from so that every later
// error can point at the YAML text. docs/spec.md is the user-facing contract.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_SPEC_SPEC_H
#define GOE_FRONTENDS_SPEC_SPEC_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace goe::spec {

/// 1-based line and column in the spec file; 0 when unknown.
struct Loc {
  unsigned line = 0, col = 0;
};

/// A field value of a layer, router or combine. Integers have already been
/// evaluated from their expressions.
struct Field {
  enum Kind { Int, Float, Bool, Str, IntList, IntMatrix } kind = Int;
  int64_t i = 0;
  double f = 0;
  bool b = false;
  std::string s;
  std::vector<int64_t> list;
  std::vector<std::vector<int64_t>> matrix;
  Loc loc;
};
using Fields = std::map<std::string, Field>;

/// A reference to an earlier value: `-1` (relative), `14` (absolute layer
/// index) or `name` / `node.output`.
struct Ref {
  enum Kind { Relative, Index, Name } kind = Relative;
  int64_t index = -1;
  std::string name;
  Loc loc;
};

struct Layer {
  std::string op;
  std::string name; // optional label
  int64_t index = 0; // in the module's numbering (starts at `first`)
  bool hasFrom = false;
  std::vector<Ref> from;
  Fields fields;
  Loc loc;
};

struct Module {
  std::string name;
  std::vector<std::string> inputs;  // default {"x"}
  std::vector<int64_t> inputIndex;  // -1 where an input has no index
  int64_t first = 0;
  std::vector<Layer> layers;
  std::vector<Ref> outputs;         // default: the last layer
  std::vector<std::string> outputNames; // set when outputs is a map
  Loc loc;
};

struct Input {
  std::string name;
  std::vector<int64_t> shape; // per sample
  bool isInt = false;
  Loc loc;
};

struct Router {
  std::string name, kind;
  int64_t choices = 0, k = 1;
  Ref from; // a Name ref; empty name when not given
  std::string body; // module name of the gate/encoder, if any
  Loc bodyLoc;
  Fields params;
  Loc loc;
};

struct Node {
  enum Kind { ModuleNode, RouterNode, DispatchNode, CombineNode } kind;
  std::string name;
  std::string target; // module, router, route node or combine kind
  Loc targetLoc;
  bool hasFrom = false;
  std::vector<Ref> from;
  bool tree = false;                  // dispatch: tree or experts
  std::vector<std::string> modules;   // experts, or tree levels
  std::vector<Loc> moduleLocs;
  Fields params; // combine parameters
  Loc loc;
};

/// One stage of staged training (the `training:` section, docs/spec.md):
/// which parameters learn, what the loss reads and how routers decide.
struct TrainingStage {
  std::string name;
  int64_t epochs = -1;            // -1: goe-train's --epochs
  std::vector<std::string> train; // `node` or `node.output`; empty: all
  std::string loss;               // `node`, `node.output` or a router node;
                                  // empty: the spec's first output
  bool routeByGroups = false;     // `route: groups`: routers with groups
                                  // send each sample to its label's group
  int64_t routePath = -1;         // `route: P`: every router node sends
                                  // every sample to path P; -1: not fixed
  /// `copy: {from: A, to: B}`: before the stage's first epoch, the weights
  /// (and running statistics) of every instance node A runs are copied
  /// into node B's counterparts: an expert starts from the general model.
  std::string copyFrom, copyTo;
  Loc loc, lossLoc;
};

/// The `training:` section: how goe-train trains this spec by default.
struct TrainingPlan {
  /// Router node -> the label classes of each of its paths (path p serves
  /// the classes groups[p]); what a gate learns and `route: groups` uses.
  std::map<std::string, std::vector<std::vector<int64_t>>> groups;
  std::vector<TrainingStage> stages; // empty: one stage, everything learns
  Loc loc;
};

struct Spec {
  std::string file;
  std::string name, doc;
  std::map<std::string, int64_t> vars;
  std::vector<Input> inputs;
  std::vector<Module> modules;
  std::vector<Router> routers;
  std::vector<Node> graph;
  std::vector<Ref> outputs;
  TrainingPlan training;

  const Module *findModule(const std::string &name) const;
  const Router *findRouter(const std::string &name) const;
};

} // namespace goe::spec

#endif // GOE_FRONTENDS_SPEC_SPEC_H
