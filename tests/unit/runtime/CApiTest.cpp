//===- CApiTest.cpp - runs the C test of the C API ----------------------===//

#include "TestModels.h"

#include "goe/Runtime/goe_runtime.h"

#include <gtest/gtest.h>

extern "C" int goe_c_api_test(const char *model_path, char *error,
                              size_t error_size);

namespace goe::runtime::test {
namespace {

TEST(CApi, LoadRunAndErrorsFromC) {
  std::string path = tempPath("capi.goe");
  ASSERT_TRUE(writeModel(path, oracleModel()).ok());
  char error[512] = "";
  EXPECT_EQ(goe_c_api_test(path.c_str(), error, sizeof(error)), 0) << error;
}

TEST(CApi, NullArgumentsAreErrors) {
  goe_model_t *model = nullptr;
  goe_status_t status = goe_model_load(nullptr, nullptr, &model);
  EXPECT_EQ(goe_status_code(status), GOE_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(goe_status_message(status), "path is NULL");
  goe_status_free(status);
  status = goe_session_run(nullptr, nullptr, 0, nullptr);
  EXPECT_EQ(goe_status_code(status), GOE_STATUS_INVALID_ARGUMENT);
  goe_status_free(status);
  EXPECT_EQ(goe_status_code(nullptr), GOE_STATUS_OK);
  EXPECT_STREQ(goe_status_message(nullptr), "");
}

TEST(CApi, CountersFromMemoryLoadedModel) {
  StatusOr<std::string> bytes = serializeModel(oracleModel());
  ASSERT_TRUE(bytes.ok());
  goe_model_t *model = nullptr;
  goe_status_t status =
      goe_model_load_from_memory(bytes->data(), bytes->size(), &model);
  ASSERT_EQ(status, nullptr) << goe_status_message(status);
  goe_session_t *session = nullptr;
  goe_session_options_t options{5};
  ASSERT_EQ(goe_session_create(model, &options, &session), nullptr);
  float x[4] = {1, 2, 3, 4};
  int64_t label = 1, xShape[2] = {1, 4}, labelShape[1] = {1};
  goe_tensor_view_t inputs[2] = {{GOE_DTYPE_F32, x, xShape, 2},
                                 {GOE_DTYPE_I64, &label, labelShape, 1}};
  goe_result_t *result = nullptr;
  ASSERT_EQ(goe_session_run(session, inputs, 2, &result), nullptr);
  uint64_t calls = 9, samples = 9;
  ASSERT_EQ(goe_model_function_stats(model, "a", &calls, &samples), nullptr);
  EXPECT_EQ(calls, 0u);
  ASSERT_EQ(goe_model_function_stats(model, "b", &calls, &samples), nullptr);
  EXPECT_EQ(calls, 1u);
  EXPECT_EQ(samples, 1u);
  status = goe_model_function_stats(model, "nope", &calls, &samples);
  EXPECT_EQ(goe_status_code(status), GOE_STATUS_NOT_FOUND);
  goe_status_free(status);
  goe_result_free(result);
  goe_session_free(session);
  goe_model_free(model);
}

} // namespace
} // namespace goe::runtime::test
