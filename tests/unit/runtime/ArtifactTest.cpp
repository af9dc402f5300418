//===- ArtifactTest.cpp - artifact file format --------------------------===//

#include "TestModels.h"

#include "goe/Runtime/Checksum.h"
#include "goe/Runtime/FileIO.h"

#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace goe::runtime::test {
namespace {

using ::testing::HasSubstr;

artifact::Model smallModel() {
  artifact::Model model = oracleModel();
  addWeight(model, "w", {2, 2}, {1, 2, 3, 4});
  return model;
}

std::string writeBytes(const std::string &name, const std::string &bytes) {
  std::string path = tempPath(name);
  EXPECT_TRUE(writeFileAtomically(path, {bytes}).ok());
  return path;
}

void putU32(std::string &bytes, size_t offset, uint32_t value) {
  for (int i = 0; i < 4; ++i)
    bytes[offset + i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

TEST(Checksum, KnownFnv1aValues) {
  EXPECT_EQ(fnv1a64("", 0), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a", 1), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar", 6), 0x85944171f73967e8ull);
  // Chained pieces equal the whole.
  EXPECT_EQ(fnv1a64("bar", 3, fnv1a64("foo", 3)), fnv1a64("foobar", 6));
}

TEST(Artifact, HeaderLayout) {
  std::string file = encodeArtifact(ArtifactKind::Model, "xyz");
  ASSERT_EQ(file.size(), kHeaderSize + 3);
  EXPECT_EQ(file.substr(0, 8), "GOEMODEL");
  EXPECT_EQ(file[8], 2); // version, little-endian
  // Weight bundles keep format 1: their payload did not change.
  EXPECT_EQ(encodeArtifact(ArtifactKind::WeightBundle, "xyz")[8], 1);
  EXPECT_EQ(file[12], 3); // payload length
  uint64_t sum = 0;
  for (int i = 0; i < 8; ++i)
    sum |= uint64_t(static_cast<unsigned char>(file[20 + i])) << (8 * i);
  EXPECT_EQ(sum, fnv1a64("xyz", 3));
  std::string bundle = encodeArtifact(ArtifactKind::WeightBundle, "");
  EXPECT_EQ(bundle.substr(0, 8), "GOEWEIGH");
  // Weight bundles keep their own version: a new model format does not
  // make trained weights unreadable.
  EXPECT_EQ(bundle[8], static_cast<char>(kWeightBundleFormatVersion));
  EXPECT_NE(kFormatVersion, kWeightBundleFormatVersion);
}

TEST(Artifact, ModelRoundTrip) {
  artifact::Model model = smallModel();
  std::string path = tempPath("roundtrip.goe");
  ASSERT_TRUE(writeModel(path, model).ok());
  StatusOr<artifact::Model> read = readModel(path);
  ASSERT_TRUE(read.ok()) << read.status().toString();
  EXPECT_EQ(read->SerializeAsString(), model.SerializeAsString());
  EXPECT_EQ(read->weights(0).data().size(), 16u);
}

TEST(Artifact, WeightBundleRoundTrip) {
  artifact::WeightBundle bundle;
  artifact::Tensor *t = bundle.add_tensors();
  t->set_name("w");
  t->add_shape(1);
  t->set_data(std::string(4, '\0'));
  std::string path = tempPath("bundle.goew");
  ASSERT_TRUE(writeWeightBundle(path, bundle).ok());
  StatusOr<artifact::WeightBundle> read = readWeightBundle(path);
  ASSERT_TRUE(read.ok()) << read.status().toString();
  EXPECT_EQ(read->tensors(0).name(), "w");
  // A weight bundle is not a model and vice versa.
  StatusOr<artifact::Model> asModel = readModel(path);
  EXPECT_THAT(asModel.status().message(), HasSubstr("not a goe model"));
  std::string modelPath = tempPath("bundle-test-model.goe");
  ASSERT_TRUE(writeModel(modelPath, smallModel()).ok());
  StatusOr<artifact::WeightBundle> asBundle = readWeightBundle(modelPath);
  EXPECT_THAT(asBundle.status().message(), HasSubstr("not a goe weight bundle"));
}

TEST(Artifact, MissingFile) {
  StatusOr<artifact::Model> read = readModel(tempPath("does-not-exist.goe"));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::NotFound);
  EXPECT_THAT(read.status().message(), HasSubstr("does-not-exist.goe"));
  EXPECT_THAT(read.status().message(), HasSubstr("No such file"));
}

TEST(Artifact, TruncatedPayload) {
  std::string bytes = *serializeModel(smallModel());
  std::string path = writeBytes("truncated.goe", bytes.substr(0, bytes.size() - 10));
  StatusOr<artifact::Model> read = readModel(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::DataLoss);
  EXPECT_THAT(read.status().message(), HasSubstr("truncated"));
  EXPECT_THAT(read.status().message(), HasSubstr("truncated.goe"));
}

TEST(Artifact, TruncatedHeader) {
  std::string bytes = *serializeModel(smallModel());
  for (size_t cut : {size_t(0), size_t(5), size_t(20)}) {
    StatusOr<artifact::Model> read = parseModel(bytes.substr(0, cut), "cut");
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().code(), StatusCode::DataLoss) << cut;
    EXPECT_THAT(read.status().message(), HasSubstr("truncated"));
  }
}

TEST(Artifact, BitFlipIsCorrupt) {
  std::string bytes = *serializeModel(smallModel());
  bytes[kHeaderSize + bytes.size() / 2 - kHeaderSize / 2] ^= 0x10;
  std::string path = writeBytes("flipped.goe", bytes);
  StatusOr<artifact::Model> read = readModel(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::DataLoss);
  EXPECT_THAT(read.status().message(), HasSubstr("corrupt"));
  EXPECT_THAT(read.status().message(), HasSubstr("checksum"));
}

TEST(Artifact, TrailingBytesAreCorrupt) {
  std::string bytes = *serializeModel(smallModel()) + "junk";
  StatusOr<artifact::Model> read = parseModel(bytes, "long");
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(), HasSubstr("corrupt"));
}

TEST(Artifact, WrongMagic) {
  std::string bytes = *serializeModel(smallModel());
  bytes.replace(0, 8, "\x7f" "ELF\2\1\1\0", 8);
  StatusOr<artifact::Model> read = readModel(writeBytes("elf.goe", bytes));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::InvalidArgument);
  EXPECT_THAT(read.status().message(), HasSubstr("not a goe model"));
  EXPECT_THAT(read.status().message(), HasSubstr("\\x7fELF"));
  StatusOr<artifact::Model> text = parseModel("hello world, this is text", "t");
  EXPECT_THAT(text.status().message(), HasSubstr("not a goe model"));
}

TEST(Artifact, OtherVersion) {
  std::string bytes = *serializeModel(smallModel());
  putU32(bytes, 8, 7);
  StatusOr<artifact::Model> read = readModel(writeBytes("v7.goe", bytes));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::FailedPrecondition);
  EXPECT_THAT(read.status().message(),
              HasSubstr("format version 7, this runtime reads 2"));
}

TEST(Artifact, FormatOneIsRefusedWithARecompileHint) {
  // Format 1 carried router and combine kinds as strings; its payload
  // would parse as a model without kinds, so the header refuses it.
  std::string bytes = *serializeModel(smallModel());
  putU32(bytes, 8, 1);
  StatusOr<artifact::Model> read = readModel(writeBytes("v1.goe", bytes));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::FailedPrecondition);
  EXPECT_THAT(read.status().message(),
              HasSubstr("v1.goe' has format version 1, this runtime reads 2: "
                        "recompile it with the goe-compile of this release"));
}

TEST(Artifact, UnparsablePayloadWithValidChecksum) {
  std::string file = encodeArtifact(ArtifactKind::Model, "\xff\xff\xff\xff");
  StatusOr<artifact::Model> read = parseModel(file, "garbage");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::DataLoss);
  EXPECT_THAT(read.status().message(), HasSubstr("not a valid goe.artifact.Model"));
}

TEST(Artifact, FailedWriteLeavesNothing) {
  std::string dir = tempPath("no-such-dir");
  Status status = writeModel(dir + "/m.goe", smallModel());
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("no-such-dir"));
}

TEST(Artifact, WriteReplacesAtomicallyWithoutTempFiles) {
  std::string path = tempPath("replace.goe");
  ASSERT_TRUE(writeModel(path, smallModel()).ok());
  artifact::Model other = smallModel();
  other.set_name("second");
  ASSERT_TRUE(writeModel(path, other).ok());
  EXPECT_EQ(readModel(path)->name(), "second");
  // No temporary file is left beside it.
  std::string dir = path.substr(0, path.rfind('/'));
  DIR *d = opendir(dir.c_str());
  ASSERT_NE(d, nullptr);
  while (dirent *entry = readdir(d))
    EXPECT_EQ(std::string(entry->d_name).find(".tmp."), std::string::npos)
        << entry->d_name;
  closedir(d);
}

} // namespace
} // namespace goe::runtime::test
