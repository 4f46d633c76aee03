/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mapring: BPF-style per-CPU maps and ring buffers for any kernel code.
 *
 * This is the whole user-space ABI of /dev/mapring. docs/abi.md explains
 * the rules; the short version:
 *
 *  - Every ioctl argument is an extensible struct whose first member is
 *    "__u32 size", set by the caller to the size of the struct it knows.
 *    A smaller size than the first published version of the struct is
 *    -EINVAL; a larger one than PAGE_SIZE is -E2BIG. Bytes the kernel does
 *    not know must be zero (-E2BIG otherwise), bytes the caller did not
 *    pass read as zero: old binaries run on new kernels and new binaries
 *    on old kernels, exactly as with bpf_attr.
 *  - On return the kernel sets "size" to the number of bytes it wrote back,
 *    min(caller's size, kernel's size).
 *  - Only fixed-size types; padding is explicit and must be zero.
 *  - Errors are negative errno values with the bpf() syscall's meanings.
 */
#ifndef _UAPI_LINUX_MAPRING_H
#define _UAPI_LINUX_MAPRING_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MAPRING_DEVICE_NAME	"mapring"

/* Bumped only for incompatible changes; additions are feature bits. */
#define MAPRING_ABI_VERSION	1

/*
 * Feature bits reported by MAPRING_IOC_INFO: bits 0-7 rings, 8-23 maps,
 * 24-63 reserved. MAPRING_FEATURES_ALL is every bit this header defines.
 */
#define MAPRING_FEATURES_ALL	0ULL

/*
 * ioctl numbers. The encoded argument is the leading "__u32 size" of the
 * extensible struct the argument points at, so the number does not change
 * when the struct grows. Ranges: 0x00-0x0f the device and objects in
 * general, 0x10-0x2f rings, 0x30-0x5f maps.
 */
#define MAPRING_IOC_MAGIC	0xBE
#define MAPRING_IOC(nr)		_IOWR(MAPRING_IOC_MAGIC, (nr), __u32)

/*
 * Objects. Every ring and map is an object: it has a type, an id (never 0,
 * not reused until the id space wraps), an optional unique name, and lives
 * while anything holds it: an fd, a mapping, or a kernel module's
 * reference. Names are up to MAPRING_NAME_LEN - 1 characters from
 * [A-Za-z0-9_.], NUL-terminated; an empty name makes an anonymous object.
 */
enum mapring_obj_type {
	MAPRING_OBJ_UNSPEC = 0,
	MAPRING_OBJ_RINGBUF = 1,
	MAPRING_OBJ_PERCPU_ARRAY = 2,
	MAPRING_OBJ_PERCPU_HASH = 3,
	MAPRING_OBJ_LRU_PERCPU_HASH = 4,
};

#define MAPRING_NAME_LEN	32

/* Report the ABI version, feature bits and machine facts. */
#define MAPRING_IOC_INFO	MAPRING_IOC(0x00)

struct mapring_info {
	__u32 size;		/* in: sizeof(struct mapring_info); out: bytes written */
	__u32 abi_version;	/* out: MAPRING_ABI_VERSION */
	__u64 features;		/* out: MAPRING_FEAT_* bits this kernel supports */
	__u32 page_size;	/* out: PAGE_SIZE, the mmap granule of rings */
	__u32 nr_possible_cpus;	/* out: per-CPU values per element */
	__u32 nr_cpu_ids;	/* out: highest possible CPU id + 1 */
	__u32 __pad0;		/* out: zero */
};

#define MAPRING_INFO_SIZE_VER0	32	/* first published size */

/*
 * Open an existing object by id or by name; returns a new O_CLOEXEC fd.
 * -ENOENT: no such object; -EINVAL: neither or a bad name given, or the
 * object is not of the requested type.
 */
#define MAPRING_IOC_OBJ_OPEN	MAPRING_IOC(0x01)

struct mapring_obj_open {
	__u32 size;
	__u32 id;			/* by id when non-zero */
	char name[MAPRING_NAME_LEN];	/* else by name */
	__u32 type;			/* required type, or MAPRING_OBJ_UNSPEC */
	__u32 flags;			/* must be 0 */
};

#define MAPRING_OBJ_OPEN_SIZE_VER0	48

/* ---- Rings (ioctl numbers 0x10-0x2f) ---------------------------------- */

/* ---- Maps (ioctl numbers 0x30-0x5f) ----------------------------------- */

#endif /* _UAPI_LINUX_MAPRING_H */
