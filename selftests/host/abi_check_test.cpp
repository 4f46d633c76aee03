// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// The library's ABI check (lib/abi.cpp) and its print callback, without a
// module: the comparison, the message, the callback's rules. The guest test
// lib_abi runs the same check against the real module.
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <mapring/mapring.h>

#include "abi.hpp"

namespace {

struct Message {
  mapring_print_level level;
  std::string text;
};
std::vector<Message> messages;

int capture(mapring_print_level level, const char* format, va_list args) {
  char buf[512];
  std::vsnprintf(buf, sizeof(buf), format, args);
  messages.push_back({level, buf});
  errno = EBADF;  // the library must not let this leak to its caller
  return 0;
}

// Installs the capturing callback for one test, restores the old one after.
class AbiCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    messages.clear();
    old_ = mapring_set_print(capture);
  }
  void TearDown() override { EXPECT_EQ(mapring_set_print(old_), capture); }

 private:
  mapring_print_fn_t old_ = nullptr;
};

TEST_F(AbiCheck, SameVersionPassesSilently) {
  EXPECT_EQ(
      mapring::detail::compare_abi(MAPRING_ABI_VERSION, MAPRING_ABI_VERSION),
      0);
  EXPECT_TRUE(messages.empty());
}

TEST_F(AbiCheck, NewerModuleIsEPROTOWithAMessage) {
  errno = 0;
  EXPECT_EQ(mapring::detail::compare_abi(2, 1), -EPROTO);
  EXPECT_EQ(errno, 0);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].level, MAPRING_WARN);
  EXPECT_EQ(messages[0].text,
            "libmapring: /dev/mapring speaks ABI version 2, this library ABI "
            "version 1: install a matching mapring.ko and libmapring\n");
}

TEST_F(AbiCheck, OlderModuleIsEPROTO) {
  EXPECT_EQ(mapring::detail::compare_abi(1, 2), -EPROTO);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].text.find("speaks ABI version 1, this library ABI "
                                  "version 2"),
            std::string::npos);
}

TEST_F(AbiCheck, NotAMapringDeviceIsENOTTYWithAMessage) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  EXPECT_EQ(mapring::detail::check_module_abi(p[0], MAPRING_ABI_VERSION),
            -ENOTTY);
  ::close(p[0]);
  ::close(p[1]);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].level, MAPRING_WARN);
  EXPECT_NE(messages[0].text.find("MAPRING_IOC_INFO on /dev/mapring failed"),
            std::string::npos);
}

TEST_F(AbiCheck, NullCallbackSilences) {
  EXPECT_EQ(mapring_set_print(nullptr), capture);
  EXPECT_EQ(mapring::detail::compare_abi(3, 1), -EPROTO);
  EXPECT_TRUE(messages.empty());
  EXPECT_EQ(mapring_set_print(capture), nullptr);
}

TEST(AbiVersion, LibraryReportsTheHeaders) {
  EXPECT_EQ(mapring_abi_version(), static_cast<__u32>(MAPRING_ABI_VERSION));
}

}  // namespace
