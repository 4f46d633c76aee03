// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <mapring/mapring.hpp>

namespace {

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

TEST(Fd, ClosesOnDestruction) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  {
    mapring::Fd r(p[0]);
    EXPECT_EQ(r.get(), p[0]);
    EXPECT_TRUE(r);
  }
  EXPECT_FALSE(is_open(p[0]));
  ::close(p[1]);
}

TEST(Fd, MoveTransfersOwnership) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  mapring::Fd a(p[0]);
  mapring::Fd b(std::move(a));
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): testing the state
  EXPECT_EQ(b.get(), p[0]);
  mapring::Fd c(p[1]);
  c = std::move(b);  // closes p[1], takes p[0]
  EXPECT_FALSE(is_open(p[1]));
  EXPECT_EQ(c.get(), p[0]);
  EXPECT_TRUE(is_open(p[0]));
}

TEST(Fd, ReleaseKeepsTheDescriptorOpen) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  int raw;
  {
    mapring::Fd f(p[0]);
    raw = f.release();
    EXPECT_FALSE(f);
  }
  EXPECT_EQ(raw, p[0]);
  EXPECT_TRUE(is_open(raw));
  ::close(raw);
  ::close(p[1]);
}

TEST(Check, ThrowsTheErrno) {
  EXPECT_EQ(mapring::check(5, "x"), 5);
  try {
    mapring::check(-EBADF, "what");
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), EBADF);
    EXPECT_EQ(e.code().category(), std::generic_category());
  }
}

}  // namespace
