// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// The kernel's CPU list format ("0-3,8-11\n"), internal to the library.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace mapring::detail {

// The CPU ids of a list such as "0-3,8,10-11", ascending; nullopt when the
// text is not a well-formed, ascending list (a trailing newline is fine).
std::optional<std::vector<int>> parse_cpu_list(std::string_view text);

}  // namespace mapring::detail
