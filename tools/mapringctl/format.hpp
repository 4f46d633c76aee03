// SPDX-License-Identifier: GPL-2.0
// How `mapringctl tail` prints a record: a hex dump, or a user's format.
//
// A format is text with fields in braces, one line per record:
//   {u32@8}       an unsigned 32-bit integer at byte offset 8
//                 (u8 u16 u32 u64, signed i8..i64, hexadecimal x8..x64;
//                 little-endian, offsets decimal or 0x...)
//   {str@48:16}   a NUL-terminated string of at most 16 bytes at offset 48
//                 (no length: up to the end of the record)
//   {hex@0:8}     bytes as hex digits
//   {size} {seq}  the record's size, its number since tail started
// "{{" and "}}" are braces; \n, \t and \\ are escapes. A field past the end
// of a record prints "?".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ctl {

class RecordFormat {
 public:
  // Throws std::invalid_argument saying what is wrong and where.
  explicit RecordFormat(std::string_view spec);

  [[nodiscard]] std::string render(std::span<const std::byte> record,
                                   std::uint64_t seq) const;

 private:
  enum class Kind {
    kText,
    kUnsigned,
    kSigned,
    kHex,
    kStr,
    kBytes,
    kSize,
    kSeq
  };
  struct Piece {
    Kind kind;
    std::string text;        // kText
    std::size_t offset = 0;  // fields
    std::size_t width = 0;   // integers: 1, 2, 4, 8 bytes
    std::size_t length = 0;  // str, hex: at most; 0 = to the end
  };
  static Piece parse_field(std::string_view field, std::size_t pos);

  std::vector<Piece> pieces_;
};

// A record as `xxd` shows it: offset, 16 bytes in hex, the printable ones.
std::string hexdump(std::span<const std::byte> record);
// Bytes as one string of hex digits, for JSON.
std::string hex_string(std::span<const std::byte> bytes);

}  // namespace ctl
