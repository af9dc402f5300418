//===- ModelImpl.h - the state behind torchref::Model -----------*- C++ -*-===//
//
// Shared by TorchModel.cpp (building, weights), Forward.cpp (forward) and
// StageSelection.cpp (the inner outputs and parameter subsets of staged
// training). Not installed.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_TORCH_LIB_MODELIMPL_H
#define GOE_FRONTENDS_TORCH_LIB_MODELIMPL_H

#include "goe/Frontends/Torch/TorchModel.h"

#include "Instance.h"
#include "StageSelection.h"

#include "goe/Frontends/Spec/GraphPlan.h"

namespace goe::torchref {

struct Model::Impl {
  spec::Spec spec; // the model's own copy: the plan points into it
  spec::GraphPlan plan;
  std::vector<std::shared_ptr<detail::InstanceModule>>
      instances; // as plan.instances
  std::map<std::string, int> byName;
  std::vector<detail::SelectedOutput>
      selected; // setOutputs(); empty: the spec's

  int find(const std::string &name) const {
    auto it = byName.find(name);
    TORCH_CHECK(it != byName.end(), "the model has no instance '", name, "'");
    return it->second;
  }
  /// Every weight global of every instance: `<instance>.<name>`.
  std::map<std::string, at::Tensor> parameters() const {
    std::map<std::string, at::Tensor> all;
    for (size_t i = 0; i < instances.size(); ++i) {
      const std::string &prefix = plan.instances[i].name;
      for (const auto &item : instances[i]->named_parameters())
        all[prefix + "." + item.key()] = item.value();
      for (const auto &item : instances[i]->named_buffers())
        all[prefix + "." + item.key()] = item.value();
    }
    return all;
  }
};

} // namespace goe::torchref

#endif // GOE_FRONTENDS_TORCH_LIB_MODELIMPL_H
