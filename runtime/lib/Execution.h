//===- Execution.h - one run of a program's steps ---------------*- C++ -*-===//
//
// The interpreter over the model's steps (Program.h): a run owns its value
// table; nothing here writes shared state except the thread pool (which
// takes concurrent jobs), which is what makes concurrent runs on one
// Session safe. Within a run, a DISPATCH's path groups run in parallel on
// the pool; each writes only its own (row, slot) places of the outputs.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_LIB_EXECUTION_H
#define GOE_RUNTIME_LIB_EXECUTION_H

#include "goe/Runtime/Profile.h"
#include "goe/Runtime/Session.h"

#include <cstdint>
#include <vector>

namespace goe::runtime::detail {

struct Program;
class ComputeDevice;
class ThreadPool;

/// Runs `program` on one batch of `inputs` (already checked against its
/// signature) on `device`, fanning out over `pool`; the outputs, routes and
/// dispatch counts go to `result`. `runSeed` seeds the run's random
/// routers; `profile`, if given, records every step.
Status executeProgram(const Program &program, ComputeDevice &device,
                      ThreadPool &pool, Profile *profile, uint64_t runSeed,
                      const std::vector<TensorView> &inputs,
                      RunResult &result);

} // namespace goe::runtime::detail

#endif // GOE_RUNTIME_LIB_EXECUTION_H
