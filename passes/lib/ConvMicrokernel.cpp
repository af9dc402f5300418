//===- ConvMicrokernel.cpp - the C microkernel for large convolutions ------===//
//
// Convolutions with many output channels (YOLO's 1x1 and 3x3 layers) run
// through this hand-blocked direct convolution instead of the MLIR-tiled
// loops: goe-convs-to-microkernel-calls (ConvsToMicrokernelCalls.cpp) turns
// each one into a call of `goe_conv2d_nhwc_hwcf_f32`. The C is compiled by
// the same `cc` that links the kernels, for the CPU the kernels target
// (-march), so the vector width follows the target.
//
// The register tile is PIXELS output pixels of one output row by 32 output
// channels: with AVX-512, two 16-lane vectors per pixel; per input channel
// and window tap it loads two weight vectors and broadcasts one input
// value per pixel, so 2 x PIXELS independent FMAs share 2 + PIXELS loads.
// PIXELS is 12 with AVX-512 (24 accumulators of the 32 registers), 3 with
// AVX2 (four 8-lane vectors a pixel, of its 16 registers), 1 below; a row
// is covered by tiles of the width that divides it best. The accumulators
// start from the op's init (a sum into it): the output's values, or the
// bias read in place when the pass folded the bias broadcast that filled
// the output (a `start` operand whose pixel strides are 0), which saves
// writing and reading the output once. Channels beyond the last multiple
// of 32 go through the same tiles on zero-padded copies, so any channel count is computed; the pass
// sends layers of at least 32. When the weights outweigh the input (deep
// layers on small maps), each 32-channel block of weights goes over all
// rows before the next. The blocks are read from contiguous copies; the
// copies of a model's weights are made on the first call and kept
// (KernelSupport.cpp's goe_packed_weights), which took 7% of a batch-1
// YOLO run when made on every call. With epilogue 1 each
// tile stores max(sum, slope * sum): the LeakyReLU that followed the
// convolution (ConvEpilogue.h), applied while the sums are in registers.
// Each call reports its start and its MACs at the end (goe_report_conv,
// KernelSupport.cpp), which a profile turns into the convolutions' share.
// bench/conv-microkernel/run.sh times it alone on YOLO's layer shapes.
//
//===----------------------------------------------------------------------===//

#include "goe/Compiler/CpuCodegen.h"

const char *goe::kConvMicrokernelSource = R"C(
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A rank-4 memref descriptor as MLIR passes it to an
   llvm.emit_c_interface function (strides and offset in elements). */
typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[4], strides[4];
} goe_memref4;

/* The target's vector: wider vector types than the registers are split
   by the compiler through memory, which would be slow. */
#if defined(__AVX512F__)
#define GOE_LANES 16
#define GOE_CONV_PIXELS 12
#elif defined(__AVX__)
#define GOE_LANES 8
#define GOE_CONV_PIXELS 3
#else
#define GOE_LANES 4
#define GOE_CONV_PIXELS 1
#endif
#define GOE_BLOCK_VECTORS (32 / GOE_LANES)
typedef float goe_vec
    __attribute__((vector_size(4 * GOE_LANES), aligned(4)));
typedef int goe_mask __attribute__((vector_size(4 * GOE_LANES), aligned(4)));

/* max(x, slope * x) lane by lane, as arith.maximumf: a NaN stays NaN. */
static inline goe_vec goe_leaky(goe_vec x, float slope) {
  goe_vec scaled = x * slope;
  goe_mask keep = x > scaled;
  return (goe_vec)((keep & (goe_mask)x) | (~keep & (goe_mask)scaled));
}

/* The geometry every tile shares: element strides of the input (pixel and
   row), of the weights (tap row, tap column, input channel), the window. */
typedef struct {
  int64_t inRow, inPixel, wRow, wColumn, wChannel;
  int64_t windowRows, windowColumns, channels, dilationRow, dilationColumn;
  int64_t pixelStep; /* input elements between neighbouring output pixels */
  int64_t leaky;     /* 1: store max(sum, slope * sum) */
  float slope;
} goe_conv_geometry;

/* out[p][GOE_LANES v + lane] = start[p][GOE_LANES v + lane] + sum over
   taps and channels of in[p * pixelStep + tap + c] *
   w[tap][c][GOE_LANES v + lane], for P pixels and V vectors. `in` points at
   the first pixel's window origin, `w` at the tile's first output channel,
   `start` and `out` at its first output's start value and output.
   startPixel is 0 when every pixel starts from the same bias. */
#define GOE_DEFINE_CONV_TILE(NAME, P, V)                                       \
  static void NAME(const goe_conv_geometry *g, const float *in,                \
                   const float *w, const float *start, int64_t startPixel,     \
                   float *out, int64_t outPixel) {                             \
    goe_vec acc[P][V];                                                         \
    _Pragma("GCC unroll 16") for (int p = 0; p < P; ++p)                       \
      _Pragma("GCC unroll 8") for (int v = 0; v < V; ++v)                      \
        acc[p][v] =                                                            \
            *(const goe_vec *)(start + p * startPixel + GOE_LANES * v);        \
    for (int64_t kh = 0; kh < g->windowRows; ++kh)                             \
      for (int64_t kw = 0; kw < g->windowColumns; ++kw) {                      \
        const float *x =                                                       \
            in + kh * g->dilationRow * g->inRow +                              \
            kw * g->dilationColumn * g->inPixel;                               \
        const float *wt = w + kh * g->wRow + kw * g->wColumn;                  \
        for (int64_t c = 0; c < g->channels; ++c) {                            \
          goe_vec wv[V];                                                       \
          _Pragma("GCC unroll 8") for (int v = 0; v < V; ++v)                  \
            wv[v] = *(const goe_vec *)(wt + c * g->wChannel + GOE_LANES * v);         \
          _Pragma("GCC unroll 16") for (int p = 0; p < P; ++p) {               \
            float xs = x[p * g->pixelStep + c];                                \
            _Pragma("GCC unroll 8") for (int v = 0; v < V; ++v)                \
              acc[p][v] += xs * wv[v];                                         \
          }                                                                    \
        }                                                                      \
      }                                                                        \
    if (g->leaky)                                                              \
      _Pragma("GCC unroll 16") for (int p = 0; p < P; ++p)                     \
        _Pragma("GCC unroll 8") for (int v = 0; v < V; ++v)                    \
          acc[p][v] = goe_leaky(acc[p][v], g->slope);                          \
    _Pragma("GCC unroll 16") for (int p = 0; p < P; ++p)                       \
      _Pragma("GCC unroll 8") for (int v = 0; v < V; ++v)                      \
        *(goe_vec *)(out + p * outPixel + GOE_LANES * v) = acc[p][v];                 \
  }

/* Tiles of 1 to GOE_CONV_PIXELS pixels by 32 channels, so that a row of
   any width is covered by full tiles (goe_conv_row picks them). */
GOE_DEFINE_CONV_TILE(goe_conv_tile_1, 1, GOE_BLOCK_VECTORS)
#if GOE_CONV_PIXELS >= 3
GOE_DEFINE_CONV_TILE(goe_conv_tile_2, 2, GOE_BLOCK_VECTORS)
GOE_DEFINE_CONV_TILE(goe_conv_tile_3, 3, GOE_BLOCK_VECTORS)
#endif
#if GOE_CONV_PIXELS >= 12
GOE_DEFINE_CONV_TILE(goe_conv_tile_4, 4, GOE_BLOCK_VECTORS)
GOE_DEFINE_CONV_TILE(goe_conv_tile_5, 5, GOE_BLOCK_VECTORS)
GOE_DEFINE_CONV_TILE(goe_conv_tile_6, 6, GOE_BLOCK_VECTORS)
GOE_DEFINE_CONV_TILE(goe_conv_tile_7, 7, GOE_BLOCK_VECTORS)
GOE_DEFINE_CONV_TILE(goe_conv_tile_8, 8, GOE_BLOCK_VECTORS)
GOE_DEFINE_CONV_TILE(goe_conv_tile_9, 9, GOE_BLOCK_VECTORS)
GOE_DEFINE_CONV_TILE(goe_conv_tile_10, 10, GOE_BLOCK_VECTORS)
GOE_DEFINE_CONV_TILE(goe_conv_tile_11, 11, GOE_BLOCK_VECTORS)
GOE_DEFINE_CONV_TILE(goe_conv_tile_12, 12, GOE_BLOCK_VECTORS)
#endif

typedef void (*goe_conv_tile_fn)(const goe_conv_geometry *, const float *,
                                 const float *, const float *, int64_t,
                                 float *, int64_t);
static const goe_conv_tile_fn goe_conv_tiles[GOE_CONV_PIXELS + 1] = {
    0, goe_conv_tile_1,
#if GOE_CONV_PIXELS >= 3
    goe_conv_tile_2, goe_conv_tile_3,
#endif
#if GOE_CONV_PIXELS >= 12
    goe_conv_tile_4, goe_conv_tile_5, goe_conv_tile_6, goe_conv_tile_7,
    goe_conv_tile_8, goe_conv_tile_9, goe_conv_tile_10, goe_conv_tile_11,
    goe_conv_tile_12,
#endif
};

/* The tile width for a row of `columns` pixels: the widest tile that
   divides it, when that is at least half the widest there is (YOLO's 160,
   80, ..., 10 all take 10), else the widest, with one narrower tile for
   what is left. */
static int64_t goe_conv_tile_width(int64_t columns) {
  for (int64_t p = GOE_CONV_PIXELS; 2 * p >= GOE_CONV_PIXELS && p > 1; --p)
    if (columns % p == 0)
      return p;
  return columns < GOE_CONV_PIXELS ? columns : GOE_CONV_PIXELS;
}

/* The tiles of one output row for the 32 channels at `w`, `start`, `out`. */
static void goe_conv_row(const goe_conv_geometry *g, const float *inRow,
                         const float *w, const float *startRow,
                         int64_t startPixel, float *outRow, int64_t outPixel,
                         int64_t columns, int64_t tile) {
  for (int64_t ow = 0; ow < columns; ow += tile) {
    int64_t p = columns - ow < tile ? columns - ow : tile;
    goe_conv_tiles[p](g, inRow + ow * g->pixelStep, w,
                      startRow + ow * startPixel, startPixel,
                      outRow + ow * outPixel, outPixel);
  }
}

/* The geometry of `g` reading a packed block (goe_conv_pack_block). */
static goe_conv_geometry goe_conv_packed_geometry(const goe_conv_geometry *g) {
  goe_conv_geometry packed = *g;
  packed.wRow = g->windowColumns * g->channels * 32;
  packed.wColumn = g->channels * 32;
  packed.wChannel = 32;
  return packed;
}

/* Copies output channels [0, count) of the weights at `w` (count <= 32)
   into `block` as [tap row][tap column][channel][32], zero past count.
   Read in place, an input channel's 32 weights sit a whole row of F apart,
   a new page every few channels (TLB misses: YOLO's 10 x 10 layers ran at
   17% of the peak). */
static void goe_conv_pack_block(const goe_conv_geometry *g, const float *w,
                                int64_t count, float *block) {
  goe_conv_geometry shape = goe_conv_packed_geometry(g);
  const goe_conv_geometry *packed = &shape;
  for (int64_t kh = 0; kh < g->windowRows; ++kh)
    for (int64_t kw = 0; kw < g->windowColumns; ++kw)
      for (int64_t c = 0; c < g->channels; ++c) {
        float *to = block + kh * packed->wRow + kw * packed->wColumn + c * 32;
        const float *from =
            w + kh * g->wRow + kw * g->wColumn + c * g->wChannel;
        if (count == 32) {
          /* Whole blocks (all but a detect layer's last) by vectors: a
             memcpy call per 128 bytes cost a 1024-channel layer 13 %. */
          _Pragma("GCC unroll 8") for (int v = 0; v < GOE_BLOCK_VECTORS; ++v)
            ((goe_vec *)to)[v] = ((const goe_vec *)from)[v];
          continue;
        }
        memcpy(to, from, (size_t)count * sizeof(float));
        memset(to + count, 0, (size_t)(32 - count) * sizeof(float));
      }
}

static float *goe_conv_scratch(int64_t floats) {
  float *p = (float *)malloc((size_t)floats * sizeof(float));
  if (!p)
    abort(); /* at most a few hundred kilobytes; the kernels' own buffers
                are far larger */
  return p;
}

/* Everything a part of the output rows needs (goe_conv_rows). */
typedef struct {
  goe_conv_geometry g, gp; /* gp: reading packed blocks */
  const float *in, *w;
  const float *packed; /* the last `rest` channels, padded to 32 */
  const float *blocks; /* every whole block packed, when kept (or null) */
  const float *start;  /* the values the sums start from */
  float *out;
  const int64_t *is, *ss, *os;
  int64_t rows, columns, full, rest, sh, tile, blockFloats;
  int weightsOuter; /* loop over weight blocks outside the rows */
} goe_conv_job;

/* KernelSupport.c: a registered weight's packed copy, made once. */
typedef void (*goe_pack_fn)(const void *context, float *to);
const float *goe_packed_weights(const float *source, int64_t sourceFloats,
                                const int64_t layout[10],
                                int64_t packedFloats, goe_pack_fn pack,
                                const void *context);

static void goe_conv_pack_whole_blocks(const void *context, float *to) {
  const goe_conv_job *j = (const goe_conv_job *)context;
  for (int64_t f = 0; f < j->full; f += 32)
    goe_conv_pack_block(&j->g, j->w + f, 32, to + f / 32 * j->blockFloats);
}
static void goe_conv_pack_rest(const void *context, float *to) {
  const goe_conv_job *j = (const goe_conv_job *)context;
  goe_conv_pack_block(&j->g, j->w + j->full, j->rest, to);
}

/* Row r of the flattened (sample, output row) index: its input window's
   first row and its output row. */
static const float *goe_conv_in_row(const goe_conv_job *j, int64_t r) {
  return j->in + r / j->rows * j->is[0] + r % j->rows * j->sh * j->is[1];
}
static float *goe_conv_out_row(const goe_conv_job *j, int64_t r) {
  return j->out + r / j->rows * j->os[0] + r % j->rows * j->os[1];
}
static const float *goe_conv_start_row(const goe_conv_job *j, int64_t r) {
  return j->start + r / j->rows * j->ss[0] + r % j->rows * j->ss[1];
}

/* Output rows [begin, end) of the flattened (sample, row) index. */
static void goe_conv_rows(void *context, int64_t begin, int64_t end) {
  const goe_conv_job *j = (const goe_conv_job *)context;
  /* Which operand stays in cache across the other's loop: with weights
     larger than the input (YOLO's 10 x 10 layers: 4.7 MB of weights, 150 KB
     of input), each 32-channel block of weights, copied contiguous, goes
     over all rows before the next, instead of every block being fetched
     again for every row. */
  if (j->weightsOuter && j->full) {
    float *block = j->blocks ? 0 : goe_conv_scratch(j->blockFloats);
    for (int64_t f = 0; f < j->full; f += 32) {
      const float *w = j->blocks ? j->blocks + f / 32 * j->blockFloats : block;
      if (!j->blocks)
        goe_conv_pack_block(&j->g, j->w + f, 32, block);
      for (int64_t r = begin; r < end; ++r)
        goe_conv_row(&j->gp, goe_conv_in_row(j, r), w,
                     goe_conv_start_row(j, r) + f, j->ss[2],
                     goe_conv_out_row(j, r) + f, j->os[2], j->columns,
                     j->tile);
    }
    free(block);
  }
  float *staged = j->rest ? goe_conv_scratch(j->columns * 32) : 0;
  for (int64_t r = begin; r < end; ++r) {
    const float *inRow = goe_conv_in_row(j, r);
    const float *startRow = goe_conv_start_row(j, r);
    float *outRow = goe_conv_out_row(j, r);
    if (!j->weightsOuter)
      for (int64_t f = 0; f < j->full; f += 32) {
        if (j->blocks)
          goe_conv_row(&j->gp, inRow, j->blocks + f / 32 * j->blockFloats,
                       startRow + f, j->ss[2], outRow + f, j->os[2],
                       j->columns, j->tile);
        else
          goe_conv_row(&j->g, inRow, j->w + f, startRow + f, j->ss[2],
                       outRow + f, j->os[2], j->columns, j->tile);
      }
    if (!j->rest)
      continue;
    for (int64_t ow = 0; ow < j->columns; ++ow)
      for (int64_t f = 0; f < 32; ++f)
        staged[ow * 32 + f] =
            f < j->rest ? startRow[ow * j->ss[2] + j->full + f] : 0;
    goe_conv_row(&j->gp, inRow, j->packed, staged, 32, staged, 32, j->columns,
                 j->tile);
    for (int64_t ow = 0; ow < j->columns; ++ow)
      for (int64_t f = 0; f < j->rest; ++f)
        outRow[ow * j->os[2] + j->full + f] = staged[ow * 32 + f];
  }
  free(staged);
}

void goe_parallel_for(int64_t count,
                      void (*task)(void *, int64_t, int64_t), void *context);
void goe_report_conv(int64_t phase, double macs);

/* Below this many MACs a convolution is not worth handing out to other
   threads (about 30 us of one core's work). */
#define GOE_CONV_PARALLEL_MACS 2000000

/* out[n, oh, ow, f] = start[n, oh, ow, f] + sum over kh, kw, c of
   in[n, oh * sh + kh * dh, ow * sw + kw * dw, c] * w[kh, kw, c, f]:
   linalg.conv_2d_nhwc_hwcf with `start` its init (the output itself, or
   the bias broadcast over pixels: strides 0 but the last), then with
   epilogue 1 out = max(out, slope * out). The innermost stride of every
   operand is 1 (the pass checks it). Large ones split their output rows
   over the session's threads (goe_parallel_for); each row is computed the
   same way on any thread, so the result is the same bits. */
void _mlir_ciface_goe_conv2d_nhwc_hwcf_f32(const goe_memref4 *input,
                                           const goe_memref4 *filter,
                                           const goe_memref4 *output,
                                           const goe_memref4 *start,
                                           int64_t sh, int64_t sw,
                                           int64_t dh, int64_t dw,
                                           int64_t epilogue, float slope) {
  goe_conv_job j;
  j.in = input->aligned + input->offset;
  j.w = filter->aligned + filter->offset;
  j.start = start->aligned + start->offset;
  j.out = output->aligned + output->offset;
  j.is = input->strides;
  j.ss = start->strides;
  j.os = output->strides;
  j.sh = sh;
  const int64_t batch = output->sizes[0], lanes = output->sizes[3];
  j.rows = output->sizes[1];
  j.columns = output->sizes[2];
  const int64_t taps = filter->sizes[0] * filter->sizes[1];
  const int64_t channels = filter->sizes[2];
  goe_conv_geometry g = {j.is[1], j.is[2], filter->strides[0],
                         filter->strides[1], filter->strides[2],
                         filter->sizes[0], filter->sizes[1], channels, dh, dw,
                         sw * j.is[2], epilogue == 1, slope};
  j.g = g;
  j.tile = goe_conv_tile_width(j.columns);
  j.full = lanes / 32 * 32;
  j.rest = lanes - j.full;

  j.gp = goe_conv_packed_geometry(&g);
  j.blockFloats = taps * channels * 32;
  /* Rows of input the output rows read, against the weights. */
  double inputBytes = (double)batch * input->sizes[1] * input->sizes[2] *
                      channels * sizeof(float);
  double weightBytes = (double)taps * channels * lanes * sizeof(float);
  j.weightsOuter = weightBytes > inputBytes;

  /* Packed weights (the whole 32-channel blocks, contiguous and aligned;
     the padded last channels) are made once per weight of the program and
     kept (goe_packed_weights). Read in place, a detect layer's 255-channel
     rows put most weight vectors across two cache lines (its 20 x 20 layer
     ran at 66-81 % of the peak, 79-90 % from packed blocks). A filter that
     is not one of the program's weights is read in place, or packed for
     this call when the weights loop outside. The layout names what the
     copy depends on. */
  int64_t span = 1;
  for (int d = 0; d < 4; ++d)
    span += (filter->sizes[d] - 1) * filter->strides[d];
  int64_t layout[10] = {filter->sizes[0],   filter->sizes[1],
                        filter->sizes[2],   filter->sizes[3],
                        filter->strides[0], filter->strides[1],
                        filter->strides[2], filter->strides[3], 0, 0};
  j.blocks = 0;
  if (j.full)
    j.blocks = goe_packed_weights(j.w, span, layout,
                                  j.full / 32 * j.blockFloats,
                                  goe_conv_pack_whole_blocks, &j);
  /* The last `rest` < 32 channels (a detect layer's 255 = 7 x 32 + 31): their
     weights copied into 32 zero-padded lanes, and each row's outputs staged
     through a 32-lane buffer, so that the same tiles compute them. */
  float *packed = 0;
  j.packed = 0;
  if (j.rest) {
    layout[8] = 1;
    j.packed = goe_packed_weights(j.w, span, layout, j.blockFloats,
                                  goe_conv_pack_rest, &j);
    if (!j.packed) {
      packed = goe_conv_scratch(j.blockFloats);
      goe_conv_pack_rest(&j, packed);
      j.packed = packed;
    }
  }

  /* The profile's time starts here: packing the weights is a first
     call's cost, not the convolution's. */
  goe_report_conv(0, 0);
  int64_t rows = batch * j.rows;
  double macs = (double)rows * j.columns * lanes * taps * channels;
  if (macs >= GOE_CONV_PARALLEL_MACS)
    goe_parallel_for(rows, goe_conv_rows, &j);
  else
    goe_conv_rows(&j, 0, rows);
  free(packed);
  goe_report_conv(1, macs);
}
)C";
