//===- InputMatching.cpp - which dataset field feeds which spec input -----===//

#include "goe/Training/InputMatching.h"

#include <set>

namespace goe::train {

using runtime::TensorSpec;

TensorSpec inputType(const spec::Input &input) {
  return {input.isInt ? runtime::DType::I64 : runtime::DType::F32, input.shape};
}

namespace {

std::string describe(const std::vector<data::Field> &fields) {
  std::string text;
  for (const data::Field &field : fields)
    text += (text.empty() ? "" : ", ") + field.name + " " +
            runtime::specToString(field.spec);
  return text;
}

const data::Field *findField(const std::vector<data::Field> &fields,
                             const std::string &name) {
  for (const data::Field &field : fields)
    if (field.name == name)
      return &field;
  return nullptr;
}

} // namespace

runtime::StatusOr<std::map<std::string, std::string>>
matchInputs(const std::vector<spec::Input> &inputs,
            const std::vector<data::Field> &fields,
            const std::string &datasetKind, const std::string &targetField,
            const std::map<std::string, std::string> &explicitFields) {
  auto error = [&](const std::string &message) {
    return runtime::invalidArgument(message + " (dataset '" + datasetKind +
                                    "' gives " + describe(fields) + ")");
  };
  for (const auto &[input, field] : explicitFields) {
    bool known = false;
    for (const spec::Input &i : inputs)
      known |= i.name == input;
    if (!known)
      return runtime::invalidArgument("--input-field " + input + "=" + field +
                                      ": the spec has no input '" + input + "'");
  }

  std::map<std::string, std::string> matched;
  std::set<std::string> used;
  std::vector<const spec::Input *> open;
  // Explicit fields, then names.
  for (const spec::Input &input : inputs) {
    TensorSpec want = inputType(input);
    auto given = explicitFields.find(input.name);
    const std::string &name =
        given != explicitFields.end() ? given->second : input.name;
    const data::Field *field = findField(fields, name);
    if (!field) {
      if (given != explicitFields.end())
        return error("--input-field " + input.name + "=" + name +
                     ": no field '" + name + "'");
      open.push_back(&input);
      continue;
    }
    if (field->spec != want)
      return error("spec input '" + input.name + "' wants " +
                   runtime::specToString(want) + ", but the field '" + name +
                   "' is " + runtime::specToString(field->spec));
    if (!used.insert(name).second)
      return error("the field '" + name + "' would feed two spec inputs");
    matched[input.name] = name;
  }
  // The rest by type, only where the choice is unique on both sides.
  for (const spec::Input *input : open) {
    TensorSpec want = inputType(*input);
    std::vector<std::string> candidates;
    for (const data::Field &field : fields)
      if (field.spec == want && !used.count(field.name) &&
          field.name != targetField)
        candidates.push_back(field.name);
    int sameType = 0;
    for (const spec::Input *other : open)
      sameType += inputType(*other) == want;
    if (candidates.size() == 1 && sameType == 1) {
      matched[input->name] = candidates[0];
      used.insert(candidates[0]);
      continue;
    }
    std::string why =
        "spec input '" + input->name + "' " + runtime::specToString(want) +
        " has no dataset field of that name";
    if (candidates.empty())
      return error(why + ", and no unused field has its type");
    std::string list;
    for (const std::string &c : candidates)
      list += (list.empty() ? "'" : ", '") + c + "'";
    return error(why + "; " + std::to_string(sameType) + " spec input(s) of "
                 "that type could take " + list + ": say which with "
                 "--input-field " + input->name + "=FIELD");
  }
  return matched;
}

} // namespace goe::train
