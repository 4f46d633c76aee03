// SPDX-License-Identifier: GPL-2.0
/* The exported kernel API (include/linux/mapring.h) that is not per object. */
#include <linux/export.h>
#include <linux/mapring.h>

u32 mapring_abi_version(void)
{
	return MAPRING_ABI_VERSION;
}
EXPORT_SYMBOL_GPL(mapring_abi_version);
