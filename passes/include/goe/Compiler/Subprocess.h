//===- Subprocess.h - a tool the code generator runs ------------*- C++ -*-===//
//
// The code generator links with `cc` and assembles PTX with `ptxas`, into
// temporary files. If the compiler is interrupted meanwhile, the tool (and
// the linker `cc` starts in turn) must not go on writing those files after
// they were removed. So the tool runs in a process group of its own,
// registered with the interrupt clean-up (goe/Runtime/InterruptCleanup.h),
// which kills the whole group before it removes any file.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_COMPILER_SUBPROCESS_H
#define GOE_COMPILER_SUBPROCESS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace goe {

/// Runs `program` with `args` (args[0] is its name) in a new process group
/// and waits for it, at most `timeoutSeconds` (then the group is killed).
/// Its stdout and stderr go to `outputPath` when given (else they are
/// inherited). Returns its exit code, or -1 with `error` saying why there
/// is none (it could not start, a signal ended it, it timed out).
int runSubprocess(llvm::StringRef program, llvm::ArrayRef<llvm::StringRef> args,
                  std::optional<llvm::StringRef> outputPath,
                  unsigned timeoutSeconds, std::string &error);

} // namespace goe

#endif // GOE_COMPILER_SUBPROCESS_H
