//===- DataDirectory.h - is a data path a readable directory? ---*- C++ -*-===//
//
// Every dataset kind reads a directory. Given a path that is a file, a
// missing path or an unreadable one, the user is told which of these it is
// (a file given where its directory was meant is the usual slip), before
// any reader looks for the files inside.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DATA_DATADIRECTORY_H
#define GOE_DATA_DATADIRECTORY_H

#include "goe/Runtime/Status.h"

#include <string>

namespace goe::data {

/// OK if `path` is a directory that can be listed. Otherwise NotFound
/// ("<what> 'x' does not exist") or InvalidArgument ("<what> 'x' is a
/// regular file, not a directory ...", "cannot read <what> 'x': ...").
runtime::Status checkDataDirectory(const std::string &path,
                                   const std::string &what = "data directory");

} // namespace goe::data

#endif // GOE_DATA_DATADIRECTORY_H
