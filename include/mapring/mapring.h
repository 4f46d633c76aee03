/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libmapring: the C API, in libbpf's style.
 *
 *  - Functions are named object__verb.
 *  - They return a negative errno value on failure (and set errno to the
 *    positive value, as libbpf does), 0 or a new fd on success.
 *  - Optional arguments come in *_opts structs whose first member "sz" is
 *    set by the caller to sizeof(the struct); unknown trailing bytes must be
 *    zero, so programs built against newer headers run on older libraries.
 *
 * C++ programs may prefer mapring.hpp, an idiomatic API over this one.
 */
#ifndef MAPRING_MAPRING_H
#define MAPRING_MAPRING_H

#include <stdarg.h>
#include <stddef.h>

#include <linux/mapring.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MAPRING_API __attribute__((visibility("default")))

/* Path of the control device. */
#define MAPRING_DEV_PATH "/dev/" MAPRING_DEVICE_NAME

/* Severity of a message the library prints, as libbpf's print levels. */
enum mapring_print_level {
	MAPRING_WARN,	/* something failed; printed by default */
	MAPRING_INFO,	/* worth knowing; printed by default */
	MAPRING_DEBUG,	/* details; not printed by default */
};

/* A print callback: format and its arguments, as vfprintf takes them. */
typedef int (*mapring_print_fn_t)(enum mapring_print_level level,
				  const char *format, va_list args);

/*
 * Route the library's messages (today: why the module was refused at open)
 * to fn, or silence them with NULL. The default prints MAPRING_WARN and
 * MAPRING_INFO messages to stderr. Returns the previous callback, as
 * libbpf_set_print() does. Not thread-safe against concurrent messages.
 */
MAPRING_API mapring_print_fn_t mapring_set_print(mapring_print_fn_t fn);

/*
 * Open the control device, close-on-exec, and check that the module speaks
 * the ABI this library was built for: its MAPRING_IOC_INFO abi_version must
 * equal MAPRING_ABI_VERSION. Returns the fd or -errno: -ENOENT when
 * mapring.ko is not loaded, -EACCES without permission, -EPROTO when the
 * module's ABI version differs (a MAPRING_WARN message names both), or the
 * error of MAPRING_IOC_INFO. Every call that creates or opens an object
 * goes through here, so each of them fails the same way.
 */
MAPRING_API int mapring_dev__open(void);

/* The MAPRING_ABI_VERSION this library was built for. */
MAPRING_API __u32 mapring_abi_version(void);

/*
 * Fill *info from the module behind dev_fd (an fd from mapring_dev__open).
 * info->size is set by the library. Returns 0 or -errno.
 */
MAPRING_API int mapring_dev__info(int dev_fd, struct mapring_info *info);

/*
 * Open an existing object (ring or map) by id, whoever made it: a kernel
 * module or another process. type is the required enum mapring_obj_type,
 * or MAPRING_OBJ_UNSPEC for any. Returns a new O_CLOEXEC fd or -errno:
 * -ENOENT (no such object), -EINVAL (other type), or the errors of
 * mapring_dev__open().
 */
MAPRING_API int mapring_obj__open_by_id(__u32 id, __u32 type);
/*
 * The same by name (1 to MAPRING_NAME_LEN - 1 characters of
 * [A-Za-z0-9_.]): -EINVAL also for a bad name.
 */
MAPRING_API int mapring_obj__open_by_name(const char *name, __u32 type);

/*
 * List objects as libbpf's bpf_map_get_next_id() lists maps: the smallest
 * id above start_id of a live object of type (MAPRING_OBJ_UNSPEC: any)
 * goes to *next_id. Returns 0, -ENOENT after the last, or -errno.
 */
MAPRING_API int mapring_obj__get_next_id(__u32 start_id, __u32 type,
					 __u32 *next_id);
/*
 * Describe the object with this id without opening it: type, sizes,
 * entries, memory, drops, ring positions (docs/abi.md). info->size is set
 * by the library. Returns 0 or -errno: -ENOENT (no such object).
 */
MAPRING_API int mapring_obj__info_by_id(__u32 id, struct mapring_obj_info *info);
/* The same by name: -EINVAL also for a bad (or NULL) name. */
MAPRING_API int mapring_obj__info_by_name(const char *name,
					  struct mapring_obj_info *info);

#ifdef __cplusplus
}
#endif

#include <mapring/ringbuf.h>	/* rings: create, open, consume */
#include <mapring/map.h>	/* maps: create, open, lookup, update */
#include <mapring/ring_group.h>	/* sharded rings */

#endif /* MAPRING_MAPRING_H */
