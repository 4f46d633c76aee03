// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// Maps, the C API: one ioctl per call, in libbpf's manner.
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <mapring/map.h>

#include "create.hpp"
#include "errno.hpp"

using mapring::detail::c_err;
using mapring::detail::neg_errno;

namespace {

__u64 ptr(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

// libbpf's OPTS_VALID: sz covers at least the size field, and bytes past
// what this library knows are zero.
bool opts_valid(const void* opts, size_t known) {
  if (!opts) return true;
  size_t sz = *static_cast<const size_t*>(opts);
  if (sz < sizeof(size_t)) return false;
  const auto* bytes = static_cast<const unsigned char*>(opts);
  for (size_t i = known; i < sz; ++i)
    if (bytes[i]) return false;
  return true;
}

// A field of an opts struct, or its default when the caller's struct is
// too old to have it.
template <class Opts, class T>
T opt(const Opts* opts, T Opts::*field, size_t offset, T dflt) {
  if (!opts || opts->sz < offset + sizeof(T)) return dflt;
  return opts->*field;
}
#define OPT(opts, field, dflt)                             \
  opt(opts, &std::remove_pointer_t<decltype(opts)>::field, \
      offsetof(std::remove_pointer_t<decltype(opts)>, field), (dflt))

int ioctl_ret(int fd, unsigned long cmd, void* arg) {
  int ret = ::ioctl(fd, cmd, arg);
  return c_err(ret < 0 ? neg_errno() : ret);
}

int elem_cmd(int fd, unsigned long cmd, const void* key, void* value,
             __u64 flags) {
  mapring_map_elem attr = {};
  attr.size = sizeof(attr);
  attr.key = ptr(key);
  attr.value = ptr(value);
  attr.flags = flags;
  return ioctl_ret(fd, cmd, &attr);
}

int batch_cmd(int fd, unsigned long cmd, void* in_batch, void* out_batch,
              const void* keys, const void* values, __u32* count,
              const mapring_map_batch_opts* opts) {
  if (!opts_valid(opts, sizeof(mapring_map_batch_opts)) || !count)
    return c_err(-EINVAL);
  mapring_map_batch attr = {};
  attr.size = sizeof(attr);
  attr.count = *count;
  attr.in_batch = ptr(in_batch);
  attr.out_batch = ptr(out_batch);
  attr.keys = ptr(keys);
  attr.values = ptr(values);
  attr.elem_flags = OPT(opts, elem_flags, __u64{0});
  attr.flags = OPT(opts, flags, __u64{0});
  int ret = ::ioctl(fd, cmd, &attr);
  int err = ret < 0 ? neg_errno() : ret;
  // libbpf writes the count back whatever happened
  *count = attr.count;
  return c_err(err);
}

int aggregate_cmd(int fd, unsigned long cmd, __u32 op, const void* keys,
                  __u32* count, __u64* results,
                  const mapring_map_aggregate_opts* opts) {
  if (!opts_valid(opts, sizeof(mapring_map_aggregate_opts)) || !count)
    return c_err(-EINVAL);
  struct mapring_map_aggregate attr = {};
  attr.size = sizeof(attr);
  attr.count = *count;
  attr.keys = ptr(keys);
  attr.offsets = ptr(OPT(opts, offsets, static_cast<const __u32*>(nullptr)));
  attr.results = ptr(results);
  attr.op = op;
  attr.nr_fields = OPT(opts, nr_fields, __u32{0});
  attr.flags = OPT(opts, flags, __u64{0});
  int ret = ::ioctl(fd, cmd, &attr);
  int err = ret < 0 ? neg_errno() : ret;
  *count = attr.count;
  return c_err(err);
}

}  // namespace

extern "C" int mapring_map__create(enum mapring_obj_type type, const char* name,
                                   __u32 key_size, __u32 value_size,
                                   __u32 max_entries,
                                   const struct mapring_map_create_opts* opts) {
  if (!opts_valid(opts, sizeof(mapring_map_create_opts))) return c_err(-EINVAL);
  mapring_map_create attr = {};
  attr.size = sizeof(attr);
  attr.map_type = type;
  attr.key_size = key_size;
  attr.value_size = value_size;
  attr.max_entries = max_entries;
  attr.map_flags = OPT(opts, map_flags, __u32{0});
  attr.access = OPT(opts, access, __u32{0});
  if (int err = mapring::detail::copy_name(attr.name, name)) return c_err(err);
  return mapring::detail::dev_create(MAPRING_IOC_MAP_CREATE, &attr);
}

extern "C" int mapring_map__open(const char* name) {
  int fd = mapring_obj__open_by_name(name, MAPRING_OBJ_UNSPEC);
  if (fd < 0) return fd;
  mapring_map_info info;
  int err = mapring_map__info(fd, &info);
  if (err < 0) {
    ::close(fd);
    return c_err(err == -ENOTTY ? -EINVAL : err);
  }
  return fd;
}

extern "C" int mapring_map__info(int fd, struct mapring_map_info* info) {
  *info = {};
  info->size = sizeof(*info);
  return ioctl_ret(fd, MAPRING_IOC_MAP_INFO, info);
}

extern "C" int mapring_map_lookup_elem(int fd, const void* key, void* value) {
  return elem_cmd(fd, MAPRING_IOC_MAP_LOOKUP_ELEM, key, value, 0);
}

extern "C" int mapring_map_lookup_elem_flags(int fd, const void* key,
                                             void* value, __u64 flags) {
  return elem_cmd(fd, MAPRING_IOC_MAP_LOOKUP_ELEM, key, value, flags);
}

extern "C" int mapring_map_update_elem(int fd, const void* key,
                                       const void* value, __u64 flags) {
  return elem_cmd(fd, MAPRING_IOC_MAP_UPDATE_ELEM, key,
                  const_cast<void*>(value), flags);
}

extern "C" int mapring_map_delete_elem(int fd, const void* key) {
  return elem_cmd(fd, MAPRING_IOC_MAP_DELETE_ELEM, key, nullptr, 0);
}

extern "C" int mapring_map_get_next_key(int fd, const void* key,
                                        void* next_key) {
  return elem_cmd(fd, MAPRING_IOC_MAP_GET_NEXT_KEY, key, next_key, 0);
}

extern "C" int mapring_map_lookup_and_delete_elem(int fd, const void* key,
                                                  void* value) {
  return elem_cmd(fd, MAPRING_IOC_MAP_LOOKUP_AND_DELETE_ELEM, key, value, 0);
}

extern "C" int mapring_map_lookup_and_delete_elem_flags(int fd, const void* key,
                                                        void* value,
                                                        __u64 flags) {
  return elem_cmd(fd, MAPRING_IOC_MAP_LOOKUP_AND_DELETE_ELEM, key, value,
                  flags);
}

extern "C" int mapring_map_delete_elem_flags(int fd, const void* key,
                                             __u64 flags) {
  return elem_cmd(fd, MAPRING_IOC_MAP_DELETE_ELEM, key, nullptr, flags);
}

extern "C" int mapring_map_lookup_batch(
    int fd, void* in_batch, void* out_batch, void* keys, void* values,
    __u32* count, const struct mapring_map_batch_opts* opts) {
  return batch_cmd(fd, MAPRING_IOC_MAP_LOOKUP_BATCH, in_batch, out_batch, keys,
                   values, count, opts);
}

extern "C" int mapring_map_lookup_and_delete_batch(
    int fd, void* in_batch, void* out_batch, void* keys, void* values,
    __u32* count, const struct mapring_map_batch_opts* opts) {
  return batch_cmd(fd, MAPRING_IOC_MAP_LOOKUP_AND_DELETE_BATCH, in_batch,
                   out_batch, keys, values, count, opts);
}

extern "C" int mapring_map_update_batch(
    int fd, const void* keys, const void* values, __u32* count,
    const struct mapring_map_batch_opts* opts) {
  return batch_cmd(fd, MAPRING_IOC_MAP_UPDATE_BATCH, nullptr, nullptr, keys,
                   values, count, opts);
}

extern "C" int mapring_map_delete_batch(
    int fd, const void* keys, __u32* count,
    const struct mapring_map_batch_opts* opts) {
  return batch_cmd(fd, MAPRING_IOC_MAP_DELETE_BATCH, nullptr, nullptr, keys,
                   nullptr, count, opts);
}

extern "C" int mapring_map_aggregate(
    int fd, enum mapring_agg_op op, const void* keys, __u32* count,
    __u64* results, const struct mapring_map_aggregate_opts* opts) {
  return aggregate_cmd(fd, MAPRING_IOC_MAP_AGGREGATE, op, keys, count, results,
                       opts);
}

extern "C" int mapring_map_read_and_reset(
    int fd, const void* keys, __u32* count, __u64* results,
    const struct mapring_map_aggregate_opts* opts) {
  return aggregate_cmd(fd, MAPRING_IOC_MAP_READ_AND_RESET, MAPRING_AGG_SUM,
                       keys, count, results, opts);
}
