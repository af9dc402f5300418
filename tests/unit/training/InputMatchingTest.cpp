//===- InputMatchingTest.cpp - spec inputs fed from dataset fields ----------===//

#include "goe/Training/InputMatching.h"

#include <gtest/gtest.h>

using namespace goe;
using namespace goe::train;
using runtime::DType;

namespace {

spec::Input image(const std::string &name, std::vector<int64_t> shape) {
  spec::Input input;
  input.name = name;
  input.shape = std::move(shape);
  return input;
}

spec::Input label(const std::string &name) {
  spec::Input input;
  input.name = name;
  input.isInt = true;
  return input;
}

const std::vector<data::Field> kRotated = {
    {"image", {DType::F32, {1, 28, 28}}},
    {"group", {DType::I64, {}}},
    {"label", {DType::I64, {}}}};

std::string errorOf(const std::vector<spec::Input> &inputs,
                    const std::map<std::string, std::string> &given = {}) {
  auto matched = matchInputs(inputs, kRotated, "rotated_mnist", "label", given);
  return matched.ok() ? "" : matched.status().message();
}

} // namespace

TEST(InputMatchingTest, ByNameFirst) {
  auto matched = matchInputs({image("image", {1, 28, 28}), label("group")},
                             kRotated, "rotated_mnist", "label", {});
  ASSERT_TRUE(matched.ok()) << matched.status().message();
  EXPECT_EQ(matched->at("image"), "image");
  EXPECT_EQ(matched->at("group"), "group");
}

TEST(InputMatchingTest, ByTypeWhenUnique) {
  auto matched = matchInputs({image("x", {1, 28, 28})}, kRotated,
                             "rotated_mnist", "label", {});
  ASSERT_TRUE(matched.ok()) << matched.status().message();
  EXPECT_EQ(matched->at("x"), "image");
}

TEST(InputMatchingTest, TheTargetNeverFeedsAnInputByItself) {
  // `g` is an i64 scalar like group and label; group is taken by type,
  // label is the target: with two such inputs the message says which.
  std::string message = errorOf({label("g"), label("h")});
  EXPECT_NE(message.find("spec input 'g' i64[] has no dataset field of that "
                         "name; 2 spec input(s) of that type could take "
                         "'group': say which with --input-field g=FIELD"),
            std::string::npos)
      << message;
}

TEST(InputMatchingTest, TwoImageInputsAreAmbiguousNotMissing) {
  std::string message =
      errorOf({image("left", {1, 28, 28}), image("right", {1, 28, 28})});
  EXPECT_NE(message.find("spec input 'left' f32[1, 28, 28] has no dataset "
                         "field of that name; 2 spec input(s) of that type "
                         "could take 'image': say which with --input-field "
                         "left=FIELD"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("(dataset 'rotated_mnist' gives image f32[1, 28, "
                         "28], group i64[], label i64[])"),
            std::string::npos)
      << message;
}

TEST(InputMatchingTest, ANameWithTheWrongShapeSaysBoth) {
  std::string message = errorOf({image("image", {3, 32, 32})});
  EXPECT_NE(message.find("spec input 'image' wants f32[3, 32, 32], but the "
                         "field 'image' is f32[1, 28, 28]"),
            std::string::npos)
      << message;
}

TEST(InputMatchingTest, ExplicitFieldsWinAndAreChecked) {
  auto matched = matchInputs({image("left", {1, 28, 28}), label("g")},
                             kRotated, "rotated_mnist", "label",
                             {{"left", "image"}, {"g", "label"}});
  ASSERT_TRUE(matched.ok()) << matched.status().message();
  EXPECT_EQ(matched->at("g"), "label");
  EXPECT_NE(errorOf({image("left", {1, 28, 28})}, {{"left", "pixels"}})
                .find("--input-field left=pixels: no field 'pixels'"),
            std::string::npos);
  EXPECT_NE(errorOf({image("left", {1, 28, 28})}, {{"right", "image"}})
                .find("--input-field right=image: the spec has no input "
                      "'right'"),
            std::string::npos);
  EXPECT_NE(errorOf({image("a", {1, 28, 28}), image("b", {1, 28, 28})},
                    {{"a", "image"}, {"b", "image"}})
                .find("the field 'image' would feed two spec inputs"),
            std::string::npos);
}
