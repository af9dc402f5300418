//===- Expr.cpp - integer size expressions in specs -----------------------===//
//
// A small recursive-descent evaluator: sizes such as `2*p*49` are the only
// arithmetic a spec needs, so no general expression language is warranted.
//
//===----------------------------------------------------------------------===//

#include "goe/Frontends/Spec/Expr.h"

#include <cctype>

namespace goe::spec {
namespace {

class Parser {
public:
  Parser(const std::string &text, const std::map<std::string, int64_t> &vars)
      : text(text), vars(vars) {}

  bool run(int64_t &value, std::string &error) {
    bool ok = parseSum(value);
    skipSpace();
    if (ok && pos != text.size()) {
      fail("unexpected '" + text.substr(pos, 1) + "'");
      ok = false;
    }
    if (!ok)
      error = message;
    return ok;
  }

private:
  void skipSpace() {
    while (pos < text.size() && std::isspace((unsigned char)text[pos]))
      ++pos;
  }
  bool fail(const std::string &what) {
    if (message.empty())
      message = what + " in size expression '" + text + "'";
    return false;
  }
  bool checked(__int128 wide, int64_t &value) {
    if (wide > INT64_MAX || wide < INT64_MIN)
      return fail("integer overflow");
    value = (int64_t)wide;
    return true;
  }

  bool parseSum(int64_t &value) {
    if (!parseProduct(value))
      return false;
    for (;;) {
      skipSpace();
      if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-'))
        return true;
      char op = text[pos++];
      int64_t rhs;
      if (!parseProduct(rhs))
        return false;
      __int128 wide = op == '+' ? (__int128)value + rhs : (__int128)value - rhs;
      if (!checked(wide, value))
        return false;
    }
  }

  bool parseProduct(int64_t &value) {
    if (!parseAtom(value))
      return false;
    for (;;) {
      skipSpace();
      if (pos >= text.size() || (text[pos] != '*' && text[pos] != '/'))
        return true;
      char op = text[pos++];
      int64_t rhs;
      if (!parseAtom(rhs))
        return false;
      if (op == '*') {
        if (!checked((__int128)value * rhs, value))
          return false;
        continue;
      }
      if (rhs == 0)
        return fail("division by zero");
      if (value == INT64_MIN && rhs == -1)
        return fail("integer overflow");
      if (value % rhs != 0)
        return fail(std::to_string(value) + " / " + std::to_string(rhs) +
                    " is not exact");
      value /= rhs;
    }
  }

  bool parseAtom(int64_t &value) {
    skipSpace();
    if (pos >= text.size())
      return fail("missing operand");
    char c = text[pos];
    if (c == '(') {
      ++pos;
      if (!parseSum(value))
        return false;
      skipSpace();
      if (pos >= text.size() || text[pos] != ')')
        return fail("missing ')'");
      ++pos;
      return true;
    }
    if (c == '-') {
      // A run of unary minuses is folded without recursion, so no input
      // length can exhaust the stack.
      bool negate = false;
      while (pos < text.size() &&
             (text[pos] == '-' || std::isspace((unsigned char)text[pos]))) {
        negate ^= text[pos] == '-';
        ++pos;
      }
      if (!parseAtom(value))
        return false;
      return checked(negate ? -(__int128)value : (__int128)value, value);
    }
    if (std::isdigit((unsigned char)c)) {
      __int128 wide = 0;
      while (pos < text.size() && std::isdigit((unsigned char)text[pos])) {
        wide = wide * 10 + (text[pos++] - '0');
        if (wide > INT64_MAX)
          return fail("integer overflow");
      }
      value = (int64_t)wide;
      return true;
    }
    if (std::isalpha((unsigned char)c) || c == '_') {
      size_t start = pos;
      while (pos < text.size() &&
             (std::isalnum((unsigned char)text[pos]) || text[pos] == '_'))
        ++pos;
      std::string name = text.substr(start, pos - start);
      auto it = vars.find(name);
      if (it == vars.end())
        return fail("unknown variable '" + name + "'");
      value = it->second;
      return true;
    }
    return fail("unexpected '" + std::string(1, c) + "'");
  }

  const std::string &text;
  const std::map<std::string, int64_t> &vars;
  size_t pos = 0;
  std::string message;
};

} // namespace

bool evaluateExpr(const std::string &text,
                  const std::map<std::string, int64_t> &vars, int64_t &value,
                  std::string &error) {
  // Deeply nested parentheses are the one way to make recursion unbounded.
  size_t depth = 0, maxDepth = 0;
  for (char c : text) {
    depth += c == '(';
    maxDepth = std::max(maxDepth, depth);
    if (c == ')' && depth)
      --depth;
  }
  if (maxDepth > 64) {
    error = "size expression nests deeper than 64 parentheses";
    return false;
  }
  return Parser(text, vars).run(value, error);
}

} // namespace goe::spec
