// SPDX-License-Identifier: GPL-2.0
#include "json.hpp"

#include <cstdio>

namespace ctl {

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

void Json::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!empty_.empty()) {
    if (!empty_.back()) out_ += ',';
    empty_.back() = false;
  }
}

Json& Json::open(char c) {
  separate();
  out_ += c;
  empty_.push_back(true);
  return *this;
}

Json& Json::close(char c) {
  out_ += c;
  empty_.pop_back();
  return *this;
}

Json& Json::raw(std::string_view text) {
  separate();
  out_ += text;
  return *this;
}

Json& Json::key(std::string_view k) {
  separate();
  out_ += json_quote(k);
  out_ += ':';
  after_key_ = true;
  return *this;
}

Json& Json::value(std::string_view s) { return raw(json_quote(s)); }

}  // namespace ctl
