//===- Flags.h - `--flag value` and `--flag=value` for the runtime tools --*- C++ -*-===//
//
// goe-run and goe-train link no LLVM, so they parse their few options by
// hand; this is the part they share.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TOOLS_COMMON_FLAGS_H
#define GOE_TOOLS_COMMON_FLAGS_H

#include "goe/Runtime/Status.h"

#include <initializer_list>
#include <string>
#include <vector>

namespace goe::tools {

/// Reads the flag at `args[i]` as `--flag=value` or `--flag value`
/// (advancing `i` past the value), checks that the flag is one of `known`
/// and that the value is not empty.
inline runtime::Status readFlag(const std::vector<std::string> &args,
                                size_t &i,
                                std::initializer_list<const char *> known,
                                std::string &flag, std::string &value) {
  const std::string &arg = args[i];
  flag = arg;
  value.clear();
  bool inlineValue = false;
  if (size_t eq = arg.find('='); eq != std::string::npos) {
    flag = arg.substr(0, eq);
    value = arg.substr(eq + 1);
    inlineValue = true;
  }
  bool isKnown = false;
  for (const char *f : known)
    isKnown |= flag == f;
  if (!isKnown)
    return runtime::invalidArgument("unknown option '" + flag +
                                    "' (see --help)");
  if (!inlineValue) {
    if (i + 1 == args.size())
      return runtime::invalidArgument(flag + " needs a value");
    value = args[++i];
  }
  if (value.empty())
    return runtime::invalidArgument(flag + " needs a non-empty value");
  return runtime::okStatus();
}

} // namespace goe::tools

#endif // GOE_TOOLS_COMMON_FLAGS_H
