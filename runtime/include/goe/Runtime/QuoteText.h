//===- QuoteText.h - user text quoted safely in messages --------*- C++ -*-===//
//
// Error messages quote what the user gave or what a file holds: a path, a
// spec value, a tensor name read from a weights file. Such text may hold
// NUL bytes, terminal escape sequences, newlines or megabytes of garbage;
// printed raw it truncates the message, rewrites the terminal or floods it.
// Every message that quotes user text goes through quoteText().
//
// Thread safety: pure functions.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_QUOTETEXT_H
#define GOE_RUNTIME_QUOTETEXT_H

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace goe::runtime {

/// Longest user text a message shows; the rest becomes "...".
constexpr size_t kMaxQuotedBytes = 256;

/// `text` with C-style escapes: \n, \t, \r, \\, \' and \xNN for every other
/// control character (C0, DEL and the C1 range U+0080..U+009F) and every
/// byte that is not part of valid UTF-8. Valid UTF-8 (accented file names)
/// stays as it is. At most `maxBytes` input bytes are shown, then "...".
std::string escapeText(std::string_view text,
                       size_t maxBytes = kMaxQuotedBytes);

/// escapeText(text) in single quotes: "'image'", "'a\x00b'".
std::string quoteText(std::string_view text, size_t maxBytes = kMaxQuotedBytes);

/// Names a file holds (tensor names), listed in a message: the first
/// `shown` through escapeText, joined by ", ", then " and N more".
std::string nameList(const std::vector<std::string> &names, size_t shown = 8);

} // namespace goe::runtime

#endif // GOE_RUNTIME_QUOTETEXT_H
