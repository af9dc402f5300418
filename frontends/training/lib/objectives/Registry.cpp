//===- Registry.cpp - the objective kinds ---------------------------------===//

#include "goe/Training/Objective.h"
#include "goe/Training/Training.h"

namespace goe::train {

extern const ObjectiveKind kCrossEntropyObjective;
extern const ObjectiveKind kYoloObjective;

Objective::~Objective() = default;

runtime::Status Objective::compareCompiled(
    const torchref::ForwardResult &,
    const CompiledOutputs &,
    BoxAgreement &) const {
  return runtime::unimplemented(
      "this objective has no compiled check (--check-compiled compares "
      "detections: objective yolo)");
}

const std::vector<const ObjectiveKind *> &objectiveKinds() {
  static const std::vector<const ObjectiveKind *> kinds = {
      &kCrossEntropyObjective, &kYoloObjective};
  return kinds;
}

std::string objectiveNames() {
  std::string names;
  for (const ObjectiveKind *kind : objectiveKinds())
    names += (names.empty() ? "" : ", ") + std::string(kind->name);
  return names;
}

runtime::StatusOr<const ObjectiveKind *>
findObjectiveKind(const std::string &name) {
  std::string known;
  for (const ObjectiveKind *kind : objectiveKinds()) {
    if (name == kind->name)
      return kind;
    known += (known.empty() ? "" : ", ") + std::string(kind->name);
  }
  return runtime::invalidArgument("unknown objective '" + name +
                                  "' (known: " + known + ")");
}

runtime::StatusOr<std::unique_ptr<Objective>>
makeObjective(const std::string &name, const ObjectiveSetup &setup) {
  auto kind = findObjectiveKind(name);
  if (!kind.ok())
    return kind.status();
  return (*kind)->create(setup);
}

} // namespace goe::train
