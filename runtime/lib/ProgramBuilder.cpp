//===- ProgramBuilder.cpp - validate and resolve a model ----------------===//
//
// Everything a run could trip over is checked here, once, with a message
// that names the step, the function or the weight: a compiler bug or a
// corrupted-but-checksummed artifact must be a load error, not a crash in
// the middle of serving.
//
//===----------------------------------------------------------------------===//

#include "NativeCall.h"
#include "Program.h"
#include "combines/Combiner.h"
#include "goe/Runtime/QuoteText.h"
#include "routers/Router.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <set>

namespace goe::runtime::detail {
namespace {

using artifact::Step;

const char *stepKindName(int kind) {
  switch (kind) {
  case Step::CALL:
    return "CALL";
  case Step::ROUTE:
    return "ROUTE";
  case Step::DISPATCH:
    return "DISPATCH";
  case Step::COMBINE:
    return "COMBINE";
  case Step::TRANSPOSE:
    return "TRANSPOSE";
  }
  return "UNKNOWN";
}

std::string quote(const std::string &name) { return quoteText(name); }

StatusOr<TensorSpec> toSpec(const artifact::ValueType &type,
                            const std::string &what) {
  if (!artifact::DType_IsValid(type.dtype()))
    return invalidArgument(what + " has unknown dtype " +
                           std::to_string(type.dtype()));
  TensorSpec spec;
  spec.dtype = static_cast<DType>(type.dtype());
  spec.shape.assign(type.shape().begin(), type.shape().end());
  StatusOr<int64_t> numel = checkedNumel(spec.shape);
  if (!numel.ok())
    return numel.status().withContext(what);
  return spec;
}

TensorSpec withLeading(int64_t dim, const TensorSpec &spec) {
  TensorSpec out = spec;
  out.shape.insert(out.shape.begin(), dim);
  return out;
}

class Builder {
public:
  Builder(const artifact::Model &model, const artifact::WeightBundle *overrides)
      : model(model), overrides(overrides),
        program(std::make_unique<Program>()) {}

  StatusOr<std::unique_ptr<Program>> build() {
    program->name = model.name();
    GOE_RETURN_IF_ERROR(buildWeights());
    GOE_RETURN_IF_ERROR(buildFunctions());
    GOE_RETURN_IF_ERROR(buildRouters());
    GOE_RETURN_IF_ERROR(buildInputs());
    for (int i = 0; i < model.steps_size(); ++i) {
      const Step &step = model.steps(i);
      std::string label = "step " + std::to_string(i) + " (" +
                          stepKindName(step.kind()) + ")";
      GOE_RETURN_IF_ERROR(buildStep(step, i).withContext(label));
    }
    GOE_RETURN_IF_ERROR(buildOutputs());
    computeLifetimes();
    return std::move(program);
  }

private:
  //===--------------------------------------------------------------------===//
  // Declarations
  //===--------------------------------------------------------------------===//

  Status buildWeights() {
    std::unordered_map<std::string, const artifact::Tensor *> replacement;
    if (overrides) {
      for (const artifact::Tensor &t : overrides->tensors())
        replacement[t.name()] = &t;
    }
    size_t replaced = 0;
    for (const artifact::Tensor &declared : model.weights()) {
      std::string what = "weight " + quote(declared.name());
      if (declared.name().empty())
        return invalidArgument("a weight has no name");
      if (weightIndex.count(declared.name()))
        return invalidArgument(what + " is defined twice");
      artifact::ValueType type;
      *type.mutable_shape() = declared.shape();
      type.set_dtype(declared.dtype());
      StatusOr<TensorSpec> spec = toSpec(type, what);
      if (!spec.ok())
        return spec.status();

      const artifact::Tensor *source = &declared;
      auto it = replacement.find(declared.name());
      if (it != replacement.end()) {
        const artifact::Tensor &given = *it->second;
        bool sameShape = std::equal(given.shape().begin(), given.shape().end(),
                                    declared.shape().begin(),
                                    declared.shape().end());
        if (given.dtype() != declared.dtype() || !sameShape) {
          TensorSpec givenSpec;
          givenSpec.dtype = static_cast<DType>(given.dtype());
          givenSpec.shape.assign(given.shape().begin(), given.shape().end());
          return invalidArgument(what + ": the weights file has " +
                                 specToString(givenSpec) +
                                 ", the model expects " + specToString(*spec));
        }
        source = &given;
        ++replaced;
      }

      StatusOr<Tensor> tensor = Tensor::uninitialized(spec->dtype, spec->shape);
      if (!tensor.ok())
        return tensor.status().withContext(what);
      if (source->data().size() != tensor->byteSize())
        return invalidArgument(
            what + " has " + std::to_string(source->data().size()) +
            " bytes of data, its type " + specToString(*spec) + " needs " +
            std::to_string(tensor->byteSize()));
      if (tensor->byteSize())
        std::memcpy(tensor->data(), source->data().data(), tensor->byteSize());
      weightIndex[declared.name()] = static_cast<int>(program->weights.size());
      program->weights.push_back(
          LoadedWeight{declared.name(), std::move(tensor).value()});
    }
    if (overrides && overrides->tensors_size() > 0 && replaced == 0 &&
        model.weights_size() > 0)
      return invalidArgument(
          "the weights file shares no tensor name with the model");
    return okStatus();
  }

  Status buildFunctions() {
    for (const artifact::Function &f : model.functions()) {
      std::string what = "function " + quote(f.name());
      if (f.name().empty())
        return invalidArgument("a function has no name");
      if (program->functionIndex.count(f.name()))
        return invalidArgument(what + " is defined twice");
      if (f.symbol().empty())
        return invalidArgument(what + " has no symbol");
      auto fn = std::make_unique<LoadedFunction>();
      fn->name = f.name();
      // The artifact names the function; the C-interface wrapper is the
      // entry. Tolerate a symbol that already carries the prefix.
      static const std::string kPrefix = "_mlir_ciface_";
      fn->symbol = f.symbol().rfind(kPrefix, 0) == 0 ? f.symbol()
                                                     : kPrefix + f.symbol();
      fn->macs = f.macs();
      for (int i = 0; i < f.inputs_size(); ++i) {
        StatusOr<TensorSpec> spec =
            toSpec(f.inputs(i), what + " input " + std::to_string(i));
        if (!spec.ok())
          return spec.status();
        fn->inputs.push_back(*spec);
      }
      for (int i = 0; i < f.outputs_size(); ++i) {
        StatusOr<TensorSpec> spec =
            toSpec(f.outputs(i), what + " output " + std::to_string(i));
        if (!spec.ok())
          return spec.status();
        fn->outputs.push_back(*spec);
      }
      if (fn->outputs.empty())
        return invalidArgument(what + " has no outputs");
      for (const std::string &w : f.weights()) {
        auto it = weightIndex.find(w);
        if (it == weightIndex.end())
          return invalidArgument(what + " uses unknown weight " + quote(w));
        fn->weights.push_back(it->second);
      }
      size_t numArgs = fn->inputs.size() + fn->weights.size() + fn->outputs.size();
      if (numArgs > kMaxNativeArgs)
        return failedPrecondition(what + " takes " + std::to_string(numArgs) +
                                  " arguments; this runtime calls at most " +
                                  std::to_string(kMaxNativeArgs));
      program->functionIndex[f.name()] =
          static_cast<int>(program->functions.size());
      program->functions.push_back(std::move(fn));
    }
    return okStatus();
  }

  Status buildRouters() {
    for (const artifact::Router &r : model.routers()) {
      std::string what = "router " + quote(r.name());
      if (r.name().empty())
        return invalidArgument("a router has no name");
      if (routerIndex.count(r.name()))
        return invalidArgument(what + " is defined twice");
      LoadedRouter router;
      router.name = r.name();
      router.choices = r.choices();
      router.k = r.k();
      if (router.choices < 1)
        return invalidArgument(what + " has " + std::to_string(r.choices()) +
                               " choices; it needs at least 1");
      if (router.k < 1 || router.k > router.choices)
        return invalidArgument(what + " picks k = " + std::to_string(r.k()) +
                               " of " + std::to_string(r.choices()) +
                               " choices; k must be in [1, choices]");
      // The kind's own checks and state: routers/<Kind>.cpp.
      StatusOr<std::shared_ptr<const Router>> rule =
          loadRouter(r, *program, router);
      if (!rule.ok())
        return rule.status();
      router.rule = std::move(rule).value();
      routerIndex[r.name()] = static_cast<int>(program->routers.size());
      program->routers.push_back(router);
    }
    return okStatus();
  }

  Status buildInputs() {
    int64_t defined = model.inputs_size();
    for (const Step &step : model.steps())
      defined += step.outputs_size();
    if (model.num_values() < model.inputs_size() ||
        model.num_values() > defined)
      return invalidArgument(
          "num_values is " + std::to_string(model.num_values()) + "; the " +
          std::to_string(model.inputs_size()) + " inputs and the steps define " +
          std::to_string(defined) + " values");
    program->values.resize(static_cast<size_t>(model.num_values()));
    std::set<std::string> names;
    for (int i = 0; i < model.inputs_size(); ++i) {
      const artifact::Input &input = model.inputs(i);
      std::string what = "input " + std::to_string(i) + " " + quote(input.name());
      if (!names.insert(input.name()).second)
        return invalidArgument(what + " is declared twice");
      StatusOr<TensorSpec> spec = toSpec(input.type(), what);
      if (!spec.ok())
        return spec.status();
      program->inputNames.push_back(input.name());
      program->inputSpecs.push_back(*spec);
      ValueInfo &value = program->values[i];
      value.defined = true;
      value.spec = *spec;
    }
    return okStatus();
  }

  //===--------------------------------------------------------------------===//
  // Steps
  //===--------------------------------------------------------------------===//

  /// A value a step reads: in range, defined earlier, of the wanted kind.
  Status checkUse(int id, bool wantRouting, const std::string &role) {
    if (id < 0 || id >= static_cast<int>(program->values.size()))
      return invalidArgument(role + " is value " + std::to_string(id) +
                             ", outside [0, " +
                             std::to_string(program->values.size()) + ")");
    const ValueInfo &value = program->values[id];
    if (!value.defined)
      return invalidArgument(role + " is value " + std::to_string(id) +
                             ", which no earlier step defines");
    if (value.isRouting != wantRouting)
      return invalidArgument(role + " is value " + std::to_string(id) +
                             (wantRouting ? ", a tensor, not a routing"
                                          : ", a routing, not a tensor"));
    return okStatus();
  }

  const TensorSpec &specOf(int id) const { return program->values[id].spec; }

  Status checkCount(const char *what, int actual, size_t expected) {
    if (static_cast<size_t>(actual) != expected)
      return invalidArgument("has " + std::to_string(actual) + " " + what +
                             ", expected " + std::to_string(expected));
    return okStatus();
  }

  Status buildStep(const Step &step, int index) {
    ProgramStep out;
    out.kind = step.kind();
    out.index = index;
    out.inputs.assign(step.inputs().begin(), step.inputs().end());
    out.outputs.assign(step.outputs().begin(), step.outputs().end());
    for (size_t i = 0; i < out.inputs.size(); ++i)
      GOE_RETURN_IF_ERROR(
          checkUse(out.inputs[i], false, "input " + std::to_string(i)));
    std::set<int> seen;
    for (size_t i = 0; i < out.outputs.size(); ++i) {
      int id = out.outputs[i];
      std::string role = "output " + std::to_string(i);
      if (id < 0 || id >= static_cast<int>(program->values.size()))
        return invalidArgument(role + " is value " + std::to_string(id) +
                               ", outside [0, " +
                               std::to_string(program->values.size()) + ")");
      if (program->values[id].defined || !seen.insert(id).second)
        return invalidArgument(role + " redefines value " + std::to_string(id));
    }

    std::vector<TensorSpec> results; // per output, for tensor outputs
    switch (step.kind()) {
    case Step::CALL:
      GOE_RETURN_IF_ERROR(buildCall(step, out, results));
      break;
    case Step::ROUTE:
      GOE_RETURN_IF_ERROR(buildRoute(step, out));
      break;
    case Step::DISPATCH:
      GOE_RETURN_IF_ERROR(buildDispatch(step, out, results));
      break;
    case Step::COMBINE:
      GOE_RETURN_IF_ERROR(buildCombine(step, out, results));
      break;
    case Step::TRANSPOSE:
      GOE_RETURN_IF_ERROR(buildTranspose(step, out, results));
      break;
    default:
      return invalidArgument("unknown step kind " + std::to_string(step.kind()));
    }

    if (step.kind() == Step::ROUTE) {
      ValueInfo &value = program->values[out.outputs[0]];
      value.defined = true;
      value.isRouting = true;
      value.router = out.router;
    } else {
      GOE_RETURN_IF_ERROR(checkCount("outputs", step.outputs_size(), results.size()));
      if (step.types_size() != 0)
        GOE_RETURN_IF_ERROR(checkCount("types", step.types_size(), results.size()));
      for (size_t i = 0; i < results.size(); ++i) {
        if (step.types_size() != 0) {
          StatusOr<TensorSpec> declared =
              toSpec(step.types(static_cast<int>(i)), "type " + std::to_string(i));
          if (!declared.ok())
            return declared.status();
          if (*declared != results[i])
            return invalidArgument("declares output " + std::to_string(i) +
                                   " as " + specToString(*declared) +
                                   ", but computes " + specToString(results[i]));
        }
        ValueInfo &value = program->values[out.outputs[i]];
        value.defined = true;
        value.spec = results[i];
      }
    }
    program->steps.push_back(std::move(out));
    return okStatus();
  }

  StatusOr<const LoadedFunction *> findFunction(const std::string &name) {
    auto it = program->functionIndex.find(name);
    if (it == program->functionIndex.end())
      return invalidArgument("unknown function " + quote(name));
    return program->functions[it->second].get();
  }

  /// Checks that `args` can be passed to `fn`.
  Status checkArguments(const LoadedFunction &fn,
                        const std::vector<TensorSpec> &args) {
    if (args.size() != fn.inputs.size())
      return invalidArgument("function " + quote(fn.name) + " takes " +
                             std::to_string(fn.inputs.size()) +
                             " inputs, gets " + std::to_string(args.size()));
    for (size_t i = 0; i < args.size(); ++i)
      if (args[i] != fn.inputs[i])
        return invalidArgument("function " + quote(fn.name) + " input " +
                               std::to_string(i) + " expects " +
                               specToString(fn.inputs[i]) + ", gets " +
                               specToString(args[i]));
    return okStatus();
  }

  std::vector<TensorSpec> inputSpecs(const ProgramStep &out) const {
    std::vector<TensorSpec> specs;
    for (int id : out.inputs)
      specs.push_back(specOf(id));
    return specs;
  }

  Status buildCall(const Step &step, ProgramStep &out,
                   std::vector<TensorSpec> &results) {
    StatusOr<const LoadedFunction *> fn = findFunction(step.function());
    if (!fn.ok())
      return fn.status();
    GOE_RETURN_IF_ERROR(checkArguments(**fn, inputSpecs(out)));
    out.function = program->functionIndex[step.function()];
    results = (*fn)->outputs;
    return okStatus();
  }

  Status buildRoute(const Step &step, ProgramStep &out) {
    auto it = routerIndex.find(step.router());
    if (it == routerIndex.end())
      return invalidArgument("unknown router " + quote(step.router()));
    out.router = it->second;
    const LoadedRouter &router = program->routers[out.router];
    GOE_RETURN_IF_ERROR(checkCount("outputs", step.outputs_size(), 1));
    if (out.inputs.empty())
      return invalidArgument("router " + quote(router.name) +
                             " needs at least one input");
    GOE_RETURN_IF_ERROR(router.rule->checkRoute(router, inputSpecs(out)));
    if (router.body >= 0) {
      const LoadedFunction &body = *program->functions[router.body];
      GOE_RETURN_IF_ERROR(checkArguments(body, inputSpecs(out))
                              .withContext("router " + quote(router.name)));
    }
    out.routeOrdinal = program->numRoutes++;
    return okStatus();
  }

  Status checkRouting(const Step &step, ProgramStep &out) {
    GOE_RETURN_IF_ERROR(checkUse(step.routing(), true, "routing"));
    out.routing = step.routing();
    return okStatus();
  }

  Status buildDispatch(const Step &step, ProgramStep &out,
                       std::vector<TensorSpec> &results) {
    GOE_RETURN_IF_ERROR(checkRouting(step, out));
    const LoadedRouter &router =
        program->routers[program->values[out.routing].router];
    if (step.paths_size() != router.choices)
      return invalidArgument("has " + std::to_string(step.paths_size()) +
                             " paths, router " + quote(router.name) + " has " +
                             std::to_string(router.choices) + " choices");
    std::vector<TensorSpec> first;
    for (int p = 0; p < step.paths_size(); ++p) {
      std::string where = "path " + std::to_string(p);
      std::vector<TensorSpec> current = inputSpecs(out);
      std::vector<int> chain;
      for (int f = 0; f < step.paths(p).functions_size(); ++f) {
        const std::string &name = step.paths(p).functions(f);
        StatusOr<const LoadedFunction *> fn = findFunction(name);
        if (!fn.ok())
          return fn.status().withContext(where);
        GOE_RETURN_IF_ERROR(checkArguments(**fn, current)
                                .withContext(where + ", position " +
                                             std::to_string(f)));
        current = (*fn)->outputs;
        chain.push_back(program->functionIndex[name]);
      }
      if (p == 0) {
        first = current;
      } else if (current != first) {
        auto list = [](const std::vector<TensorSpec> &specs) {
          std::string s;
          for (const TensorSpec &spec : specs)
            s += (s.empty() ? "" : ", ") + specToString(spec);
          return "(" + s + ")";
        };
        return invalidArgument(where + " yields " + list(current) +
                               ", path 0 yields " + list(first) +
                               "; every path must yield the same types");
      }
      out.paths.push_back(std::move(chain));
    }
    for (const TensorSpec &spec : first)
      results.push_back(withLeading(router.k, spec));
    out.dispatchOrdinal = program->numDispatches++;
    return okStatus();
  }

  /// The kind's checks and output types: combines/<Kind>.cpp.
  Status buildCombine(const Step &step, ProgramStep &out,
                      std::vector<TensorSpec> &results) {
    StatusOr<std::shared_ptr<const Combiner>> combine =
        loadCombine(step.combine());
    if (!combine.ok())
      return combine.status();
    out.combine = std::move(combine).value();
    // The kind's field name in Combine's oneof ("wbf"), for profiles.
    const google::protobuf::FieldDescriptor *kind =
        step.combine().GetReflection()->GetOneofFieldDescriptor(
            step.combine(), artifact::Combine::descriptor()->oneof_decl(0));
    out.combineKind = kind ? kind->name() : "";
    int64_t k = 1;
    if (out.combine->readsRouting()) {
      GOE_RETURN_IF_ERROR(checkRouting(step, out));
      k = program->routers[program->values[out.routing].router].k;
    }
    return out.combine->inferTypes(inputSpecs(out), k, results);
  }

  Status buildTranspose(const Step &step, ProgramStep &out,
                        std::vector<TensorSpec> &results) {
    GOE_RETURN_IF_ERROR(checkCount("inputs", step.inputs_size(), 1));
    const TensorSpec &in = specOf(out.inputs[0]);
    size_t rank = in.shape.size() + 1;
    std::vector<int> perm(step.perm().begin(), step.perm().end());
    std::vector<int> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    bool isPermutation = perm.size() == rank;
    for (size_t i = 0; isPermutation && i < rank; ++i)
      isPermutation = sorted[i] == static_cast<int>(i);
    std::string permText;
    for (int p : perm)
      permText += (permText.empty() ? "" : ", ") + std::to_string(p);
    if (!isPermutation)
      return invalidArgument("perm [" + permText + "] is not a permutation of " +
                             std::to_string(rank) +
                             " dimensions (batch included) of " +
                             specToString(in));
    if (perm[0] != 0)
      return invalidArgument("perm [" + permText +
                             "] moves the batch dimension; it must stay first");
    TensorSpec result{in.dtype, {}};
    for (size_t i = 1; i < rank; ++i)
      result.shape.push_back(in.shape[perm[i] - 1]);
    out.perm = perm;
    results.push_back(result);
    return okStatus();
  }

  //===--------------------------------------------------------------------===//
  // Outputs and lifetimes
  //===--------------------------------------------------------------------===//

  Status buildOutputs() {
    if (model.outputs_size() == 0)
      return invalidArgument("the model has no outputs");
    if (model.output_types_size() != 0 &&
        model.output_types_size() != model.outputs_size())
      return invalidArgument("the model has " +
                             std::to_string(model.outputs_size()) +
                             " outputs but " +
                             std::to_string(model.output_types_size()) +
                             " output types");
    for (int i = 0; i < model.outputs_size(); ++i) {
      std::string role = "model output " + std::to_string(i);
      GOE_RETURN_IF_ERROR(checkUse(model.outputs(i), false, role));
      const TensorSpec &spec = specOf(model.outputs(i));
      if (model.output_types_size() != 0) {
        StatusOr<TensorSpec> declared = toSpec(model.output_types(i), role);
        if (!declared.ok())
          return declared.status();
        if (*declared != spec)
          return invalidArgument(role + " is declared " +
                                 specToString(*declared) +
                                 ", but the steps compute " +
                                 specToString(spec));
      }
      program->outputs.push_back(model.outputs(i));
      program->outputSpecs.push_back(spec);
      program->outputNames.push_back(i < model.output_names_size() &&
                                             !model.output_names(i).empty()
                                         ? model.output_names(i)
                                         : "output" + std::to_string(i));
    }
    return okStatus();
  }

  /// Values are freed after their last read, so a deep graph does not hold
  /// every intermediate activation of the batch at once.
  void computeLifetimes() {
    std::vector<ProgramStep> &steps = program->steps;
    for (size_t s = 0; s < steps.size(); ++s) {
      for (int id : steps[s].inputs)
        program->values[id].lastUse = static_cast<int>(s);
      if (steps[s].routing >= 0)
        program->values[steps[s].routing].lastUse = static_cast<int>(s);
    }
    for (int id : program->outputs)
      program->values[id].lastUse = INT_MAX;
    for (size_t id = 0; id < program->values.size(); ++id) {
      int last = program->values[id].lastUse;
      if (last >= 0 && last < static_cast<int>(steps.size()))
        steps[last].release.push_back(static_cast<int>(id));
    }
  }

  const artifact::Model &model;
  const artifact::WeightBundle *overrides;
  std::unique_ptr<Program> program;
  std::unordered_map<std::string, int> weightIndex;
  std::unordered_map<std::string, int> routerIndex;
};

} // namespace

StatusOr<std::unique_ptr<Program>>
buildProgram(const artifact::Model &model,
             const artifact::WeightBundle *overrides) {
  return Builder(model, overrides).build();
}

} // namespace goe::runtime::detail
