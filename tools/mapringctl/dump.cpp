// SPDX-License-Identifier: GPL-2.0
// mapringctl dump: every key of a map with one column per possible CPU
// (offline ones and holes in the mask included) and a total, or with
// --sum the totals alone, summed in the kernel.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "ctl.hpp"
#include "format.hpp"
#include "json.hpp"

namespace ctl {

namespace {

using Bytes = std::vector<std::byte>;

std::uint64_t load(const std::byte* p, std::size_t n) {
  std::uint64_t v = 0;
  std::memcpy(&v, p, n);  // little-endian, as the kernel stored it
  return v;
}

// How values read: one integer, several u64 words, or raw bytes.
struct Shape {
  std::uint32_t size;
  std::size_t words;  // 0: not numbers, shown as hex
  explicit Shape(std::uint32_t value_size) : size(value_size) {
    if (size == 1 || size == 2 || size == 4 || size == 8)
      words = 1;
    else
      words = size % 8 == 0 ? size / 8 : 0;
  }
  std::uint64_t word(const std::byte* v, std::size_t i) const {
    return load(v + i * 8, std::min<std::size_t>(size, 8));
  }
};

std::string key_text(const Bytes& key) {
  std::size_t n = key.size();
  if (n == 1 || n == 2 || n == 4 || n == 8)
    return std::to_string(load(key.data(), n));
  return "0x" + hex_string(key);
}

void key_json(Json& j, const Bytes& key) {
  std::size_t n = key.size();
  if (n == 1 || n == 2 || n == 4 || n == 8)
    j.value(load(key.data(), n));
  else
    j.value("0x" + hex_string(key));
}

// One value (a CPU's, or totals) as JSON: a number, an array or hex.
void value_json(Json& j, const Shape& s, const std::byte* v) {
  if (!s.words) {
    j.value(hex_string({v, s.size}));
  } else if (s.words == 1) {
    j.value(s.word(v, 0));
  } else {
    j.begin_array();
    for (std::size_t w = 0; w < s.words; w++) j.value(s.word(v, w));
    j.end_array();
  }
}

// Right-aligned columns after a left-aligned first one.
void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size(); c++) {
      if (width.size() <= c) width.push_back(0);
      width[c] = std::max(width[c], r[c].size());
    }
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t c = 0; c < r.size(); c++) {
      std::string pad(width[c] - r[c].size(), ' ');
      line += c == 0 ? r[c] + pad : "  " + pad + r[c];
    }
    std::printf("%s\n", line.c_str());
  }
}

}  // namespace

int cmd_dump(const Options& opt, Args& args) {
  auto dev = open_device();
  mapring_obj_info o = find_object(dev, args);
  no_more(args);
  if (!is_map(o.type))
    throw Error(kNoObject, describe(o) + " is a " +
                               std::string(type_name(o.type)) +
                               ": dump reads maps (tail reads rings)");
  mapring::Fd fd = open_object(o);
  Shape shape(o.value_size);
  if (opt.sum && !shape.words)
    throw Error(kUsage,
                "--sum needs numbers: value_size 1, 2, 4, 8 or a "
                "multiple of 8, not " +
                    std::to_string(o.value_size));
  const auto& cpus = mapring::possible_cpus();
  std::size_t stride = (o.value_size + 7) / 8 * 8;
  std::size_t ncpu = cpus.size();

  std::string out;
  Json j(out);
  std::vector<std::vector<std::string>> rows;
  if (opt.json) {
    j.begin_array();
  } else {
    rows.push_back({"key"});
    if (!opt.sum)
      for (int cpu : cpus) rows[0].push_back("cpu" + std::to_string(cpu));
    rows[0].push_back("total");
  }

  Bytes key(o.key_size), prev(o.key_size), values(stride * ncpu);
  std::vector<__u64> total(std::max<std::size_t>(shape.words, 1));
  bool first = true;
  for (;;) {
    int ret = mapring_map_get_next_key(fd.get(), first ? nullptr : prev.data(),
                                       key.data());
    if (ret == -ENOENT) break;
    if (ret < 0)
      fail(std::system_error(-ret, std::generic_category()), "get_next_key");
    first = false;
    prev = key;
    if (opt.sum) {
      __u32 count = 1;
      ret = mapring_map_aggregate(fd.get(), MAPRING_AGG_SUM, key.data(), &count,
                                  total.data(), nullptr);
    } else {
      ret = mapring_map_lookup_elem(fd.get(), key.data(), values.data());
    }
    if (ret == -ENOENT) continue;  // deleted since get_next_key
    if (ret < 0)
      fail(std::system_error(-ret, std::generic_category()),
           opt.sum ? "aggregate" : "lookup");
    if (!opt.sum && shape.words)
      for (std::size_t w = 0; w < shape.words; w++) {
        total[w] = 0;
        for (std::size_t c = 0; c < ncpu; c++)
          total[w] += shape.word(values.data() + c * stride, w);
      }
    // totals are u64 words; an integer narrower than 8 bytes sums whole
    Shape sums(shape.words ? static_cast<std::uint32_t>(8 * shape.words) : 0);
    auto* tbytes = reinterpret_cast<const std::byte*>(total.data());

    if (opt.json) {
      j.begin_object().key("key");
      key_json(j, key);
      if (!opt.sum) {
        j.key("values").begin_array();
        for (std::size_t c = 0; c < ncpu; c++) {
          j.begin_object().field("cpu", cpus[c]).key("value");
          value_json(j, shape, values.data() + c * stride);
          j.end_object();
        }
        j.end_array();
      }
      j.key("total");
      if (shape.words)
        value_json(j, sums, tbytes);
      else
        j.null();
      j.end_object();
      continue;
    }
    std::size_t nrows = std::max<std::size_t>(shape.words, 1);
    for (std::size_t w = 0; w < nrows; w++) {
      std::vector<std::string> row{key_text(key)};
      if (shape.words > 1) row[0] += "[" + std::to_string(w) + "]";
      if (!opt.sum)
        for (std::size_t c = 0; c < ncpu; c++) {
          const std::byte* v = values.data() + c * stride;
          row.push_back(shape.words ? std::to_string(shape.word(v, w))
                                    : hex_string({v, o.value_size}));
        }
      row.push_back(shape.words ? std::to_string(total[w]) : "-");
      rows.push_back(std::move(row));
    }
  }
  if (opt.json) {
    j.end_array();
    std::printf("%s\n", out.c_str());
  } else {
    print_table(rows);
  }
  return kOk;
}

}  // namespace ctl
