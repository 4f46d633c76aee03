// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// libbpf's rules for *_opts structs, internal to the library: the caller's
// sz may be smaller than ours (missing fields read as defaults) or larger
// (the unknown tail must be zero).
#pragma once

#include <cstddef>
#include <type_traits>

namespace mapring::detail {

template <class Opts>
bool opts_valid(const Opts* o) noexcept {
  if (!o) return true;
  if (o->sz < sizeof(std::size_t)) return false;
  auto* bytes = reinterpret_cast<const unsigned char*>(o);
  for (std::size_t i = sizeof(Opts); i < o->sz; i++)
    if (bytes[i]) return false;
  return true;
}

}  // namespace mapring::detail

// A field of an opts struct the caller may not know: fallback if it does not.
#define MAPRING_OPTS_GET(o, field, fallback)                     \
  ((o) && offsetof(std::remove_cvref_t<decltype(*(o))>, field) + \
                   sizeof((o)->field) <=                         \
               (o)->sz                                           \
       ? (o)->field                                              \
       : (fallback))
