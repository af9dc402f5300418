//===- DistributedOptionsTest.cpp - data-parallel flags and agreement -----===//
//
// The c10d-free parts of data parallelism (DistributedOptions.h): the
// batch shares, --master's parsing, the flags' checks and the message that
// names what two ranks disagree on. The ranks themselves run in
// tests/tools/train-parallel.test.
//
//===----------------------------------------------------------------------===//

#include "goe/Training/DistributedOptions.h"

#include <gtest/gtest.h>

namespace goe::train {
namespace {

TEST(BatchShare, ContiguousSharesCoverTheBatchAndDifferByAtMostOne) {
  for (int world : {1, 2, 3, 5})
    for (int64_t n : {0, 1, 2, 7, 63, 64}) {
      int64_t next = 100, smallest = n, largest = 0;
      for (int r = 0; r < world; ++r) {
        auto [begin, end] = batchShare(100, 100 + n, r, world);
        EXPECT_EQ(begin, next) << "world " << world << " n " << n;
        EXPECT_LE(begin, end);
        smallest = std::min(smallest, end - begin);
        largest = std::max(largest, end - begin);
        next = end;
      }
      EXPECT_EQ(next, 100 + n);
      EXPECT_LE(largest - smallest, 1);
    }
  // 63 over 2: 32 + 31; a last batch of 1 over 2: 1 + 0.
  using Range = std::pair<int64_t, int64_t>;
  EXPECT_EQ(batchShare(0, 63, 0, 2), Range(0, 32));
  EXPECT_EQ(batchShare(0, 63, 1, 2), Range(32, 63));
  EXPECT_EQ(batchShare(10, 11, 1, 2), Range(11, 11));
}

TEST(ParseMaster, HostAndPort) {
  std::string host;
  uint16_t port = 0;
  EXPECT_TRUE(parseMaster("127.0.0.1:29500", host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 29500);
  EXPECT_TRUE(parseMaster("[::1]:80", host, port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 80);
  for (const char *bad : {"localhost", ":29500", "host:", "host:0",
                          "host:65536", "host:12x"})
    EXPECT_FALSE(parseMaster(bad, host, port)) << bad;
}

TEST(CheckDistributedOptions, NamesTheBadFlag) {
  TrainOptions o;
  EXPECT_TRUE(checkDistributedOptions(o).ok()); // one process
  o.master = "127.0.0.1:5";
  EXPECT_NE(checkDistributedOptions(o).message().find(
                "--master 127.0.0.1:5 needs --world-size of 2 or more"),
            std::string::npos);
  o.worldSize = 2;
  EXPECT_TRUE(checkDistributedOptions(o).ok());
  o.rank = 2;
  EXPECT_NE(checkDistributedOptions(o).message().find(
                "--rank 2 is not below --world-size 2"),
            std::string::npos);
  o.rank = 1;
  o.distTimeout = 0;
  EXPECT_NE(checkDistributedOptions(o).message().find("--dist-timeout"),
            std::string::npos);
  o.distTimeout = 60;
  o.batch = 1;
  EXPECT_NE(checkDistributedOptions(o).message().find(
                "--world-size 2 is more than --batch 1"),
            std::string::npos);
}

TEST(FingerprintDifference, NamesTheFirstDifferenceWithBothValues) {
  std::string rank0 = "--world-size=2\n--batch=64\n--epochs=1\n";
  std::string rank1 = "--world-size=2\n--batch=32\n--epochs=3\n";
  EXPECT_EQ(fingerprintDifference(rank0, 0, rank0, 1), "");
  EXPECT_EQ(fingerprintDifference(rank0, 0, rank1, 1),
            "rank 1 has --batch 32, rank 0 64: every rank must run the same "
            "training (only --rank differs)");
  // A rank of another goe-train version, with other lines, is named too.
  EXPECT_NE(fingerprintDifference(rank0, 1, "--world-size=2\n", 0), "");
}

} // namespace
} // namespace goe::train
