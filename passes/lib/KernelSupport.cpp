//===- KernelSupport.cpp - C helpers linked into every kernel library -----===//
//
// This C source is compiled and linked next to the kernels by
// compileToSharedObject:
//
// - MLIR's LLVM lowering of memref.copy between non-contiguous buffers
//   calls `memrefCopy(elementSize, UnrankedMemRef *src, UnrankedMemRef
//   *dst)`, which normally lives in MLIR's C runner library. The runtime
//   links no MLIR, so every kernel library carries its own.
// - goe_parallel_for: the microkernels split large work over the session's
//   threads through a runner the runtime installs after loading the code
//   (goe_set_parallel_runner; CpuDevice.cpp). Without one, or outside a
//   call the runtime allows to fan out, the work runs on the caller.
// - goe_report_conv: the conv microkernel reports each call's start and
//   end (and MACs) to a probe the runtime installs (goe_set_conv_probe), so
//   that a profile can tell the convolutions' time from the rest of a
//   kernel's.
// - The kernels' heap buffers (intermediates too large for the stack, such
//   as YOLO's 160 x 160 x 32 feature maps) come from goe_buffer_alloc and
//   go back to goe_buffer_free (compileToSharedObject renames the lowering's
//   malloc and free). A per-sample body allocates the same sizes on every
//   call; from malloc, each such buffer is fresh mmap'd memory whose page
//   faults and zeroing cost a fifth of a YOLO run. The cache keeps freed
//   blocks for reuse by size.
// - Packed weights: the runtime names the program's weights after loading
//   (goe_register_weights); a kernel that reads a weight in another layout
//   packs it once through goe_packed_weights and keeps the copy while the
//   code is loaded, instead of packing it on every call.
//
//===----------------------------------------------------------------------===//

#include "goe/Compiler/CpuCodegen.h"

const char *goe::kKernelSupportSource = R"C(
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- parallel runner --------------------------------------------------- */

/* task(context, begin, end) for a part [begin, end) of [0, count). */
typedef void (*goe_task_fn)(void *context, int64_t begin, int64_t end);
typedef void (*goe_parallel_runner)(int64_t count, goe_task_fn task,
                                    void *context);
static goe_parallel_runner goe_runner;

/* Called once by the runtime, right after loading, before any kernel. */
void goe_set_parallel_runner(goe_parallel_runner runner) { goe_runner = runner; }

void goe_parallel_for(int64_t count, goe_task_fn task, void *context) {
  if (goe_runner && count > 1)
    goe_runner(count, task, context);
  else
    task(context, 0, count);
}

/* ---- convolution probe ------------------------------------------------- */

/* The runtime's profile times the microkernel's calls: each call reports
   its start (phase 0) and its end with the MACs it did (phase 1) to a probe
   the runtime installs after loading, which does nothing unless the call
   is being profiled. */
typedef void (*goe_conv_probe_fn)(int64_t phase, double macs);
static goe_conv_probe_fn goe_conv_probe;

void goe_set_conv_probe(goe_conv_probe_fn probe) { goe_conv_probe = probe; }

void goe_report_conv(int64_t phase, double macs) {
  if (goe_conv_probe)
    goe_conv_probe(phase, macs);
}

/* ---- buffer cache ------------------------------------------------------ */

/* Freed blocks kept for reuse: at most kSlots of them and kMaxBytes in all
   (a YOLO sample's buffers take about 40 MB); beyond that, free. Each block
   starts with a header holding its size, 64 bytes so that the payload keeps
   malloc's alignment. One lock for all threads: a buffer is hundreds of
   kilobytes and used for microseconds at least. */
enum { kGoeBufferSlots = 64, kGoeBufferHeader = 64 };
static const size_t kGoeBufferMaxBytes = (size_t)1 << 30;
static pthread_mutex_t goe_buffer_lock = PTHREAD_MUTEX_INITIALIZER;
static void *goe_buffer_slots[kGoeBufferSlots];
static size_t goe_buffer_cached_bytes;

void *goe_buffer_alloc(int64_t size) {
  size_t bytes = (size_t)size;
  pthread_mutex_lock(&goe_buffer_lock);
  for (int i = 0; i < kGoeBufferSlots; ++i) {
    char *block = (char *)goe_buffer_slots[i];
    if (block && *(size_t *)block == bytes) {
      goe_buffer_slots[i] = 0;
      goe_buffer_cached_bytes -= bytes;
      pthread_mutex_unlock(&goe_buffer_lock);
      return block + kGoeBufferHeader;
    }
  }
  pthread_mutex_unlock(&goe_buffer_lock);
  char *block = (char *)malloc(bytes + kGoeBufferHeader);
  if (!block)
    return 0;
  *(size_t *)block = bytes;
  return block + kGoeBufferHeader;
}

void goe_buffer_free(void *payload) {
  if (!payload)
    return;
  char *block = (char *)payload - kGoeBufferHeader;
  size_t bytes = *(size_t *)block;
  pthread_mutex_lock(&goe_buffer_lock);
  if (goe_buffer_cached_bytes + bytes <= kGoeBufferMaxBytes)
    for (int i = 0; i < kGoeBufferSlots; ++i)
      if (!goe_buffer_slots[i]) {
        goe_buffer_slots[i] = block;
        goe_buffer_cached_bytes += bytes;
        block = 0;
        break;
      }
  pthread_mutex_unlock(&goe_buffer_lock);
  free(block);
}

/* dlclose (the Session going away) or exit: nothing cached outlives the
   code that cached it. */
__attribute__((destructor)) static void goe_buffer_release(void) {
  for (int i = 0; i < kGoeBufferSlots; ++i) {
    free(goe_buffer_slots[i]);
    goe_buffer_slots[i] = 0;
  }
  goe_buffer_cached_bytes = 0;
}

/* ---- packed weights ---------------------------------------------------- */

/* The program's weights: byte ranges the runtime promises to keep in place
   and unchanged for as long as this code is loaded. Registered once, before
   any kernel runs, so reading them needs no lock. */
typedef struct { const char *begin, *end; } goe_weight_range;
static goe_weight_range *goe_weights;
static int64_t goe_weight_count;

void goe_register_weights(const void *data, int64_t bytes) {
  goe_weight_range *grown = (goe_weight_range *)realloc(
      goe_weights, (size_t)(goe_weight_count + 1) * sizeof(goe_weight_range));
  if (!grown)
    return; /* unregistered: its kernels pack it per call, as without this */
  goe_weights = grown;
  goe_weights[goe_weight_count].begin = (const char *)data;
  goe_weights[goe_weight_count].end = (const char *)data + bytes;
  ++goe_weight_count;
}

static int goe_is_weight(const float *source, int64_t floats) {
  const char *first = (const char *)source;
  const char *last = (const char *)(source + floats);
  for (int64_t i = 0; i < goe_weight_count; ++i)
    if (first >= goe_weights[i].begin && last <= goe_weights[i].end)
      return 1;
  return 0;
}

/* One packed copy: the weight it was made from, the layout description the
   kernel gave (the same weight read two ways gets two copies). */
enum { kGoePackLayout = 10, kGoePackSlots = 8192 };
typedef struct {
  const float *source;
  int64_t layout[kGoePackLayout];
  float *packed;
} goe_pack;
/* Slots are filled in order and never move, so that every conv call can
   look its copy up without the lock: a slot is written before the count
   that covers it is published (release), and read after the count is
   (acquire). The lock orders the writers. */
static goe_pack *goe_packs;
static int64_t goe_pack_count;
static pthread_mutex_t goe_pack_lock = PTHREAD_MUTEX_INITIALIZER;

typedef void (*goe_pack_fn)(const void *context, float *to);

static const float *goe_find_pack(const float *source,
                                  const int64_t layout[kGoePackLayout],
                                  int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    if (goe_packs[i].source == source &&
        !memcmp(goe_packs[i].layout, layout,
                kGoePackLayout * sizeof(int64_t)))
      return goe_packs[i].packed;
  return 0;
}

/* `packedFloats` floats made by pack(context, to) from the registered
   weight that `source` starts (`sourceFloats` of it read), made once and
   kept; NULL when `source` is not a registered weight (or memory or slots
   ran out): the caller then reads the weights in place or packs them for
   this call alone. The lock is held
   while a copy is made, so concurrent first calls make it once. */
const float *goe_packed_weights(const float *source, int64_t sourceFloats,
                                const int64_t layout[kGoePackLayout],
                                int64_t packedFloats, goe_pack_fn pack,
                                const void *context) {
  if (!goe_is_weight(source, sourceFloats))
    return 0;
  const float *found = goe_find_pack(
      source, layout, __atomic_load_n(&goe_pack_count, __ATOMIC_ACQUIRE));
  if (found)
    return found;
  pthread_mutex_lock(&goe_pack_lock);
  int64_t count = goe_pack_count;
  found = goe_find_pack(source, layout, count);
  if (found || count == kGoePackSlots) {
    pthread_mutex_unlock(&goe_pack_lock);
    return found;
  }
  if (!goe_packs)
    goe_packs = (goe_pack *)calloc(kGoePackSlots, sizeof(goe_pack));
  void *memory = 0;
  if (!goe_packs ||
      posix_memalign(&memory, 64, (size_t)packedFloats * sizeof(float))) {
    pthread_mutex_unlock(&goe_pack_lock);
    return 0;
  }
  pack(context, (float *)memory);
  goe_pack *entry = &goe_packs[count];
  entry->source = source;
  memcpy(entry->layout, layout, kGoePackLayout * sizeof(int64_t));
  entry->packed = (float *)memory;
  __atomic_store_n(&goe_pack_count, count + 1, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&goe_pack_lock);
  return (const float *)memory;
}

__attribute__((destructor)) static void goe_packs_release(void) {
  for (int64_t i = 0; i < goe_pack_count; ++i)
    free(goe_packs[i].packed);
  free(goe_packs);
  goe_packs = 0;
  goe_pack_count = 0;
  free(goe_weights);
  goe_weights = 0;
  goe_weight_count = 0;
}

/* ---- memrefCopy -------------------------------------------------------- */

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
