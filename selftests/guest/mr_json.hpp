// SPDX-License-Identifier: GPL-2.0
// A strict JSON parser for tests (RFC 8259): what a program prints must
// parse whole, with nothing after it, or the test fails. Numbers keep
// their text so 64-bit values compare exactly. \u00XX escapes below 0x100
// decode to that byte (mapringctl escapes raw bytes that way); others to
// UTF-8.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mr {

struct Json {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  std::string text;  // a string's value, a number's digits
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;  // in order

  bool is(Type t) const { return type == t; }
  // The member named key; throws if this is not an object or has none.
  const Json& operator[](std::string_view key) const {
    if (type != Type::kObject) throw std::runtime_error("not an object");
    for (const auto& [k, v] : members)
      if (k == key) return v;
    throw std::runtime_error("no member " + std::string(key));
  }
  const Json& operator[](std::size_t i) const {
    if (type != Type::kArray || i >= items.size())
      throw std::runtime_error("no item " + std::to_string(i));
    return items[i];
  }
  bool has(std::string_view key) const {
    for (const auto& [k, v] : members)
      if (k == key) return true;
    return false;
  }
  std::uint64_t u64() const {
    if (type != Type::kNumber || text.empty() ||
        text.find_first_not_of("0123456789") != std::string::npos)
      throw std::runtime_error("not an unsigned integer: " + text);
    return std::stoull(text);
  }
  std::int64_t i64() const {
    if (type != Type::kNumber) throw std::runtime_error("not a number");
    return std::stoll(text);
  }
  const std::string& str() const {
    if (type != Type::kString) throw std::runtime_error("not a string");
    return text;
  }
  std::size_t size() const {
    return type == Type::kArray ? items.size() : members.size();
  }
};

class JsonParser {
 public:
  // Parses exactly one value, surrounded by optional whitespace.
  static Json parse(std::string_view s) {
    JsonParser p(s);
    p.ws();
    Json v = p.value(0);
    p.ws();
    if (p.i_ != s.size()) p.fail("text after the value");
    return v;
  }

 private:
  explicit JsonParser(std::string_view s) : s_(s) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("JSON, at " + std::to_string(i_) + ": " + what);
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' ||
                              s_[i_] == '\n' || s_[i_] == '\r'))
      i_++;
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    i_++;
  }
  void word(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) fail("bad literal");
    i_ += w.size();
  }

  Json value(int depth) {
    if (depth > 64) fail("nested too deep");
    Json v;
    switch (peek()) {
      case '{':
        v.type = Json::Type::kObject;
        i_++;
        ws();
        if (peek() == '}') {
          i_++;
          return v;
        }
        for (;;) {
          ws();
          if (peek() != '"') fail("expected a key");
          std::string k = string();
          ws();
          expect(':');
          ws();
          v.members.emplace_back(std::move(k), value(depth + 1));
          ws();
          if (peek() == ',') {
            i_++;
            continue;
          }
          expect('}');
          return v;
        }
      case '[':
        v.type = Json::Type::kArray;
        i_++;
        ws();
        if (peek() == ']') {
          i_++;
          return v;
        }
        for (;;) {
          ws();
          v.items.push_back(value(depth + 1));
          ws();
          if (peek() == ',') {
            i_++;
            continue;
          }
          expect(']');
          return v;
        }
      case '"':
        v.type = Json::Type::kString;
        v.text = string();
        return v;
      case 't':
        word("true");
        v.type = Json::Type::kBool;
        v.boolean = true;
        return v;
      case 'f':
        word("false");
        v.type = Json::Type::kBool;
        return v;
      case 'n':
        word("null");
        return v;
      default:
        v.type = Json::Type::kNumber;
        v.text = number();
        return v;
    }
  }

  std::string number() {
    std::size_t start = i_;
    if (peek() == '-') i_++;
    if (peek() == '0') {
      i_++;
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') i_++;
    } else {
      fail("expected a value");
    }
    if (peek() == '.') {
      i_++;
      if (!(peek() >= '0' && peek() <= '9')) fail("bad fraction");
      while (peek() >= '0' && peek() <= '9') i_++;
    }
    if (peek() == 'e' || peek() == 'E') {
      i_++;
      if (peek() == '+' || peek() == '-') i_++;
      if (!(peek() >= '0' && peek() <= '9')) fail("bad exponent");
      while (peek() >= '0' && peek() <= '9') i_++;
    }
    return std::string(s_.substr(start, i_ - start));
  }

  unsigned hex4() {
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
      char c = peek();
      i_++;
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= c - '0';
      else if (c >= 'a' && c <= 'f')
        v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        v |= c - 'A' + 10;
      else
        fail("bad \\u escape");
    }
    return v;
  }

  std::string string() {
    expect('"');
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) fail("unterminated string");
      unsigned char c = s_[i_++];
      if (c == '"') return out;
      if (c < 0x20) fail("control character in a string");
      if (c != '\\') {
        out += static_cast<char>(c);
        continue;
      }
      char e = peek();
      i_++;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned u = hex4();
          if (u < 0x100) {
            out += static_cast<char>(u);
          } else if (u < 0x800) {
            out += static_cast<char>(0xc0 | u >> 6);
            out += static_cast<char>(0x80 | (u & 0x3f));
          } else {
            out += static_cast<char>(0xe0 | u >> 12);
            out += static_cast<char>(0x80 | ((u >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (u & 0x3f));
          }
          break;
        }
        default:
          fail("bad escape");
      }
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace mr
