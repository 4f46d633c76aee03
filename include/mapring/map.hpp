// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// libmapring C++ API: maps. Included by <mapring/mapring.hpp>.
//
//   auto counters = mapring::PercpuArray<std::uint64_t>::create("pkts", 16);
//   counters.update(3, 1);                  // every CPU's value of key 3 = 1
//   for (auto [cpu, v] : counters.lookup(3)) ...
//   std::uint64_t total = counters.lookup(3).sum();
//
// Values are trivially copyable types of the map's value_size; failures
// throw std::system_error with the errno of the C API.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <mapring/map.h>
#include <mapring/mapring.hpp>

namespace mapring {

// The ids of the possible CPUs, ascending: the order of per-CPU values.
const std::vector<int>& possible_cpus();

namespace detail {
constexpr std::size_t percpu_stride(std::size_t size) {
  return (size + 7) & ~std::size_t{7};
}
}  // namespace detail

// One element's values, one per possible CPU, paired with the CPU ids
// (holes in the possible mask are respected: ids need not be 0..n-1).
template <class V>
requires std::is_trivially_copyable_v<V>
class PercpuValues {
 public:
  static constexpr std::size_t kStride = detail::percpu_stride(sizeof(V));

  // One possible CPU's id and value.
  struct Entry {
    int cpu;
    V value;
  };

  // An input iterator over the entries.
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Entry;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    // The i-th entry of v.
    iterator(const PercpuValues* v, std::size_t i) : v_(v), i_(i) {}
    // The CPU id and its value.
    Entry operator*() const { return {v_->cpu(i_), (*v_)[i_]}; }
    // The next possible CPU.
    iterator& operator++() {
      ++i_;
      return *this;
    }
    // The next possible CPU; returns the old position.
    iterator operator++(int) {
      auto old = *this;
      ++i_;
      return old;
    }
    // Same position (of the same values).
    bool operator==(const iterator& o) const { return i_ == o.i_; }

   private:
    const PercpuValues* v_ = nullptr;
    std::size_t i_ = 0;
  };

  // A zeroed buffer for every possible CPU.
  PercpuValues() : bytes_(possible_cpus().size() * kStride) {}
  // Every CPU holds value.
  explicit PercpuValues(const V& value) : PercpuValues() {
    for (std::size_t i = 0; i < size(); ++i) set(i, value);
  }

  // The number of values: the possible CPUs.
  [[nodiscard]] std::size_t size() const noexcept {
    return bytes_.size() / kStride;
  }
  // The i-th possible CPU's id and value.
  [[nodiscard]] int cpu(std::size_t i) const { return possible_cpus().at(i); }
  // The i-th possible CPU's value (not CPU id i: see cpu(i)).
  [[nodiscard]] V operator[](std::size_t i) const {
    V v;
    std::memcpy(&v, bytes_.data() + i * kStride, sizeof(V));
    return v;
  }
  // Sets the i-th possible CPU's value.
  void set(std::size_t i, const V& v) {
    std::memcpy(bytes_.data() + i * kStride, &v, sizeof(V));
  }
  // The value of CPU id cpu; std::out_of_range if it is not possible.
  [[nodiscard]] V at_cpu(int cpu) const {
    const auto& ids = possible_cpus();
    auto it = std::lower_bound(ids.begin(), ids.end(), cpu);
    if (it == ids.end() || *it != cpu) throw std::out_of_range("not a CPU");
    return (*this)[static_cast<std::size_t>(it - ids.begin())];
  }
  // The sum over all possible CPUs (arithmetic V, or V with +).
  [[nodiscard]] V sum() const requires requires(V a, V b) { a + b; }
  {
    V total{};
    for (std::size_t i = 0; i < size(); ++i) total = total + (*this)[i];
    return total;
  }

  // Entries (cpu, value) in possible-CPU order.
  [[nodiscard]] iterator begin() const { return {this, 0}; }
  // The end of the entries.
  [[nodiscard]] iterator end() const { return {this, size()}; }

  // The raw buffer, laid out as the kernel wants it.
  [[nodiscard]] void* data() noexcept { return bytes_.data(); }
  // The raw buffer, read-only.
  [[nodiscard]] const void* data() const noexcept { return bytes_.data(); }

 private:
  std::vector<unsigned char> bytes_;
};

// The keys of a map, in its iteration order (get_next_key).
template <class K>
class KeyRange {
 public:
  // An input iterator over the keys; a failure throws std::system_error.
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = K;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    // The first key of the map behind fd.
    explicit iterator(int fd) : fd_(fd), done_(false) { advance(nullptr); }
    // The current key.
    const K& operator*() const { return key_; }
    // The next key; throws std::system_error on failure.
    iterator& operator++() {
      K prev = key_;
      advance(&prev);
      return *this;
    }
    // The next key.
    void operator++(int) { ++*this; }
    // Only the end compares equal to the end.
    bool operator==(const iterator& o) const { return done_ == o.done_; }

   private:
    void advance(const K* prev) {
      int ret = mapring_map_get_next_key(fd_, prev, &key_);
      if (ret == -ENOENT) {
        done_ = true;
        return;
      }
      check(ret, "get_next_key");
    }
    int fd_ = -1;
    K key_{};
    bool done_ = true;
  };

  // The keys of the map behind fd (not owned).
  explicit KeyRange(int fd) : fd_(fd) {}
  // Starts at the first key (get_next_key with no key).
  [[nodiscard]] iterator begin() const { return iterator(fd_); }
  // The end of the keys.
  [[nodiscard]] iterator end() const { return {}; }

 private:
  int fd_;
};

namespace detail {

// What both map kinds share: the fd and the calls on it.
template <class K, class V>
class PercpuMapBase {
 public:
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }
  [[nodiscard]] mapring_map_info info() const {
    mapring_map_info i;
    check(mapring_map__info(fd(), &i), "map info");
    return i;
  }
  // Every CPU's value of key; nullopt if key is absent.
  [[nodiscard]] std::optional<PercpuValues<V>> find(const K& key) const {
    PercpuValues<V> v;
    int ret = mapring_map_lookup_elem(fd(), &key, v.data());
    if (ret == -ENOENT) return std::nullopt;
    check(ret, "lookup");
    return v;
  }
  // Every CPU's value of key; throws (ENOENT) if absent.
  [[nodiscard]] PercpuValues<V> lookup(const K& key) const {
    PercpuValues<V> v;
    check(mapring_map_lookup_elem(fd(), &key, v.data()), "lookup");
    return v;
  }
  // One CPU's value.
  [[nodiscard]] V lookup_cpu(const K& key, int cpu) const {
    V v;
    check(mapring_map_lookup_elem_flags(fd(), &key, &v, cpu_flags(cpu)),
          "lookup");
    return v;
  }
  // Set each CPU's value (flags: MAPRING_ANY, _NOEXIST, _EXIST).
  void update(const K& key, const PercpuValues<V>& values,
              std::uint64_t flags = MAPRING_ANY) {
    check(mapring_map_update_elem(fd(), &key, values.data(), flags), "update");
  }
  // Set every CPU's value to value.
  void update(const K& key, const V& value, std::uint64_t flags = MAPRING_ANY) {
    check(
        mapring_map_update_elem(fd(), &key, &value, flags | MAPRING_F_ALL_CPUS),
        "update");
  }
  void update_cpu(const K& key, int cpu, const V& value,
                  std::uint64_t flags = MAPRING_ANY) {
    check(mapring_map_update_elem(fd(), &key, &value, flags | cpu_flags(cpu)),
          "update");
  }
  // The sum over all CPUs of the u64 words of key's value, in the kernel.
  [[nodiscard]] std::vector<std::uint64_t> aggregate(
      const K& key, mapring_agg_op op = MAPRING_AGG_SUM) const {
    std::vector<std::uint64_t> out(percpu_stride(sizeof(V)) / 8);
    __u32 count = 1;
    check(mapring_map_aggregate(fd(), op, &key, &count,
                                reinterpret_cast<__u64*>(out.data()), nullptr),
          "aggregate");
    return out;
  }
  // Take every u64 word's sum over all CPUs and leave zeroes behind.
  std::vector<std::uint64_t> read_and_reset(const K& key) {
    std::vector<std::uint64_t> out(percpu_stride(sizeof(V)) / 8);
    __u32 count = 1;
    check(
        mapring_map_read_and_reset(
            fd(), &key, &count, reinterpret_cast<__u64*>(out.data()), nullptr),
        "read_and_reset");
    return out;
  }
  [[nodiscard]] KeyRange<K> keys() const { return KeyRange<K>(fd()); }

 protected:
  PercpuMapBase(int fd) : fd_(fd) {}
  static int create(mapring_obj_type type, const std::string& name,
                    std::uint32_t max_entries, std::uint32_t flags) {
    mapring_map_create_opts opts = {};
    opts.sz = sizeof(opts);
    opts.map_flags = flags;
    return check(mapring_map__create(type, name.c_str(), sizeof(K), sizeof(V),
                                     max_entries, &opts),
                 "map create");
  }
  static std::uint64_t cpu_flags(int cpu) {
    return MAPRING_F_CPU |
           (std::uint64_t(unsigned(cpu)) << MAPRING_F_CPU_SHIFT);
  }

 private:
  Fd fd_;
};

}  // namespace detail

// A per-CPU array of V, keyed by a 32-bit index.
template <class V>
requires std::is_trivially_copyable_v<V>
class PercpuArray : public detail::PercpuMapBase<std::uint32_t, V> {
  using Base = detail::PercpuMapBase<std::uint32_t, V>;

 public:
  // Creates an array of max_entries elements (flags: MAPRING_F_*); an empty
  // name makes it anonymous. Throws std::system_error.
  static PercpuArray create(const std::string& name, std::uint32_t max_entries,
                            std::uint32_t flags = 0) {
    return PercpuArray(
        Base::create(MAPRING_OBJ_PERCPU_ARRAY, name, max_entries, flags));
  }
  // Opens an existing array by name; throws std::system_error (ENOENT).
  static PercpuArray open(const std::string& name) {
    return PercpuArray(check(mapring_map__open(name.c_str()), "map open"));
  }

 private:
  explicit PercpuArray(int fd) : Base(fd) {}
};

// A per-CPU hash from K to V.
template <class K, class V>
requires std::is_trivially_copyable_v<K> && std::is_trivially_copyable_v<V>
class PercpuHash : public detail::PercpuMapBase<K, V> {
  using Base = detail::PercpuMapBase<K, V>;

 public:
  // Creates a hash of up to max_entries elements (flags: MAPRING_F_NO_PREALLOC,
  // ...). Throws std::system_error.
  static PercpuHash create(const std::string& name, std::uint32_t max_entries,
                           std::uint32_t flags = 0) {
    return PercpuHash(
        Base::create(MAPRING_OBJ_PERCPU_HASH, name, max_entries, flags));
  }
  // An LRU hash: a full map evicts its least recently used element.
  static PercpuHash create_lru(const std::string& name,
                               std::uint32_t max_entries,
                               std::uint32_t flags = 0) {
    return PercpuHash(
        Base::create(MAPRING_OBJ_LRU_PERCPU_HASH, name, max_entries, flags));
  }
  // Opens an existing hash (or LRU hash) by name; throws std::system_error.
  static PercpuHash open(const std::string& name) {
    return PercpuHash(check(mapring_map__open(name.c_str()), "map open"));
  }
  // Remove key: true if it was there.
  bool erase(const K& key) {
    int ret = mapring_map_delete_elem(this->fd(), &key);
    if (ret == -ENOENT) return false;
    check(ret, "delete");
    return true;
  }

 private:
  explicit PercpuHash(int fd) : Base(fd) {}
};

}  // namespace mapring
