/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libmapring C API: maps. Included by <mapring/mapring.h>; see there for
 * the conventions.
 */
#ifndef MAPRING_MAP_H
#define MAPRING_MAP_H

#include <mapring/mapring.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* MAPRING_MAP_H */
