/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libmapring C API: rings. Included by <mapring/mapring.h>; see there for
 * the conventions.
 */
#ifndef MAPRING_RINGBUF_H
#define MAPRING_RINGBUF_H

#include <mapring/mapring.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* MAPRING_RINGBUF_H */
