//===- QuoteText.cpp - user text quoted safely in messages ----------------===//

#include "goe/Runtime/QuoteText.h"

#include <cstdint>

namespace goe::runtime {
namespace {

void appendHex(std::string &out, unsigned char byte) {
  static const char *digits = "0123456789abcdef";
  out += "\\x";
  out += digits[byte >> 4];
  out += digits[byte & 15];
}

/// The length of the valid UTF-8 sequence at `text[i]` that encodes a
/// printable code point (not C1), or 0. Overlong forms and surrogates are
/// invalid, as the standard says.
size_t printableUtf8Length(std::string_view text, size_t i) {
  unsigned char lead = static_cast<unsigned char>(text[i]);
  size_t length;
  uint32_t code, minimum;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2, code = lead & 0x1f, minimum = 0x80;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3, code = lead & 0x0f, minimum = 0x800;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4, code = lead & 0x07, minimum = 0x10000;
  } else {
    return 0;
  }
  if (i + length > text.size())
    return 0;
  for (size_t k = 1; k < length; ++k) {
    unsigned char next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xc0) != 0x80)
      return 0;
    code = (code << 6) | (next & 0x3f);
  }
  bool valid = code >= minimum && code <= 0x10ffff &&
               !(code >= 0xd800 && code <= 0xdfff);
  bool control = code >= 0x80 && code <= 0x9f;
  return valid && !control ? length : 0;
}

} // namespace

std::string escapeText(std::string_view text, size_t maxBytes) {
  std::string out;
  size_t shown = text.size() < maxBytes ? text.size() : maxBytes;
  out.reserve(shown + 8);
  for (size_t i = 0; i < shown;) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      size_t length = printableUtf8Length(text, i);
      if (length > 0 && i + length <= shown) {
        out.append(text.substr(i, length));
        i += length;
        continue;
      }
      appendHex(out, c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\\' || c == '\'') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      appendHex(out, c);
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
  if (shown < text.size())
    out += "...";
  return out;
}

std::string quoteText(std::string_view text, size_t maxBytes) {
  return "'" + escapeText(text, maxBytes) + "'";
}

std::string nameList(const std::vector<std::string> &names, size_t shown) {
  std::string text;
  for (size_t i = 0; i < names.size() && i < shown; ++i)
    text += (i ? ", " : "") + escapeText(names[i]);
  if (names.size() > shown)
    text += " and " + std::to_string(names.size() - shown) + " more";
  return text;
}

} // namespace goe::runtime
