// SPDX-License-Identifier: GPL-2.0
// A small streaming JSON writer: it places the commas and escapes strings.
// Output is plain ASCII: control characters, quotes and every byte above
// 0x7f are escaped, so any bytes (a ring's record, a name) make valid JSON.
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ctl {

// s as a JSON string literal, quotes included. Bytes above 0x7f are taken
// as Latin-1 (\u00XX): the input need not be valid UTF-8.
std::string json_quote(std::string_view s);

class Json {
 public:
  explicit Json(std::string& out) : out_(out) {}

  Json& begin_object() { return open('{'); }
  Json& end_object() { return close('}'); }
  Json& begin_array() { return open('['); }
  Json& end_array() { return close(']'); }
  // The key of the next value, inside an object.
  Json& key(std::string_view k);

  Json& value(std::string_view s);
  Json& value(const char* s) { return value(std::string_view(s)); }
  Json& value(bool b) { return raw(b ? "true" : "false"); }
  template <std::integral T>
  requires(!std::same_as<T, bool>) Json& value(T v) {
    return raw(std::to_string(v));
  }
  Json& null() { return raw("null"); }

  // key(k).value(v)
  template <class T>
  Json& field(std::string_view k, const T& v) {
    return key(k).value(v);
  }

 private:
  Json& open(char c);
  Json& close(char c);
  Json& raw(std::string_view text);
  void separate();

  std::string& out_;
  std::vector<bool> empty_;  // per open container: nothing in it yet
  bool after_key_ = false;
};

}  // namespace ctl
