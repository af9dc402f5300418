//===- InputMatching.h - which dataset field feeds which spec input -*- C++ -*-===//
//
// A spec's inputs are fed from a dataset's fields (goe/Data/Dataset.h):
//   1. an explicit `--input-field INPUT=FIELD` wins;
//   2. otherwise the field of the input's own name;
//   3. otherwise the one remaining field with the input's shape and dtype,
//      if exactly one input and one field are left with that type (a spec
//      that calls its image `x` trains on a dataset's `image`).
// The objective's target field (`label`) never feeds an input unless named
// explicitly. Every failure names the input, its type, the dataset and
// what it offers: a name that matches with the wrong shape ("'image' is
// f32[1, 28, 28] in the dataset, the spec wants f32[3, 32, 32]"), two
// inputs of one type that the dataset has no names for ("say which with
// --input-field"), a field named twice.
// No LibTorch.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_INPUTMATCHING_H
#define GOE_TRAINING_INPUTMATCHING_H

#include "goe/Data/Dataset.h"
#include "goe/Frontends/Spec/Spec.h"

#include <map>
#include <string>
#include <vector>

namespace goe::train {

/// The per-sample type a spec input wants (f32, or i64 for integer inputs).
runtime::TensorSpec inputType(const spec::Input &input);

/// Spec input name -> dataset field name, for every input of `inputs`.
runtime::StatusOr<std::map<std::string, std::string>>
matchInputs(const std::vector<spec::Input> &inputs,
            const std::vector<data::Field> &fields,
            const std::string &datasetKind, const std::string &targetField,
            const std::map<std::string, std::string> &explicitFields);

} // namespace goe::train

#endif // GOE_TRAINING_INPUTMATCHING_H
