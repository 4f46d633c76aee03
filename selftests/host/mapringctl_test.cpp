// SPDX-License-Identifier: GPL-2.0
// mapringctl's parts that need no device: its JSON writer (checked by
// parsing what it writes with the guest tests' strict parser) and the
// record formats of `mapringctl tail`.
#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "format.hpp"
#include "json.hpp"
#include "mr_json.hpp"

namespace {

using ctl::Json;
using ctl::RecordFormat;

std::span<const std::byte> bytes(const std::string& s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

TEST(MapringctlJson, EveryByteRoundTrips) {
  std::string all;
  for (int c = 0; c < 256; c++) all += static_cast<char>(c);
  std::string out;
  Json(out).begin_object().field("s", all).end_object();
  // plain ASCII out, whatever went in
  for (unsigned char c : out) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << int(c);
  EXPECT_EQ(mr::JsonParser::parse(out)["s"].str(), all);
}

TEST(MapringctlJson, NestingAndCommas) {
  std::string out;
  Json j(out);
  j.begin_array();
  j.begin_object().field("a", 1u).key("b").begin_array().end_array();
  j.key("c").null().field("d", true).field("e", std::int64_t{-5});
  j.end_object();
  j.value(std::numeric_limits<std::uint64_t>::max()).value("x");
  j.begin_object().end_object();
  j.end_array();
  EXPECT_EQ(out,
            "[{\"a\":1,\"b\":[],\"c\":null,\"d\":true,\"e\":-5},"
            "18446744073709551615,\"x\",{}]");
  auto v = mr::JsonParser::parse(out);
  EXPECT_EQ(v[1].u64(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(v[0]["e"].i64(), -5);
}

TEST(MapringctlJson, ParserRejectsWhatIsNotJson) {
  for (const char* bad : {"", "[1,]", "{\"a\":1,}", "{a:1}", "[1] [2]",
                          "\"\x01\"", "01", "1.", "\"\\x41\"", "[", "nul"})
    EXPECT_THROW(mr::JsonParser::parse(bad), std::runtime_error) << bad;
}

TEST(MapringctlFormat, Fields) {
  std::string rec("\x2a\x00\x00\x00\xfe\xff\xff\xffhi\0zz", 12);
  RecordFormat f(
      "{seq}/{size}: {u32@0} {i32@4} {u8@4} {x32@0} {str@8} "
      "{str@8:1} {hex@8:3} {{}} \\t\\\\");
  EXPECT_EQ(f.render(bytes(rec), 3),
            "3/12: 42 -2 254 0x2a hi h 686900 {} \t\\");
}

TEST(MapringctlFormat, PastTheEndIsAQuestionMark) {
  std::string rec("abcd");
  EXPECT_EQ(RecordFormat("{u64@0} {u32@1} {u16@2} {hex@2:3} {str@2:9} {str@4} "
                         "{str@5}")
                .render(bytes(rec), 0),
            "? ? 25699 ? cd  ?");
}

TEST(MapringctlFormat, UnprintableBytesAreEscaped) {
  std::string rec("a\\b\n\x7f\xc3\xa9", 7);
  EXPECT_EQ(RecordFormat("{str@0}").render(bytes(rec), 0),
            "a\\x5cb\\x0a\\x7f\\xc3\\xa9");
}

TEST(MapringctlFormat, MistakesSayWhere) {
  for (const char* bad :
       {"{", "}", "{u7@0}", "{u32}", "{u32@-1}", "{u32@0:4}", "{hex@0:0}",
        "{str@zz}", "\\x", "{size@0}", "{q32@0}"}) {
    try {
      RecordFormat f(bad);
      ADD_FAILURE() << bad << " parsed";
    } catch (const std::invalid_argument& e) {
      EXPECT_TRUE(std::string(e.what()).starts_with("format, at character "))
          << e.what();
    }
  }
}

TEST(MapringctlFormat, Hexdump) {
  std::string rec("0123456789abcdefXY");
  EXPECT_EQ(ctl::hexdump(bytes(rec)),
            "0000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  "
            "|0123456789abcdef|\n"
            "0010  58 59                                             |XY|\n");
  EXPECT_EQ(ctl::hexdump({}), "");
}

}  // namespace
