//===- KindParams.cpp - parameters of router and combine kinds ------------===//

#include "goe/Dialect/Goe/KindParams.h"

namespace goe {

std::string KindParam::choiceList() const {
  std::string list;
  for (size_t i = 0; i < choices.size(); ++i)
    list += std::string(i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") +
            choices[i];
  return list;
}

int KindParam::choiceIndex(llvm::StringRef name) const {
  for (size_t i = 0; i < choices.size(); ++i)
    if (name == choices[i])
      return (int)i;
  return -1;
}

ParamValues withDefaults(const std::vector<KindParam> &params,
                         ParamValues given) {
  for (const KindParam &param : params)
    given.emplace(param.key, param.dflt); // keeps a given value
  return given;
}

const KindParam *findParam(const std::vector<KindParam> &params,
                           llvm::StringRef key) {
  for (const KindParam &param : params)
    if (key == param.key)
      return &param;
  return nullptr;
}

} // namespace goe
