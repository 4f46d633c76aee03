/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mapring kernel API, for modules that produce into rings and update maps.
 *
 * Every function here is exported with EXPORT_SYMBOL_GPL by mapring.ko, and
 * a module that calls any of them holds a module reference on mapring.ko
 * for as long as it is loaded. docs/ARCHITECTURE.md shows the data flow.
 */
#ifndef _LINUX_MAPRING_H
#define _LINUX_MAPRING_H

#include <uapi/linux/mapring.h>

/* The ABI version of the mapring.ko this module was built against. */
#define MAPRING_KAPI_VERSION	MAPRING_ABI_VERSION

u32 mapring_abi_version(void);

/* ---- Rings ------------------------------------------------------------- */

/* ---- Maps -------------------------------------------------------------- */

#endif /* _LINUX_MAPRING_H */
