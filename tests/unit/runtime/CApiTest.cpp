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

TEST(CApi, ThreadsAndTheOversubscriptionWarning) {
  StatusOr<std::string> bytes = serializeModel(oracleModel());
  ASSERT_TRUE(bytes.ok());
  goe_model_t *model = nullptr;
  ASSERT_EQ(goe_model_load_from_memory(bytes->data(), bytes->size(), &model),
            nullptr);
  int cores = availableCores();
  goe_session_t *session = nullptr;
  goe_session_options_t options{0, static_cast<uint32_t>(cores) + 1};
  ASSERT_EQ(goe_session_create(model, &options, &session), nullptr);
  EXPECT_EQ(goe_session_threads(session), static_cast<size_t>(cores) + 1);
  ASSERT_EQ(goe_session_warning_count(session), 1u);
  EXPECT_NE(std::string(goe_session_warning(session, 0)).find("slower"),
            std::string::npos);
  EXPECT_EQ(goe_session_warning(session, 1), nullptr);
  goe_session_free(session);

  ASSERT_EQ(goe_session_create(model, nullptr, &session), nullptr);
  EXPECT_EQ(goe_session_threads(session), static_cast<size_t>(cores));
  EXPECT_EQ(goe_session_warning_count(session), 0u);
  goe_session_free(session);

  options.threads = 5000;
  goe_status_t status = goe_session_create(model, &options, &session);
  EXPECT_EQ(goe_status_code(status), GOE_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(goe_status_message(status),
               "threads = 5000: a session runs on 1 to 1024 threads "
               "(0 = every core)");
  EXPECT_EQ(session, nullptr);
  goe_status_free(status);
  goe_model_free(model);
}

TEST(CApi, CountersFromMemoryLoadedModel) {
  StatusOr<std::string> bytes = serializeModel(oracleModel());
  ASSERT_TRUE(bytes.ok());
  goe_model_t *model = nullptr;
  goe_status_t status =
      goe_model_load_from_memory(bytes->data(), bytes->size(), &model);
  ASSERT_EQ(status, nullptr) << goe_status_message(status);
  goe_session_t *session = nullptr;
  goe_session_options_t options{5, 0};
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
