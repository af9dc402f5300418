//===- FieldsOnlyDataset.h - a dataset that only describes fields -*- C++ -*-===//
//
// For tests of set-up checks (objectives, input matching) that look at a
// dataset's fields and never read a sample.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TESTS_UNIT_TRAINING_FIELDSONLYDATASET_H
#define GOE_TESTS_UNIT_TRAINING_FIELDSONLYDATASET_H

#include "goe/Data/Dataset.h"

namespace goe::test {

class FieldsOnlyDataset : public data::Dataset {
public:
  FieldsOnlyDataset(std::string kind, std::vector<data::Field> fields)
      : kind_(std::move(kind)), fields_(std::move(fields)) {}
  std::string kind() const override { return kind_; }
  const std::vector<data::Field> &fields() const override { return fields_; }
  int64_t size(data::Split) const override { return 0; }
  runtime::Status batch(data::Split, const std::vector<int64_t> &,
                        data::Batch &) const override {
    return runtime::okStatus();
  }

private:
  std::string kind_;
  std::vector<data::Field> fields_;
};

} // namespace goe::test

#endif // GOE_TESTS_UNIT_TRAINING_FIELDSONLYDATASET_H
