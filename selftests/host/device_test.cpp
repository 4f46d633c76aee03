// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// The C and C++ device API where no module is loaded (the build host).
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <gtest/gtest.h>
#include <mapring/mapring.h>
#include <mapring/mapring.hpp>

namespace {

bool have_device() {
  struct stat st;
  return ::stat(MAPRING_DEV_PATH, &st) == 0;
}

TEST(DeviceC, OpenWithoutModuleIsENOENT) {
  if (have_device()) GTEST_SKIP() << MAPRING_DEV_PATH " exists here";
  errno = 0;
  EXPECT_EQ(mapring_dev__open(), -ENOENT);
  EXPECT_EQ(errno, ENOENT);  // libbpf convention: errno set as well
}

TEST(DeviceC, InfoOnBadFdIsEBADF) {
  mapring_info info;
  errno = 0;
  EXPECT_EQ(mapring_dev__info(-1, &info), -EBADF);
  EXPECT_EQ(errno, EBADF);
}

TEST(DeviceC, InfoOnAnotherFileIsENOTTY) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  mapring_info info;
  EXPECT_EQ(mapring_dev__info(p[0], &info), -ENOTTY);
  ::close(p[0]);
  ::close(p[1]);
}

TEST(ObjC, NameTooLongIsEINVAL) {
  char name[MAPRING_NAME_LEN + 1];
  ::memset(name, 'a', MAPRING_NAME_LEN);
  name[MAPRING_NAME_LEN] = '\0';
  EXPECT_EQ(mapring_obj__open_by_name(name, MAPRING_OBJ_UNSPEC), -EINVAL);
  name[MAPRING_NAME_LEN - 1] = '\0';  // 31 characters fit
  int ret = mapring_obj__open_by_name(name, MAPRING_OBJ_UNSPEC);
  EXPECT_NE(ret, -EINVAL);
  EXPECT_EQ(mapring_obj__open_by_name(nullptr, MAPRING_OBJ_UNSPEC), -EINVAL);
}

TEST(ObjC, OpenWithoutModuleIsENOENT) {
  if (have_device()) GTEST_SKIP() << MAPRING_DEV_PATH " exists here";
  EXPECT_EQ(mapring_obj__open_by_id(1, MAPRING_OBJ_UNSPEC), -ENOENT);
  EXPECT_EQ(mapring_obj__open_by_name("x", MAPRING_OBJ_RINGBUF), -ENOENT);
}

TEST(DeviceCxx, OpenWithoutModuleThrowsENOENT) {
  if (have_device()) GTEST_SKIP() << MAPRING_DEV_PATH " exists here";
  try {
    (void)mapring::Device::open();
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), ENOENT);
  }
}

}  // namespace
