//===- BoxIou.h - the IoU arithmetic shared by NMS and WBF -----*- C++ -*-===//
//
// One definition of the IoU arithmetic, so that boxIou (public) and the
// structure-of-arrays loops of NMS and WBF give the same bits: the same
// operations in the same order, areas computed as (x2 - x1) * (y2 - y1).
// Written with selects only (std::min/max, ?:) and a division that cannot
// trap, so that a loop over an array of boxes vectorises (the files that
// use it are built with -fno-trapping-math, runtime/CMakeLists.txt: GCC
// does not turn a floating-point comparison into a select otherwise; the
// results are the same bits).
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_LIB_BOXIOU_H
#define GOE_RUNTIME_LIB_BOXIOU_H

#include <algorithm>
#include <cstddef>
#include <vector>

namespace goe::runtime::detail {

inline double boxArea(double x1, double y1, double x2, double y2) {
  return (x2 - x1) * (y2 - y1);
}

/// IoU of box a (with its area) and box b (with its area); 0 when the union
/// is not positive.
inline double iouOf(double ax1, double ay1, double ax2, double ay2,
                    double areaA, double bx1, double by1, double bx2,
                    double by2, double areaB) {
  double ix = std::max(0.0, std::min(ax2, bx2) - std::max(ax1, bx1));
  double iy = std::max(0.0, std::min(ay2, by2) - std::max(ay1, by1));
  double inter = ix * iy;
  double denom = areaA + areaB - inter;
  double quotient = inter / (denom > 0 ? denom : 1.0); // never divides by 0
  return denom > 0 ? quotient : 0.0;
}

/// Boxes as structure of arrays, for IoU of one box against all of them.
struct BoxColumns {
  std::vector<double> x1, y1, x2, y2, area;

  size_t size() const { return x1.size(); }

  void push(double bx1, double by1, double bx2, double by2) {
    x1.push_back(bx1);
    y1.push_back(by1);
    x2.push_back(bx2);
    y2.push_back(by2);
    area.push_back(boxArea(bx1, by1, bx2, by2));
  }

  void set(size_t i, double bx1, double by1, double bx2, double by2) {
    x1[i] = bx1;
    y1[i] = by1;
    x2[i] = bx2;
    y2[i] = by2;
    area[i] = boxArea(bx1, by1, bx2, by2);
  }

  /// IoU(column box i, b) for i in [begin, end) into out[i - begin].
  void iouWith(size_t begin, size_t end, double bx1, double by1, double bx2,
               double by2, double *out) const {
    double areaB = boxArea(bx1, by1, bx2, by2);
    const double *X1 = x1.data(), *Y1 = y1.data(), *X2 = x2.data(),
                 *Y2 = y2.data(), *A = area.data();
    for (size_t i = begin; i < end; ++i)
      out[i - begin] =
          iouOf(X1[i], Y1[i], X2[i], Y2[i], A[i], bx1, by1, bx2, by2, areaB);
  }
};

} // namespace goe::runtime::detail

#endif // GOE_RUNTIME_LIB_BOXIOU_H
