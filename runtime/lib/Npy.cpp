//===- Npy.cpp - reading and writing NumPy .npy files -------------------===//
//
// The header is a Python dict literal; it is parsed by a small recursive
// reader that knows exactly the three keys numpy writes and the value forms
// they take (a string, True/False, a tuple of non-negative integers), so a
// hostile header can only produce an error, never an unbounded allocation.
//
//===----------------------------------------------------------------------===//

#include "goe/Runtime/Npy.h"

#include "goe/Runtime/FileIO.h"
#include "goe/Runtime/QuoteText.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>

namespace goe::runtime {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr size_t kMaxRank = 64; // NumPy's NPY_MAXDIMS

uint64_t getLE(std::string_view bytes, size_t offset, size_t width) {
  uint64_t value = 0;
  for (size_t i = 0; i < width; ++i)
    value |= uint64_t(static_cast<unsigned char>(bytes[offset + i])) << (8 * i);
  return value;
}

/// A Python-style shape: "(2, 3)", "(5,)", "()".
std::string tupleText(const std::vector<int64_t> &shape) {
  std::string out = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      out += ", ";
    out += std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    out += ",";
  return out + ")";
}

/// Up to 32 bytes of `bytes`, non-printable ones as \xNN.
std::string printable(std::string_view bytes) {
  static const char *digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size() && i < 32; ++i) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  if (bytes.size() > 32)
    out += "...";
  return out;
}

/// How a stored dtype becomes a runtime tensor.
struct ElementFormat {
  size_t storedSize;
  DType dtype;
};

std::optional<ElementFormat> elementFormat(const std::string &descr) {
  if (descr == "<f4")
    return ElementFormat{4, DType::F32};
  if (descr == "<i8")
    return ElementFormat{8, DType::I64};
  if (descr == "<i4")
    return ElementFormat{4, DType::I64};
  if (descr == "|u1" || descr == "<u1")
    return ElementFormat{1, DType::F32};
  if (descr == "<f8")
    return ElementFormat{8, DType::F32};
  return std::nullopt;
}

/// The parsed header dict.
struct Header {
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
};

/// Reads the header dict. Each method returns an error message (empty when
/// it succeeded) so that the caller adds the file name once.
class HeaderReader {
public:
  explicit HeaderReader(std::string_view text) : text(text) {}

  std::string read(Header &header) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    skipSpace();
    if (!consume('{'))
      return expected("'{'");
    skipSpace();
    while (!peek('}')) {
      std::string key;
      if (std::string error = readString(key); !error.empty())
        return error;
      skipSpace();
      if (!consume(':'))
        return expected("':' after key '" + key + "'");
      skipSpace();
      std::string error;
      if (key == "descr") {
        if (haveDescr)
          return "key 'descr' appears twice";
        haveDescr = true;
        if (peek('[') || peek('{'))
          return "structured dtypes are not supported (descr is a list or "
                 "dict)";
        error = readString(header.descr);
      } else if (key == "fortran_order") {
        if (haveOrder)
          return "key 'fortran_order' appears twice";
        haveOrder = true;
        error = readBool(header.fortranOrder);
      } else if (key == "shape") {
        if (haveShape)
          return "key 'shape' appears twice";
        haveShape = true;
        error = readShape(header.shape);
      } else {
        return "unknown key '" + printable(key) +
               "' (expected descr, fortran_order, shape)";
      }
      if (!error.empty())
        return error;
      skipSpace();
      if (consume(',')) {
        skipSpace();
        continue;
      }
      if (!peek('}'))
        return expected("',' or '}'");
    }
    ++pos; // '}'
    skipSpace();
    if (pos != text.size())
      return "unexpected '" + printable(text.substr(pos)) +
             "' after the header dict";
    if (!haveDescr || !haveOrder || !haveShape)
      return std::string("the header dict lacks key '") +
             (!haveDescr ? "descr" : !haveOrder ? "fortran_order" : "shape") +
             "'";
    return "";
  }

private:
  bool atEnd() const { return pos >= text.size(); }
  bool peek(char c) const { return !atEnd() && text[pos] == c; }
  bool consume(char c) {
    if (!peek(c))
      return false;
    ++pos;
    return true;
  }
  void skipSpace() {
    while (!atEnd() && (text[pos] == ' ' || text[pos] == '\t' ||
                        text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }
  std::string expected(const std::string &what) const {
    if (atEnd())
      return "expected " + what + " at the end of the header";
    return "expected " + what + " at header offset " + std::to_string(pos) +
           ", found '" + printable(text.substr(pos, 8)) + "'";
  }

  std::string readString(std::string &out) {
    if (!peek('\'') && !peek('"'))
      return expected("a quoted string");
    char quote = text[pos++];
    size_t start = pos;
    while (!atEnd() && text[pos] != quote) {
      if (text[pos] == '\n')
        return "unterminated string in the header";
      if (text[pos] == '\\')
        return "unsupported escape in a string at header offset " +
               std::to_string(pos);
      ++pos;
    }
    if (atEnd())
      return "unterminated string in the header";
    out = std::string(text.substr(start, pos - start));
    ++pos;
    return "";
  }

  std::string readBool(bool &out) {
    if (text.substr(pos, 4) == "True") {
      out = true;
      pos += 4;
      return "";
    }
    if (text.substr(pos, 5) == "False") {
      out = false;
      pos += 5;
      return "";
    }
    return expected("True or False for 'fortran_order'");
  }

  std::string readShape(std::vector<int64_t> &shape) {
    if (!consume('('))
      return expected("a tuple '(...)' for 'shape'");
    skipSpace();
    while (!consume(')')) {
      if (shape.size() == kMaxRank)
        return "the shape has more than " + std::to_string(kMaxRank) +
               " dimensions";
      if (atEnd() || text[pos] < '0' || text[pos] > '9')
        return expected("a non-negative integer in 'shape'");
      int64_t value = 0;
      while (!atEnd() && text[pos] >= '0' && text[pos] <= '9') {
        int digit = text[pos] - '0';
        if (value > (std::numeric_limits<int64_t>::max() - digit) / 10)
          return "a dimension of 'shape' does not fit in 64 bits";
        value = value * 10 + digit;
        ++pos;
      }
      consume('L'); // Python 2 long literals: (3L, 4L)
      shape.push_back(value);
      skipSpace();
      if (consume(',')) {
        skipSpace();
        continue;
      }
      if (!peek(')'))
        return expected("',' or ')' in 'shape'");
    }
    return "";
  }

  std::string_view text;
  size_t pos = 0;
};

template <typename From, typename To>
void convert(const char *bytes, int64_t count, To *out) {
  for (int64_t i = 0; i < count; ++i) {
    From value;
    std::memcpy(&value, bytes + i * sizeof(From), sizeof(From));
    out[i] = static_cast<To>(value);
  }
}

} // namespace

std::string npyDtypesReadAs(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "'<f4', or converted '<f8' or '|u1'";
  case DType::I64:
    return "'<i8', or converted '<i4'";
  default:
    return "none";
  }
}

std::string describeNpyDtype(const std::string &storedDtype, DType dtype) {
  std::string stored = quoteText(storedDtype);
  std::string native = dtype == DType::F32 ? "<f4" : "<i8";
  if (storedDtype.empty() || storedDtype == native)
    return stored;
  return stored + " (read as " + dtypeName(dtype) + ")";
}

StatusOr<Tensor> parseNpy(std::string_view file, const std::string &source,
                          std::string *storedDtype) {
  const std::string name = quoteText(source);
  if (file.empty())
    return invalidArgument(name + " is empty, not a .npy file");
  std::string_view head = file.substr(0, kMagic.size());
  if (head != kMagic.substr(0, head.size()))
    return invalidArgument(name + " is not a .npy file (it starts with \"" +
                           printable(head) + "\", expected \"\\x93NUMPY\")");
  if (file.size() < kMagic.size() + 2)
    return dataLoss(name + " is truncated: " + std::to_string(file.size()) +
                    " bytes, the .npy preamble alone has 10");

  int major = static_cast<unsigned char>(file[6]);
  int minor = static_cast<unsigned char>(file[7]);
  if ((major != 1 && major != 2 && major != 3) || minor != 0)
    return invalidArgument(name + " has .npy format version " +
                           std::to_string(major) + "." +
                           std::to_string(minor) +
                           "; supported are 1.0, 2.0 and 3.0");
  size_t lengthBytes = major == 1 ? 2 : 4;
  size_t preamble = kMagic.size() + 2 + lengthBytes;
  if (file.size() < preamble)
    return dataLoss(name + " is truncated: " + std::to_string(file.size()) +
                    " bytes, the version " + std::to_string(major) +
                    ".0 preamble has " + std::to_string(preamble));
  uint64_t headerLength = getLE(file, kMagic.size() + 2, lengthBytes);
  if (headerLength > file.size() - preamble)
    return dataLoss(name + " is truncated: the header announces " +
                    std::to_string(headerLength) + " bytes, " +
                    std::to_string(file.size() - preamble) + " follow");

  Header header;
  std::string error =
      HeaderReader(file.substr(preamble, headerLength)).read(header);
  if (!error.empty())
    return invalidArgument(name + " has a malformed .npy header: " + error);

  std::optional<ElementFormat> format = elementFormat(header.descr);
  if (!format)
    return invalidArgument(
        name + " has dtype '" + printable(header.descr) +
        "'; supported are '<f4', '<i8' and, converted, '<i4' (to i64), "
        "'|u1' and '<f8' (to f32)");
  if (header.fortranOrder && header.shape.size() >= 2)
    return invalidArgument(name + " is stored in Fortran order; only C order "
                                  "is supported (save "
                                  "numpy.ascontiguousarray(x))");
  StatusOr<int64_t> numel = checkedNumel(header.shape);
  if (!numel.ok())
    return invalidArgument(name + " has an impossible shape " +
                           tupleText(header.shape) + ": " +
                           numel.status().message());

  std::string_view data = file.substr(preamble + headerLength);
  uint64_t needed = static_cast<uint64_t>(*numel) * format->storedSize;
  if (data.size() < needed)
    return dataLoss(name + " is truncated: shape " + tupleText(header.shape) +
                    " of '" + header.descr + "' needs " +
                    std::to_string(needed) + " data bytes, the file has " +
                    std::to_string(data.size()));
  if (data.size() > needed)
    return dataLoss(name + " does not match its shape: " +
                    tupleText(header.shape) + " of '" + header.descr +
                    "' needs " + std::to_string(needed) +
                    " data bytes, the file has " +
                    std::to_string(data.size()));

  StatusOr<Tensor> tensor = Tensor::uninitialized(format->dtype, header.shape);
  if (!tensor.ok())
    return tensor.status().withContext(name);
  if (storedDtype)
    *storedDtype = header.descr;
  const char *bytes = data.data();
  if (header.descr == "<i4")
    convert<int32_t>(bytes, *numel, tensor->i64());
  else if (header.descr == "<f8")
    convert<double>(bytes, *numel, tensor->f32());
  else if (format->storedSize == 1)
    convert<uint8_t>(bytes, *numel, tensor->f32());
  else if (needed > 0)
    std::memcpy(tensor->data(), bytes, needed);
  return tensor;
}

StatusOr<Tensor> readNpy(const std::string &path, std::string *storedDtype) {
  StatusOr<std::string> bytes = readFileBytes(path);
  if (!bytes.ok())
    return bytes.status();
  return parseNpy(*bytes, path, storedDtype);
}

StatusOr<std::string> encodeNpy(const TensorView &tensor) {
  const char *descr;
  switch (tensor.dtype) {
  case DType::F32:
    descr = "<f4";
    break;
  case DType::I64:
    descr = "<i8";
    break;
  default:
    return invalidArgument("cannot write a tensor of unknown dtype to .npy");
  }
  StatusOr<int64_t> numel = checkedNumel(tensor.shape);
  if (!numel.ok())
    return numel.status();
  size_t dataBytes = static_cast<size_t>(*numel) * dtypeSize(tensor.dtype);
  if (dataBytes > 0 && !tensor.data)
    return invalidArgument("tensor " + shapeToString(tensor.shape) +
                           " has no data");

  std::string dict = std::string("{'descr': '") + descr +
                     "', 'fortran_order': False, 'shape': " +
                     tupleText(tensor.shape) + ", }";
  // Pad with spaces so that the data starts 64-byte aligned; '\n' last.
  size_t total = kMagic.size() + 4 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  if (dict.size() > 0xffff)
    return invalidArgument("the .npy header of shape " +
                           tupleText(tensor.shape) +
                           " does not fit a version 1.0 file");

  std::string file;
  try {
    file.reserve(kMagic.size() + 4 + dict.size() + dataBytes);
  } catch (const std::exception &) {
    return resourceExhausted("cannot allocate " + std::to_string(dataBytes) +
                             " bytes for a .npy file");
  }
  file += kMagic;
  file += '\x01';
  file += '\x00';
  file += static_cast<char>(dict.size() & 0xff);
  file += static_cast<char>(dict.size() >> 8);
  file += dict;
  if (dataBytes > 0)
    file.append(static_cast<const char *>(tensor.data), dataBytes);
  return file;
}

Status writeNpy(const std::string &path, const TensorView &tensor) {
  StatusOr<std::string> file = encodeNpy(tensor);
  if (!file.ok())
    return file.status().withContext(quoteText(path));
  return writeFileAtomically(path, {*file});
}

} // namespace goe::runtime
