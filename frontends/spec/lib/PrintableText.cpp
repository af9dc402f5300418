//===- PrintableText.cpp - user text made safe for a message --------------===//

#include "PrintableText.h"

#include "llvm/Support/ConvertUTF.h"

#include <cstdio>

namespace goe::spec {

std::string printableText(llvm::StringRef text) {
  std::string out;
  out.reserve(text.size());
  auto escape = [&](unsigned char byte) {
    char buffer[8];
    std::snprintf(buffer, sizeof(buffer), "\\x%02x", byte);
    out += buffer;
  };
  const auto *bytes = reinterpret_cast<const llvm::UTF8 *>(text.data());
  size_t i = 0;
  while (i < text.size()) {
    unsigned char byte = bytes[i];
    if (byte < 0x20 || byte == 0x7f) {
      escape(byte);
      ++i;
      continue;
    }
    if (byte < 0x80) {
      out.push_back(char(byte));
      ++i;
      continue;
    }
    // A multi-byte character is kept whole when it is valid UTF-8.
    unsigned length = llvm::getNumBytesForUTF8(byte);
    if (i + length <= text.size() &&
        llvm::isLegalUTF8Sequence(bytes + i, bytes + i + length)) {
      out.append(text.data() + i, length);
      i += length;
    } else {
      escape(byte);
      ++i;
    }
  }
  return out;
}

} // namespace goe::spec
