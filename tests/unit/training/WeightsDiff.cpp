//===- WeightsDiff.cpp - how far apart two weight bundles are ---------------===//
//
//   goe-weights-diff A.goew B.goew [--tolerance T] [--each]
//
// Prints `N tensors, max abs difference D (NAME)` for two weight bundles
// (goe-train --out) that hold the same tensors (names, shapes, dtypes; any
// order). Exits 1 when they do not, or when D is above T. The data-parallel
// test (tests/tools/train-parallel.test) compares 2 processes with 1 this way.
// --each first prints `NAME same` or `NAME changed` per tensor, by name (what
// each training stage changed: tests/tools/train-backbone-gating.test).
//
//===----------------------------------------------------------------------===//

#include "goe/Runtime/Artifact.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

namespace {

int fail(const std::string &message) {
  std::fprintf(stderr, "goe-weights-diff: error: %s\n", message.c_str());
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  double tolerance = -1;
  bool each = false;
  std::string paths[2];
  int given = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--each") {
      each = true;
    } else if (arg == "--tolerance" && i + 1 < argc) {
      char *end = nullptr;
      tolerance = std::strtod(argv[++i], &end);
      if (*end != '\0' || !(tolerance >= 0))
        return fail("--tolerance wants a non-negative number");
    } else if (given < 2 && !arg.empty() && arg[0] != '-') {
      paths[given++] = arg;
    } else {
      return fail("usage: goe-weights-diff A.goew B.goew [--tolerance T] [--each]");
    }
  }
  if (given != 2)
    return fail("usage: goe-weights-diff A.goew B.goew [--tolerance T] [--each]");

  std::map<std::string, goe::artifact::Tensor> first;
  auto a = goe::runtime::readWeightBundle(paths[0]);
  if (!a.ok())
    return fail(a.status().message());
  auto b = goe::runtime::readWeightBundle(paths[1]);
  if (!b.ok())
    return fail(b.status().message());
  for (const goe::artifact::Tensor &t : a->tensors())
    first[t.name()] = t;
  if (a->tensors_size() != b->tensors_size())
    return fail(paths[0] + " has " + std::to_string(a->tensors_size()) +
                " tensors, " + paths[1] + " " +
                std::to_string(b->tensors_size()));

  double worst = 0;
  std::string worstName;
  std::map<std::string, bool> changed;
  for (const goe::artifact::Tensor &t : b->tensors()) {
    auto it = first.find(t.name());
    if (it == first.end())
      return fail("tensor '" + t.name() + "' is only in " + paths[1]);
    const goe::artifact::Tensor &u = it->second;
    bool sameShape = t.shape_size() == u.shape_size();
    for (int d = 0; sameShape && d < t.shape_size(); ++d)
      sameShape = t.shape(d) == u.shape(d);
    if (!sameShape || t.dtype() != u.dtype() ||
        t.data().size() != u.data().size())
      return fail("tensor '" + t.name() + "' differs in shape or dtype");
    changed[t.name()] = t.data() != u.data();
    if (t.dtype() != goe::artifact::F32) {
      if (t.data() != u.data())
        return fail("integer tensor '" + t.name() + "' differs");
      continue;
    }
    size_t n = t.data().size() / sizeof(float);
    for (size_t i = 0; i < n; ++i) {
      float x, y;
      std::memcpy(&x, t.data().data() + i * sizeof(float), sizeof(float));
      std::memcpy(&y, u.data().data() + i * sizeof(float), sizeof(float));
      double d = std::fabs(double(x) - double(y));
      if (std::isnan(d) || d > worst) {
        worst = std::isnan(d) ? INFINITY : d;
        worstName = t.name();
      }
    }
  }
  if (each)
    for (const auto &[name, differs] : changed)
      std::printf("%s %s\n", name.c_str(), differs ? "changed" : "same");
  std::printf("%d tensors, max abs difference %.3g%s%s%s\n",
              b->tensors_size(), worst, worstName.empty() ? "" : " (",
              worstName.c_str(), worstName.empty() ? "" : ")");
  if (tolerance >= 0 && worst > tolerance) {
    std::fprintf(stderr,
                 "goe-weights-diff: error: the difference %.3g is above "
                 "--tolerance %g\n",
                 worst, tolerance);
    return 1;
  }
  return 0;
}
