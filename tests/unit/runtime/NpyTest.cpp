//===- NpyTest.cpp - .npy reading and writing ---------------------------===//

#include "TestModels.h"

#include "goe/Runtime/FileIO.h"
#include "goe/Runtime/Npy.h"

#include <cstring>
#include <filesystem>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace goe::runtime::test {
namespace {

using ::testing::HasSubstr;

/// A .npy file built by hand: magic, version, header length, `header`
/// (padded with spaces and '\n' unless `raw`), then `data`.
std::string npyFile(int major, std::string header, const std::string &data,
                    bool raw = false) {
  std::string file = "\x93NUMPY";
  file += static_cast<char>(major);
  file += '\0';
  if (!raw)
    header += "\n";
  uint32_t length = static_cast<uint32_t>(header.size());
  int lengthBytes = major == 1 ? 2 : 4;
  for (int i = 0; i < lengthBytes; ++i)
    file += static_cast<char>((length >> (8 * i)) & 0xff);
  return file + header + data;
}

template <typename T> std::string bytesOf(const std::vector<T> &values) {
  return std::string(reinterpret_cast<const char *>(values.data()),
                     values.size() * sizeof(T));
}

std::string dict(const std::string &descr, const std::string &shape,
                 const std::string &order = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + order +
         ", 'shape': " + shape + ", }";
}

std::string writeBytes(const std::string &name, const std::string &bytes) {
  std::string path = tempPath(name);
  EXPECT_TRUE(writeFileAtomically(path, {bytes}).ok());
  return path;
}

/// Reads `bytes` from a file named `name` and expects an error whose message
/// names the file and contains `text`.
void expectError(const std::string &name, const std::string &bytes,
                 const std::string &text) {
  std::string path = writeBytes(name, bytes);
  StatusOr<Tensor> read = readNpy(path);
  ASSERT_FALSE(read.ok()) << name;
  EXPECT_THAT(read.status().message(), HasSubstr("'" + path + "'")) << name;
  EXPECT_THAT(read.status().message(), HasSubstr(text)) << name;
}

TEST(Npy, RoundTripF32) {
  StatusOr<Tensor> t = Tensor::fromF32({2, 3}, {1, 2, 3, 4.5f, -5, 6e7f});
  ASSERT_TRUE(t.ok());
  std::string path = tempPath("f32.npy");
  ASSERT_TRUE(writeNpy(path, t->view()).ok());
  StatusOr<Tensor> read = readNpy(path);
  ASSERT_TRUE(read.ok()) << read.status().toString();
  EXPECT_EQ(read->dtype(), DType::F32);
  EXPECT_EQ(read->shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(std::memcmp(read->data(), t->data(), t->byteSize()), 0);
}

TEST(Npy, RoundTripI64AndEdgeShapes) {
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{4}, std::vector<int64_t>{}, std::vector<int64_t>{0, 3},
        std::vector<int64_t>{1, 1, 2, 2}}) {
    StatusOr<int64_t> numel = checkedNumel(shape);
    std::vector<int64_t> values;
    for (int64_t i = 0; i < *numel; ++i)
      values.push_back(i * 1000000000000ll - 7);
    StatusOr<Tensor> t = Tensor::fromI64(shape, values);
    ASSERT_TRUE(t.ok());
    std::string path = tempPath("i64.npy");
    ASSERT_TRUE(writeNpy(path, t->view()).ok());
    StatusOr<Tensor> read = readNpy(path);
    ASSERT_TRUE(read.ok()) << read.status().toString();
    EXPECT_EQ(read->dtype(), DType::I64);
    EXPECT_EQ(read->shape(), shape);
    EXPECT_EQ(std::vector<int64_t>(read->i64(), read->i64() + read->numel()),
              values);
  }
}

TEST(Npy, WritesVersion1AlignedHeader) {
  StatusOr<Tensor> t = Tensor::fromF32({3}, {1, 2, 3});
  StatusOr<std::string> file = encodeNpy(t->view());
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  size_t headerLength = static_cast<unsigned char>((*file)[8]) |
                        static_cast<unsigned char>((*file)[9]) << 8;
  EXPECT_EQ((10 + headerLength) % 64, 0u);
  EXPECT_EQ(file->size(), 10 + headerLength + 12);
  std::string header = file->substr(10, headerLength);
  EXPECT_THAT(header, HasSubstr("{'descr': '<f4', 'fortran_order': False, "
                                "'shape': (3,), }"));
  EXPECT_EQ(header.back(), '\n');
}

TEST(Npy, ReadsVersions2And3) {
  for (int major : {2, 3}) {
    StatusOr<Tensor> read =
        parseNpy(npyFile(major, dict("<f4", "(2,)"), bytesOf<float>({1, 2})));
    ASSERT_TRUE(read.ok()) << read.status().toString();
    EXPECT_EQ(read->f32()[1], 2.0f);
  }
}

TEST(Npy, ToleratesHeaderVariants) {
  // Keys in another order, double quotes, no trailing comma, Python 2 longs.
  StatusOr<Tensor> read = parseNpy(
      npyFile(1, "{\"shape\": (1L, 2L), \"fortran_order\": False, \"descr\": "
                 "\"<i8\"}  ",
              bytesOf<int64_t>({5, 6})));
  ASSERT_TRUE(read.ok()) << read.status().toString();
  EXPECT_EQ(read->shape(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(read->i64()[1], 6);
  // Fortran order on a 1-d array is the same bytes.
  EXPECT_TRUE(
      parseNpy(npyFile(1, dict("<f4", "(1,)", "True"), bytesOf<float>({1})))
          .ok());
}

TEST(Npy, ConvertsOtherDtypes) {
  StatusOr<Tensor> i4 =
      parseNpy(npyFile(1, dict("<i4", "(3,)"), bytesOf<int32_t>({-1, 0, 7})));
  ASSERT_TRUE(i4.ok());
  EXPECT_EQ(i4->dtype(), DType::I64);
  EXPECT_EQ(i4->i64()[0], -1);
  EXPECT_EQ(i4->i64()[2], 7);

  StatusOr<Tensor> u1 =
      parseNpy(npyFile(1, dict("|u1", "(2,)"), bytesOf<uint8_t>({0, 255})));
  ASSERT_TRUE(u1.ok());
  EXPECT_EQ(u1->dtype(), DType::F32);
  EXPECT_EQ(u1->f32()[1], 255.0f);

  StatusOr<Tensor> f8 =
      parseNpy(npyFile(1, dict("<f8", "(2,)"), bytesOf<double>({0.5, -3})));
  ASSERT_TRUE(f8.ok());
  EXPECT_EQ(f8->dtype(), DType::F32);
  EXPECT_EQ(f8->f32()[0], 0.5f);
  EXPECT_EQ(f8->f32()[1], -3.0f);
}

TEST(Npy, ReportsTheStoredDtypeOfAConvertedFile) {
  std::string stored;
  StatusOr<Tensor> u1 = parseNpy(
      npyFile(1, dict("|u1", "(2,)"), bytesOf<uint8_t>({0, 255})), "g.npy",
      &stored);
  ASSERT_TRUE(u1.ok());
  EXPECT_EQ(stored, "|u1");
  EXPECT_EQ(describeNpyDtype(stored, u1->dtype()), "'|u1' (read as f32)");
  EXPECT_EQ(describeNpyDtype("<f4", DType::F32), "'<f4'");
  EXPECT_EQ(describeNpyDtype("<i4", DType::I64), "'<i4' (read as i64)");
  EXPECT_EQ(npyDtypesReadAs(DType::I64), "'<i8', or converted '<i4'");
  EXPECT_EQ(npyDtypesReadAs(DType::F32), "'<f4', or converted '<f8' or '|u1'");
}

TEST(Npy, MissingFile) {
  StatusOr<Tensor> read = readNpy(tempPath("nope.npy"));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::NotFound);
  EXPECT_THAT(read.status().message(), HasSubstr("nope.npy"));
}

TEST(Npy, MalformedPreamble) {
  std::string good = npyFile(1, dict("<f4", "(1,)"), bytesOf<float>({1}));
  expectError("empty.npy", "", "empty");
  expectError("magic.npy", "PK\x03\x04 not numpy", "not a .npy file");
  expectError("magic-short.npy", "\x93NU", "truncated");
  expectError("no-version.npy", "\x93NUMPY\x01", "truncated");
  expectError("no-length.npy", std::string("\x93NUMPY\x02\x00\x10\x00", 10),
              "truncated");
  std::string v4 = good;
  v4[6] = 4;
  expectError("v4.npy", v4, "version 4.0");
  std::string v11 = good;
  v11[7] = 1;
  expectError("v11.npy", v11, "version 1.1");
  // The header announces more bytes than the file has.
  expectError("header-cut.npy", good.substr(0, 30), "truncated");
  std::string huge = good;
  huge[8] = '\xff';
  huge[9] = '\xff';
  expectError("header-len.npy", huge, "truncated");
}

TEST(Npy, MalformedHeader) {
  std::string one = bytesOf<float>({1});
  expectError("not-dict.npy", npyFile(1, "['descr']", one), "expected '{'");
  expectError("no-shape.npy",
              npyFile(1, "{'descr': '<f4', 'fortran_order': False}", one),
              "lacks key 'shape'");
  expectError("unknown-key.npy",
              npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': "
                         "(1,), 'extra': 1}",
                      one),
              "unknown key 'extra'");
  expectError("dup-key.npy",
              npyFile(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': "
                         "False, 'shape': (1,)}",
                      one),
              "appears twice");
  expectError("bad-bool.npy", npyFile(1, dict("<f4", "(1,)", "0"), one),
              "True or False");
  expectError("unterminated.npy", npyFile(1, "{'descr': '<f4", one),
              "unterminated string");
  expectError("no-close.npy",
              npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': "
                         "(1,)",
                      one),
              "header");
  expectError("garbage-after.npy",
              npyFile(1, dict("<f4", "(1,)") + " xyz", one), "after the header");
  expectError("shape-not-tuple.npy", npyFile(1, dict("<f4", "[1]"), one),
              "tuple");
  expectError("shape-negative.npy", npyFile(1, dict("<f4", "(-1,)"), one),
              "non-negative integer");
  expectError("shape-float.npy", npyFile(1, dict("<f4", "(1.5,)"), one),
              "',' or ')'");
  expectError("shape-digits.npy",
              npyFile(1, dict("<f4", "(99999999999999999999999,)"), one),
              "64 bits");
  std::string rank65 = "(";
  for (int i = 0; i < 65; ++i)
    rank65 += "1,";
  expectError("shape-rank.npy", npyFile(1, dict("<f4", rank65 + ")"), one),
              "more than 64 dimensions");
}

TEST(Npy, UnsupportedContents) {
  std::string one = bytesOf<float>({1});
  expectError("big-endian.npy", npyFile(1, dict(">f4", "(1,)"), one),
              "dtype '>f4'");
  expectError("f16.npy", npyFile(1, dict("<f2", "(2,)"), one), "dtype '<f2'");
  expectError("structured.npy",
              npyFile(1, "{'descr': [('a', '<f4')], 'fortran_order': False, "
                         "'shape': (1,)}",
                      one),
              "structured");
  expectError("fortran.npy",
              npyFile(1, dict("<f4", "(2, 2)", "True"),
                      bytesOf<float>({1, 2, 3, 4})),
              "Fortran order");
}

TEST(Npy, DataSizeMismatch) {
  expectError("data-short.npy",
              npyFile(1, dict("<f4", "(2, 3)"), bytesOf<float>({1, 2, 3})),
              "truncated: shape (2, 3) of '<f4' needs 24 data bytes, the file "
              "has 12");
  expectError("data-long.npy",
              npyFile(1, dict("<i8", "(1,)"), bytesOf<int64_t>({1, 2})),
              "does not match its shape");
  // Absurd shapes fail on the size check before anything is allocated.
  expectError("absurd.npy",
              npyFile(1, dict("<f4", "(1000000000, 1000000000)"),
                      bytesOf<float>({1})),
              "truncated");
  expectError("overflow.npy",
              npyFile(1, dict("<f4", "(4294967296, 4294967296)"),
                      bytesOf<float>({1})),
              "impossible shape");
}

TEST(Npy, WritesAtomically) {
  StatusOr<Tensor> t = Tensor::fromF32({1}, {1});
  std::string dir = tempPath("no-such-dir");
  Status status = writeNpy(dir + "/x.npy", t->view());
  EXPECT_FALSE(status.ok());
  EXPECT_FALSE(std::filesystem::exists(dir));

  // Overwriting leaves the new complete file and no temporaries.
  std::string subdir = tempPath("npy-atomic");
  std::filesystem::create_directory(subdir);
  std::string path = subdir + "/x.npy";
  ASSERT_TRUE(writeNpy(path, t->view()).ok());
  StatusOr<Tensor> bigger = Tensor::fromF32({2}, {3, 4});
  ASSERT_TRUE(writeNpy(path, bigger->view()).ok());
  StatusOr<Tensor> read = readNpy(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->numel(), 2);
  int files = 0;
  for (const auto &entry : std::filesystem::directory_iterator(subdir)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(Npy, EncodeRejectsMissingData) {
  TensorView view{DType::F32, {2}, nullptr};
  EXPECT_FALSE(encodeNpy(view).ok());
  TensorView negative{DType::F32, {-1}, nullptr};
  EXPECT_FALSE(encodeNpy(negative).ok());
}

} // namespace
} // namespace goe::runtime::test
