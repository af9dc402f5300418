//===- QuoteTextTest.cpp - user text in messages is escaped ---------------===//

#include "goe/Runtime/QuoteText.h"

#include <gtest/gtest.h>

#include <string>

using namespace goe::runtime;

namespace {

TEST(QuoteText, PlainTextIsQuotedAsItIs) {
  EXPECT_EQ(quoteText("image"), "'image'");
  EXPECT_EQ(quoteText("data/x y.npy"), "'data/x y.npy'");
  EXPECT_EQ(quoteText(""), "''");
}

TEST(QuoteText, ControlCharactersAreEscaped) {
  using namespace std::string_literals;
  std::string nul = "a\0b"s;
  EXPECT_EQ(quoteText(nul), "'a\\x00b'");
  EXPECT_EQ(quoteText("\x1b[31mred"), "'\\x1b[31mred'");
  EXPECT_EQ(quoteText("two\nlines\ttab\rcr"), "'two\\nlines\\ttab\\rcr'");
  EXPECT_EQ(quoteText("del\x7f"), "'del\\x7f'");
  EXPECT_EQ(quoteText("it's a\\b"), "'it\\'s a\\\\b'");
  // No byte of the result is a control character.
  std::string all;
  for (int c = 0; c < 256; ++c)
    all += static_cast<char>(c);
  for (char c : quoteText(all, 1000))
    EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 ||
                 static_cast<unsigned char>(c) == 0x7f)
        << int(c);
}

TEST(QuoteText, Utf8StaysButInvalidBytesAndC1AreEscaped) {
  EXPECT_EQ(quoteText("donn\xc3\xa9" "es"), "'donn\xc3\xa9" "es'"); // é
  EXPECT_EQ(quoteText("\xe2\x82\xac"), "'\xe2\x82\xac'");          // €
  EXPECT_EQ(quoteText("\xff\xfe"), "'\\xff\\xfe'");
  EXPECT_EQ(quoteText("\xc2\x9b" "2J"), "'\\xc2\\x9b2J'"); // C1 CSI
  EXPECT_EQ(quoteText("\xc0\xaf"), "'\\xc0\\xaf'");          // overlong '/'
  EXPECT_EQ(quoteText("\xed\xa0\x80"), "'\\xed\\xa0\\x80'"); // a surrogate
  EXPECT_EQ(quoteText("cut\xc3"), "'cut\\xc3'");             // truncated
}

TEST(QuoteText, LongTextIsCut) {
  std::string longText(10000, 'x');
  std::string quoted = quoteText(longText);
  EXPECT_EQ(quoted.size(), kMaxQuotedBytes + 5); // quotes and "..."
  EXPECT_EQ(quoted.substr(quoted.size() - 4), "...'");
  EXPECT_EQ(escapeText("abcdef", 3), "abc...");
  // A UTF-8 sequence cut by the bound is not shown half.
  EXPECT_EQ(escapeText("a\xc3\xa9", 2), "a\\xc3...");
}

} // namespace
