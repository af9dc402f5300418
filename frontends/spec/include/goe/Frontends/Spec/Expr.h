//===- Expr.h - integer size expressions in specs ---------------*- C++ -*-===//

#ifndef GOE_FRONTENDS_SPEC_EXPR_H
#define GOE_FRONTENDS_SPEC_EXPR_H

#include <cstdint>
#include <map>
#include <string>

namespace goe::spec {

/// Evaluates `text` (integers, variables, + - * / and parentheses) over
/// `vars`. On failure returns false and sets `error` to a message naming
/// the problem (unknown variable, inexact division, overflow, syntax).
bool evaluateExpr(const std::string &text,
                  const std::map<std::string, int64_t> &vars, int64_t &value,
                  std::string &error);

} // namespace goe::spec

#endif // GOE_FRONTENDS_SPEC_EXPR_H
