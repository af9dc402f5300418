//===- KernelSupport.cpp - C helpers linked into every kernel library -----===//
//
// MLIR's LLVM lowering of memref.copy between non-contiguous buffers calls
// `memrefCopy(elementSize, UnrankedMemRef *src, UnrankedMemRef *dst)`, which
// normally lives in MLIR's C runner library. The runtime links no MLIR, so
// every kernel library carries its own: this C source is compiled and linked
// next to the kernels by compileToSharedObject.
//
//===----------------------------------------------------------------------===//

#include "goe/Compiler/CpuCodegen.h"

const char *goe::kKernelSupportSource = R"C(
#include <stdint.h>
#include <string.h>

/* An unranked memref: its rank and a pointer to the ranked descriptor
   {char *allocated, char *aligned, int64 offset, int64 sizes[rank],
    int64 strides[rank]} (offset and strides in elements). */
typedef struct { int64_t rank; void *descriptor; } UnrankedMemRef;

typedef struct {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t rest[]; /* sizes[rank], then strides[rank] */
} RankedMemRef;

void memrefCopy(int64_t elementSize, UnrankedMemRef *src, UnrankedMemRef *dst) {
  int64_t rank = src->rank;
  RankedMemRef *s = (RankedMemRef *)src->descriptor;
  RankedMemRef *d = (RankedMemRef *)dst->descriptor;
  const int64_t *sizes = s->rest, *srcStrides = s->rest + rank;
  const int64_t *dstStrides = d->rest + rank;
  char *from = s->aligned + s->offset * elementSize;
  char *to = d->aligned + d->offset * elementSize;
  if (rank == 0) {
    memcpy(to, from, elementSize);
    return;
  }
  for (int64_t i = 0; i < rank; ++i)
    if (sizes[i] == 0)
      return;
  /* Walk every index like an odometer; the innermost dimension is copied
     as one block when both sides are contiguous in it. */
  int64_t inner = sizes[rank - 1];
  int contiguous = srcStrides[rank - 1] == 1 && dstStrides[rank - 1] == 1;
  int64_t index[64] = {0};
  if (rank > 64)
    return; /* no goe tensor comes near this rank */
  for (;;) {
    int64_t srcOffset = 0, dstOffset = 0;
    for (int64_t i = 0; i < rank - 1; ++i) {
      srcOffset += index[i] * srcStrides[i];
      dstOffset += index[i] * dstStrides[i];
    }
    if (contiguous) {
      memcpy(to + dstOffset * elementSize, from + srcOffset * elementSize,
             inner * elementSize);
    } else {
      for (int64_t j = 0; j < inner; ++j)
        memcpy(to + (dstOffset + j * dstStrides[rank - 1]) * elementSize,
               from + (srcOffset + j * srcStrides[rank - 1]) * elementSize,
               elementSize);
    }
    int64_t dim = rank - 2;
    while (dim >= 0 && ++index[dim] == sizes[dim])
      index[dim--] = 0;
    if (dim < 0)
      return;
  }
}
)C";
