//===- PrintableText.h - user text made safe for a message ------*- C++ -*-===//
//
// Spec messages quote what the user wrote (a name, an op, a scalar), and a
// spec may hold anything: NUL bytes and other control characters through
// YAML's "\0" escapes, raw bytes that are not UTF-8. Every message of the
// spec frontend passes through printableText at the place it is reported,
// so no such byte reaches a terminal or a log. Not installed.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_SPEC_LIB_PRINTABLETEXT_H
#define GOE_FRONTENDS_SPEC_LIB_PRINTABLETEXT_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace goe::spec {

/// `text` with every control character (C0 and DEL) and every byte that is
/// not part of a valid UTF-8 sequence written as `\xNN`; the rest as is.
std::string printableText(llvm::StringRef text);

} // namespace goe::spec

#endif // GOE_FRONTENDS_SPEC_LIB_PRINTABLETEXT_H
