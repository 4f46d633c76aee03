// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// libmapring C++ API: rings. Included by <mapring/mapring.hpp>.
#pragma once

#include <mapring/mapring.hpp>

namespace mapring {}  // namespace mapring
