// SPDX-License-Identifier: GPL-2.0
#include "format.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace ctl {

namespace {

[[noreturn]] void bad(std::size_t pos, const std::string& what) {
  throw std::invalid_argument("format, at character " +
                              std::to_string(pos + 1) + ": " + what);
}

std::size_t number(std::string_view s, std::size_t pos) {
  int base = 10;
  if (s.starts_with("0x") || s.starts_with("0X")) {
    s.remove_prefix(2);
    base = 16;
  }
  std::size_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    bad(pos, "'" + std::string(s) + "' is not a number");
  return v;
}

std::uint64_t load_le(const std::byte* p, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t i = width; i-- > 0;)
    v = v << 8 | static_cast<std::uint64_t>(p[i]);
  return v;
}

}  // namespace

RecordFormat::Piece RecordFormat::parse_field(std::string_view f,
                                              std::size_t pos) {
  if (f == "size") return {Kind::kSize, {}};
  if (f == "seq") return {Kind::kSeq, {}};
  auto at = f.find('@');
  if (at == std::string_view::npos)
    bad(pos, "'{" + std::string(f) + "}' needs TYPE@OFFSET, {size} or {seq}");
  std::string_view type = f.substr(0, at), where = f.substr(at + 1);
  Piece p{Kind::kText, {}};
  auto colon = where.find(':');
  p.offset = number(where.substr(0, colon), pos);
  bool sized = colon != std::string_view::npos;
  if (sized) p.length = number(where.substr(colon + 1), pos);

  if (type == "str" || type == "hex") {
    p.kind = type == "str" ? Kind::kStr : Kind::kBytes;
    if (sized && !p.length) bad(pos, "a length of 0");
    return p;
  }
  if (sized) bad(pos, "only str and hex take a length");
  if (type.size() < 2) bad(pos, "unknown type '" + std::string(type) + "'");
  switch (type[0]) {
    case 'u':
      p.kind = Kind::kUnsigned;
      break;
    case 'i':
      p.kind = Kind::kSigned;
      break;
    case 'x':
      p.kind = Kind::kHex;
      break;
    default:
      bad(pos, "unknown type '" + std::string(type) + "'");
  }
  auto bits = type.substr(1);
  if (bits != "8" && bits != "16" && bits != "32" && bits != "64")
    bad(pos, "unknown type '" + std::string(type) + "'");
  p.width = number(bits, pos) / 8;
  return p;
}

RecordFormat::RecordFormat(std::string_view spec) {
  std::string text;
  auto flush = [&] {
    if (!text.empty()) pieces_.push_back({Kind::kText, std::move(text)});
    text.clear();
  };
  for (std::size_t i = 0; i < spec.size(); i++) {
    char c = spec[i];
    if (c == '\\' && i + 1 < spec.size()) {
      char e = spec[++i];
      if (e == 'n')
        text += '\n';
      else if (e == 't')
        text += '\t';
      else if (e == '\\')
        text += '\\';
      else
        bad(i - 1, std::string("unknown escape \\") + e);
    } else if (c == '{' && i + 1 < spec.size() && spec[i + 1] == '{') {
      text += '{';
      i++;
    } else if (c == '}' && i + 1 < spec.size() && spec[i + 1] == '}') {
      text += '}';
      i++;
    } else if (c == '{') {
      auto end = spec.find('}', i);
      if (end == std::string_view::npos) bad(i, "'{' without '}'");
      flush();
      pieces_.push_back(parse_field(spec.substr(i + 1, end - i - 1), i));
      i = end;
    } else if (c == '}') {
      bad(i, "'}' without '{' (write }} for a brace)");
    } else {
      text += c;
    }
  }
  flush();
}

std::string RecordFormat::render(std::span<const std::byte> rec,
                                 std::uint64_t seq) const {
  std::string out;
  char buf[32];
  for (const Piece& p : pieces_) {
    if (p.kind == Kind::kText) {
      out += p.text;
      continue;
    }
    if (p.kind == Kind::kSize || p.kind == Kind::kSeq) {
      out += std::to_string(p.kind == Kind::kSize ? rec.size() : seq);
      continue;
    }
    if (p.offset > rec.size()) {
      out += '?';
      continue;
    }
    std::size_t left = rec.size() - p.offset;
    std::size_t len = p.width ? p.width : p.length ? p.length : left;
    if (p.kind == Kind::kStr) len = std::min(len, left);  // "at most"
    if (len > left) {
      out += '?';
      continue;
    }
    auto field = rec.subspan(p.offset, len);
    switch (p.kind) {
      case Kind::kUnsigned:
        out += std::to_string(load_le(field.data(), p.width));
        break;
      case Kind::kSigned: {
        std::uint64_t v = load_le(field.data(), p.width);
        unsigned shift = 64 - 8 * p.width;
        out += std::to_string(static_cast<std::int64_t>(v << shift) >> shift);
        break;
      }
      case Kind::kHex:
        std::snprintf(
            buf, sizeof(buf), "%#llx",
            static_cast<unsigned long long>(load_le(field.data(), p.width)));
        out += buf;
        break;
      case Kind::kStr:
        for (std::byte b : field) {
          auto c = static_cast<unsigned char>(b);
          if (!c) break;
          if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += static_cast<char>(c);
          } else {
            std::snprintf(buf, sizeof(buf), "\\x%02x", c);
            out += buf;
          }
        }
        break;
      default:
        out += hex_string(field);
    }
  }
  return out;
}

std::string hex_string(std::span<const std::byte> bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::byte b : bytes) {
    auto c = static_cast<unsigned char>(b);
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string hexdump(std::span<const std::byte> rec) {
  std::string out;
  char buf[32];
  for (std::size_t off = 0; off < rec.size(); off += 16) {
    std::snprintf(buf, sizeof(buf), "%04zx ", off);
    out += buf;
    std::string ascii;
    for (std::size_t i = 0; i < 16; i++) {
      if (i == 8) out += ' ';
      if (off + i < rec.size()) {
        auto c = static_cast<unsigned char>(rec[off + i]);
        std::snprintf(buf, sizeof(buf), " %02x", c);
        out += buf;
        ascii += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.';
      } else {
        out += "   ";
      }
    }
    out += "  |" + ascii + "|\n";
  }
  return out;
}

}  // namespace ctl
