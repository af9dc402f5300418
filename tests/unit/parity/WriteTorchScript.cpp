//===- WriteTorchScript.cpp - a PyTorch-like TorchScript file for lit tests -===//
//
//   goe-test-write-torchscript SPEC.yaml OUT.pt REFERENCE.goew [p=N] [drop=NAME]
//
// Builds the spec's LibTorch reference with random weights (seed 7), and
// writes them twice: OUT.pt as a PyTorch user's TorchScript file would hold
// them (running statistics as buffers, batch norm's num_batches_tracked and
// an unrelated parameter as extras, without the encoders of routers the
// graph does not route with) and REFERENCE.goew as goe-train writes weights.
// goe-train --import-torchscript OUT.pt must give a model that computes what
// REFERENCE.goew's does. drop=NAME leaves one weight out (an error case).
// A test helper, not a tool: minimal argument checking.
//
//===----------------------------------------------------------------------===//

#include "TorchScriptWriter.h"

#include "goe/Frontends/Spec/MLIRGen.h"
#include "goe/Frontends/Spec/SpecReader.h"
#include "goe/Frontends/Torch/TorchModel.h"
#include "goe/Frontends/Torch/WeightExport.h"
#include "goe/Runtime/Artifact.h"

#include "mlir/IR/MLIRContext.h"

#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s SPEC.yaml OUT.pt REFERENCE.goew [p=N] "
                         "[drop=NAME]\n", argv[0]);
    return 2;
  }
  goe::spec::VarOverrides vars;
  std::string drop;
  for (int i = 4; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("p=", 0) == 0)
      vars["p"] = std::atoll(arg.c_str() + 2);
    else if (arg.rfind("drop=", 0) == 0)
      drop = arg.substr(5);
  }
  mlir::DialectRegistry registry;
  goe::spec::registerSpecDialects(registry);
  mlir::MLIRContext context(registry);
  auto spec = goe::spec::readSpecFile(argv[1], vars, &context);
  if (mlir::failed(spec))
    return 1;
  auto model = goe::torchref::Model::build(*spec, {}, &context);
  if (!model)
    return 1;
  model->initRandom(7);

  // Routers the graph routes with keep their encoders; others' are absent.
  std::vector<std::string> idlePrefixes;
  for (const goe::spec::Router &router : spec->routers) {
    bool used = false;
    for (const goe::spec::Node &node : spec->graph)
      used |= node.kind == goe::spec::Node::RouterNode &&
              node.target == router.name;
    if (!used && !router.body.empty())
      idlePrefixes.push_back(router.name + "." + router.body + ".");
  }
  std::map<std::string, goe::test::TorchScriptEntry> entries;
  for (const auto &[name, value] : model->parameters()) {
    bool idle = false;
    for (const std::string &prefix : idlePrefixes)
      idle |= name.rfind(prefix, 0) == 0;
    if (idle || name == drop)
      continue;
    bool stat = name.find(".running_") != std::string::npos;
    entries[name] = {value.detach().clone(), stat};
  }
  entries["optimizer_step"] = {torch::tensor(int64_t{1000}), true};
  entries["aux_head.weight"] = {torch::zeros({3, 3}), false};
  goe::test::saveTorchScript(argv[2], entries);

  goe::artifact::WeightBundle bundle;
  for (auto &[name, tensor] : goe::torchref::exportWeights(*model))
    *bundle.add_tensors() = tensor;
  goe::runtime::Status status = goe::runtime::writeWeightBundle(argv[3], bundle);
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.message().c_str());
    return 1;
  }
  return 0;
}
