//===- RouterKinds.cpp - looking router kinds up --------------------------===//

#include "goe/Dialect/Goe/RouterKinds.h"

#include "routers/Routers.h"

namespace goe {

const RouterKindInfo &routerKindInfo(RouterKind kind) {
  switch (kind) {
  case RouterKind::Oracle:
    return routers::oracle();
  case RouterKind::Random:
    return routers::random();
  case RouterKind::VqvaeHclust:
    return routers::vqvaeHclust();
  case RouterKind::TopK:
    return routers::topk();
  case RouterKind::ClusterGate:
    return routers::clusterGate();
  case RouterKind::Fixed:
    return routers::fixed();
  }
  llvm_unreachable("every RouterKind has a descriptor");
}

const RouterKindInfo *findRouterKind(llvm::StringRef name) {
  std::optional<RouterKind> kind = symbolizeRouterKind(name);
  return kind ? &routerKindInfo(*kind) : nullptr;
}

std::string routerKindNames() {
  std::string names;
  for (uint32_t i = 0; i <= getMaxEnumValForRouterKind(); ++i)
    if (std::optional<RouterKind> kind = symbolizeRouterKind(i))
      names += (names.empty() ? "" : ", ") + stringifyRouterKind(*kind).str();
  return names;
}

bool RouterKindInfo::accepts(llvm::ArrayRef<int64_t> shape, bool isInt) const {
  switch (input) {
  case Label:
    return isInt && shape.empty();
  case Float:
    return !isInt;
  case Any:
    return true;
  }
  return false;
}

const char *RouterKindInfo::inputText() const {
  switch (input) {
  case Label:
    return "one i64 label per input";
  case Float:
    return "a float tensor";
  case Any:
    return "any tensor";
  }
  return "";
}

std::string printShape(llvm::ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

} // namespace goe
