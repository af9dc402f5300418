//===- Detection.h - object detection data in YOLO and COCO formats -*- C++ -*-===//
//
// A detection set is a list of images per split, each with its boxes, read
// from the two formats people keep detection data in:
//
//   YOLO:  a data.yaml with `train`, `val` and optionally `test` (an image
//          folder, or a .txt file listing images, one per line), `nc` and
//          `names`, paths relative to its `path:` key or to the yaml's own
//          folder. Each image's labels are the .txt file found by the
//          usual rule: the last `images` folder of its path becomes `labels`
//          and the extension `.txt` (data/images/train/a.jpg ->
//          data/labels/train/a.txt). One line per object: `class cx cy w h`,
//          normalised to the image size. No labels file, or an empty one:
//          an image without objects (valid).
//   COCO:  an instances_*.json (images, annotations with pixel [x, y, w, h]
//          boxes, categories) and the folder of its images. Category ids are
//          mapped to classes 0..nc-1 in increasing id order; crowd
//          annotations are kept and flagged.
//
// Boxes are stored as YOLO does: class, centre and size normalised to the
// image. Errors name the file and the line (YOLO) or the annotation (COCO):
// a missing image, a wrong field count, a class >= nc, a coordinate outside
// [0, 1]. Images are decoded later (Letterbox.h), so an unreadable image is
// reported when it is first loaded, naming the file.
//
// Thread safety: the functions are reentrant.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DATA_DETECTION_H
#define GOE_DATA_DETECTION_H

#include "goe/Data/Dataset.h"

#include <array>
#include <string>
#include <vector>

namespace goe::data {

struct DetectionBox {
  int64_t cls = 0;
  float cx = 0, cy = 0, w = 0, h = 0; // normalised to the image
  bool crowd = false;                 // COCO iscrowd
};

struct DetectionImage {
  std::string path;
  std::vector<DetectionBox> boxes;
  int64_t cocoId = -1; // COCO: the image id, for results files
};

struct DetectionSet {
  int64_t nc = 0;
  std::vector<std::string> names;
  std::array<std::vector<DetectionImage>, 3> splits; // by Split
  /// COCO: the category id of each class, for results files.
  std::vector<int64_t> cocoCategoryIds;

  const std::vector<DetectionImage> &split(Split s) const {
    return splits[int(s)];
  }
};

/// Reads a YOLO-format set from its data.yaml.
StatusOr<DetectionSet> readYoloDataset(const std::string &dataYaml);

/// The class names of a data.yaml (`names`, a list or ultralytics' map),
/// without reading its splits.
StatusOr<std::vector<std::string>> readClassNames(const std::string &dataYaml);

/// Parses one YOLO labels file's text; `name` names it in messages.
StatusOr<std::vector<DetectionBox>> parseYoloLabels(const std::string &text,
                                                    const std::string &name,
                                                    int64_t nc);

/// The labels file of `imagePath` by the images -> labels rule.
std::string yoloLabelPath(const std::string &imagePath);

/// COCO's image_id of the image at `path`, listed at `position`: the file's
/// stem when it is a number (as yolov7's test.py does), else the position.
int64_t cocoImageId(const std::string &path, size_t position);

/// Reads a COCO instances file into `split` of a set (the other splits
/// empty); `imageDir` holds its images' file_name entries.
StatusOr<DetectionSet> readCocoInstances(const std::string &jsonPath,
                                         const std::string &imageDir,
                                         Split split = Split::Val);

} // namespace goe::data

#endif // GOE_DATA_DETECTION_H
