//===- CelebaFixture.cpp - a small CelebA-layout set for CI -----------------===//
//
//   goe-celeba-fixture DIR [--count N] [--seed S]
//
// Writes DIR in CelebA's own layout (img_align_celeba/NNNNNN.jpg, 178 x 218
// JPEGs; list_attr_celeba.txt; list_eval_partition.txt, 70/15/15) with
// drawn faces whose pixels carry the attributes the celeba dataset reads:
// Black_Hair (hair colour), Arched_Eyebrows (brow shape), Oval_Face (face
// shape) and Male (a beard band and a wider jaw), each drawn with seeded
// jitter in position, size and colour. Not CelebA: a fixture in exactly its
// format, so the whole training flow (train, compile, run) runs in CI; a
// user with CelebA points --data at the real directory instead.
//
//===----------------------------------------------------------------------===//

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace fs = std::filesystem;

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: goe-celeba-fixture DIR [--count N] [--seed S]\n");
    return 1;
  }
  fs::path dir = argv[1];
  int count = 400;
  unsigned seed = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--count")
      count = std::atoi(argv[i + 1]);
    else if (flag == "--seed")
      seed = unsigned(std::atoi(argv[i + 1]));
  }
  if (count < 20) {
    std::fprintf(stderr, "goe-celeba-fixture: --count must be at least 20\n");
    return 1;
  }
  fs::create_directories(dir / "img_align_celeba");
  std::mt19937 rng(seed);
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  auto bit = [&] { return int(rng() & 1); };
  std::ofstream attrs(dir / "list_attr_celeba.txt");
  std::ofstream parts(dir / "list_eval_partition.txt");
  attrs << count << "\nArched_Eyebrows Black_Hair Male Oval_Face Smiling\n";
  for (int i = 0; i < count; ++i) {
    int arched = bit(), black = bit(), male = bit(), oval = bit(), smiling = bit();
    cv::Mat img(218, 178, CV_8UC3,
                cv::Scalar(uniform(60, 200), uniform(60, 200), uniform(60, 200)));
    cv::Point centre(89 + int(uniform(-8, 8)), 115 + int(uniform(-8, 8)));
    double width = uniform(44, 52) + (male ? 16 : 0);
    double height = oval ? width * 1.45 : width * 1.05;
    cv::Scalar skin(uniform(120, 190), uniform(150, 200), uniform(190, 235));
    cv::Scalar hair = black ? cv::Scalar(uniform(10, 30), uniform(10, 30), uniform(10, 30))
                            : cv::Scalar(uniform(40, 90), uniform(110, 170), uniform(170, 230));
    cv::ellipse(img, centre, cv::Size(int(width + 6), int(height + 4)), 0, 180,
                360, hair, -1); // hair above and around the face
    cv::ellipse(img, centre, cv::Size(int(width), int(height)), 0, 0, 360, skin, -1);
    int browY = centre.y - int(height * 0.35);
    for (int side : {-1, 1}) {
      cv::Point eye(centre.x + side * int(width * 0.4), browY + 14);
      cv::circle(img, eye, 4, cv::Scalar(40, 40, 40), -1);
      if (arched)
        cv::ellipse(img, cv::Point(eye.x, browY + 4), cv::Size(12, 8), 0, 200,
                    340, hair, 3);
      else
        cv::line(img, cv::Point(eye.x - 11, browY), cv::Point(eye.x + 11, browY),
                 hair, 3);
    }
    int mouthY = centre.y + int(height * 0.45);
    cv::ellipse(img, cv::Point(centre.x, mouthY), cv::Size(14, smiling ? 7 : 2),
                0, 0, 180, cv::Scalar(60, 60, 150), 3);
    if (male) // a beard band along the jaw
      cv::ellipse(img, centre, cv::Size(int(width), int(height)), 0, 20, 160,
                  hair, 30);
    char name[16];
    std::snprintf(name, sizeof name, "%06d.jpg", i + 1);
    if (!cv::imwrite((dir / "img_align_celeba" / name).string(), img)) {
      std::fprintf(stderr, "goe-celeba-fixture: cannot write %s\n", name);
      return 1;
    }
    auto pm = [](int b) { return b ? "  1" : " -1"; };
    attrs << name << pm(arched) << pm(black) << pm(male) << pm(oval)
          << pm(smiling) << "\n";
    int part = i < count * 70 / 100 ? 0 : i < count * 85 / 100 ? 1 : 2;
    parts << name << " " << part << "\n";
  }
  attrs.close();
  parts.close();
  if (!attrs || !parts) {
    std::fprintf(stderr, "goe-celeba-fixture: cannot write the lists\n");
    return 1;
  }
  std::printf("wrote %d faces to %s\n", count, dir.c_str());
  return 0;
}
