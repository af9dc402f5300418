//===- DrawDetections.cpp - boxes, names and scores on an image -----------===//

#include "goe/Data/Detector.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdio>

namespace goe::data {

StatusOr<std::string> drawDetections(const ImageDetections &result,
                                     const std::vector<std::string> &names) {
  cv::Mat image = cv::imread(result.path, cv::IMREAD_COLOR);
  if (image.empty())
    return runtime::dataLoss("cannot decode image '" + result.path + "'");
  // Line width and font follow the image size, as YOLO's plots do.
  int thickness = std::max(1, (int)std::lround(0.002 * (image.rows + image.cols) / 2));
  double font = std::max(0.3, thickness / 3.0);
  for (const Detection &d : result.detections) {
    // A colour per class from a fixed hue wheel.
    double hue = std::fmod(d.cls * 0.618033988749895, 1.0) * 180;
    cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar(hue, 200, 255)), bgr;
    cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
    cv::Vec3b c = bgr.at<cv::Vec3b>(0, 0);
    cv::Scalar colour(c[0], c[1], c[2]);
    cv::Point p1((int)d.box.x1, (int)d.box.y1), p2((int)d.box.x2, (int)d.box.y2);
    cv::rectangle(image, p1, p2, colour, thickness, cv::LINE_AA);
    std::string name = d.cls >= 0 && d.cls < (int64_t)names.size()
                           ? names[d.cls]
                           : std::to_string(d.cls);
    char label[96];
    std::snprintf(label, sizeof label, "%s %.2f", name.c_str(), d.score);
    int baseline = 0;
    cv::Size text = cv::getTextSize(label, cv::FONT_HERSHEY_SIMPLEX, font,
                                    std::max(1, thickness - 1), &baseline);
    cv::Point corner(p1.x, std::max(text.height + 2, p1.y));
    cv::rectangle(image, corner - cv::Point(0, text.height + 2),
                  corner + cv::Point(text.width, 0), colour, cv::FILLED);
    cv::putText(image, label, corner - cv::Point(0, 2), cv::FONT_HERSHEY_SIMPLEX,
                font, cv::Scalar(255, 255, 255), std::max(1, thickness - 1),
                cv::LINE_AA);
  }
  std::vector<uchar> jpeg;
  if (!cv::imencode(".jpg", image, jpeg, {cv::IMWRITE_JPEG_QUALITY, 90}))
    return runtime::internalError("cannot encode the drawing of '" +
                                  result.path + "'");
  return std::string(jpeg.begin(), jpeg.end());
}

} // namespace goe::data
