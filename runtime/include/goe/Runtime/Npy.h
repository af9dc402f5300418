//===- Npy.h - reading and writing NumPy .npy files -------------*- C++ -*-===//
//
// The .npy format (numpy.lib.format) is how tensors get into and out of the
// tools: "\x93NUMPY", a major/minor version byte, a little-endian header
// length (2 bytes in version 1.0, 4 bytes in 2.0 and 3.0), a Python dict
// literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded
// with spaces and ended by '\n', then the raw elements.
//
// Reading accepts versions 1.0, 2.0 and 3.0 and these dtypes:
//   '<f4' -> f32, '<i8' -> i64            (as stored)
//   '<i4' -> i64                          (widened, exact)
//   '|u1' (or '<u1') -> f32               (the value 0..255, not rescaled)
//   '<f8' -> f32                          (rounded to nearest float)
// Only C order: fortran_order True is an error for rank >= 2 (for rank 0
// and 1 both orders are the same bytes, so it is accepted). A 0-d array
// (shape ()) reads as a tensor of shape [] with one element.
//
// Every malformed file is an error whose message names the file and the
// problem (bad magic, unknown version, truncated header or data, a header
// that is not the expected dict, an unsupported dtype or byte order, a
// shape that overflows, data bytes that do not match the shape); nothing
// aborts and no allocation is sized from an unchecked header.
//
// Writing produces version 1.0 files of '<f4' or '<i8', C order, header
// padded to a multiple of 64 bytes; files are written atomically (a
// temporary file in the same directory, then rename).
//
// The runtime is little-endian only (x86-64); data bytes are copied as is.
//
// Thread safety: all functions are reentrant.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_NPY_H
#define GOE_RUNTIME_NPY_H

#include "goe/Runtime/Status.h"
#include "goe/Runtime/Tensor.h"

#include <string>
#include <string_view>

namespace goe::runtime {

/// Parses the bytes of a whole .npy file; `source` names it in messages.
/// Errors are InvalidArgument (not an .npy file, unsupported version, dtype
/// or order, a malformed header or shape) or DataLoss (truncated, or bytes
/// left over after the data). `storedDtype`, if given, receives the file's
/// own dtype ('|u1'), so that a caller that wanted another dtype can say
/// what the file holds rather than what it was converted to.
StatusOr<Tensor> parseNpy(std::string_view file,
                          const std::string &source = "<memory>",
                          std::string *storedDtype = nullptr);

/// Reads and parses the .npy file at `path` (NotFound if it does not exist).
StatusOr<Tensor> readNpy(const std::string &path,
                         std::string *storedDtype = nullptr);

/// The .npy dtypes that read as `dtype`, for messages: "'<i8' or '<i4'".
std::string npyDtypesReadAs(DType dtype);

/// "'<u1' (read as f32)" for a converted dtype, "'<f4'" otherwise: how a
/// message names what a file of `storedDtype` gave as `dtype`.
std::string describeNpyDtype(const std::string &storedDtype, DType dtype);

/// The bytes of a version 1.0 .npy file holding `tensor` ('<f4' or '<i8').
StatusOr<std::string> encodeNpy(const TensorView &tensor);

/// Writes `tensor` to `path` atomically: on failure nothing is left there.
Status writeNpy(const std::string &path, const TensorView &tensor);

} // namespace goe::runtime

#endif // GOE_RUNTIME_NPY_H
