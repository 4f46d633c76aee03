// SPDX-License-Identifier: GPL-2.0
/*
 * Who may do what. Opening /dev/mapring is decided by its node (mode= and
 * gid= in main.c, or a udev rule). Whoever may open it may create objects,
 * unless restrict_create is set: then, as for bpf() with unprivileged BPF
 * disabled, creating takes CAP_BPF or CAP_SYS_ADMIN. Opening an existing
 * object by id or name, or describing it, takes being its owner (the
 * creator's euid), CAP_SYS_ADMIN, or the access the creator granted.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/module.h>

#include "object.h"

static bool restrict_create;
module_param(restrict_create, bool, 0644);
MODULE_PARM_DESC(restrict_create,
		 "Creating objects takes CAP_BPF or CAP_SYS_ADMIN (default N: anyone who may open /dev/mapring)");

int mapring_may_create(void)
{
	/* root may flip it at any time: either value is a right answer */
	if (data_race(restrict_create) && !bpf_capable())
		return -EPERM;
	return 0;
}

/* admin: the caller has CAP_SYS_ADMIN. Any context but NMI. */
bool mapring_obj_may_open(struct mapring_obj *obj, bool admin)
{
	if (admin || uid_eq(current_euid(), obj->uid))
		return true;
	if (obj->access & MAPRING_ACCESS_SHARED)
		return true;
	return (obj->access & MAPRING_ACCESS_GROUP) && in_group_p(obj->gid);
}

/* 0 or -EACCES; capable() last, so only a real override is audited. */
int mapring_obj_check_open(struct mapring_obj *obj)
{
	if (mapring_obj_may_open(obj, false) || capable(CAP_SYS_ADMIN))
		return 0;
	return -EACCES;
}
