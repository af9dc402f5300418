//===- ExprTest.cpp - size expressions ------------------------------------===//

#include "goe/Frontends/Spec/Expr.h"

#include <gtest/gtest.h>

using goe::spec::evaluateExpr;

namespace {

int64_t eval(const std::string &text, std::map<std::string, int64_t> vars = {}) {
  int64_t value = 0;
  std::string error;
  EXPECT_TRUE(evaluateExpr(text, vars, value, error)) << error;
  return value;
}

std::string errorOf(const std::string &text,
                    std::map<std::string, int64_t> vars = {}) {
  int64_t value = 0;
  std::string error;
  EXPECT_FALSE(evaluateExpr(text, vars, value, error)) << "= " << value;
  return error;
}

TEST(Expr, ArithmeticFollowsPrecedence) {
  EXPECT_EQ(eval("2*p*49", {{"p", 8}}), 784);
  EXPECT_EQ(eval("1 + 2 * 3"), 7);
  EXPECT_EQ(eval("(1 + 2) * 3"), 9);
  EXPECT_EQ(eval("64*p/2", {{"p", 3}}), 96);
  EXPECT_EQ(eval("-4 + 10"), 6);
  EXPECT_EQ(eval("3*(nc+5)", {{"nc", 80}}), 255);
}

TEST(Expr, ErrorsNameTheProblem) {
  EXPECT_NE(errorOf("2*q", {{"p", 1}}).find("unknown variable 'q'"),
            std::string::npos);
  EXPECT_NE(errorOf("7/2").find("not exact"), std::string::npos);
  EXPECT_NE(errorOf("1/0").find("division by zero"), std::string::npos);
  EXPECT_NE(errorOf("(1+2").find("missing ')'"), std::string::npos);
  EXPECT_NE(errorOf("2 3").find("unexpected '3'"), std::string::npos);
  EXPECT_NE(errorOf("").find("missing operand"), std::string::npos);
  EXPECT_NE(errorOf("99999999999*99999999999").find("overflow"),
            std::string::npos);
  EXPECT_NE(errorOf(std::string(100, '(') + "1" + std::string(100, ')'))
                .find("deeper"),
            std::string::npos);
}

} // namespace
