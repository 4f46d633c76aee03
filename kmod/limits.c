// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user limits: how many objects a user may own and how much memory
 * they may hold, counted by owner (the creator's euid) when an object is
 * published and uncounted when its last reference goes, from any context
 * but NMI (atomics, no lock). Users with CAP_SYS_RESOURCE or CAP_SYS_ADMIN
 * are counted but not limited, as for RLIMIT_NPROC. The memory is what
 * MAPRING_IOC_OBJ_INFO reports at creation; the memory cgroup of the
 * creator is charged as well, and keeps charging the elements a
 * MAPRING_F_NO_PREALLOC hash allocates later, which this cap does not see.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "object.h"

static unsigned int max_objects_per_user = 1024;
module_param(max_objects_per_user, uint, 0644);
MODULE_PARM_DESC(max_objects_per_user,
		 "Objects one user may own, 0: no limit (default 1024)");

static unsigned long long max_memory_per_user = 1ULL << 30;
module_param(max_memory_per_user, ullong, 0644);
MODULE_PARM_DESC(max_memory_per_user,
		 "Bytes of objects one user may own, 0: no limit (default 1 GiB)");

struct mapring_user {
	struct hlist_node node;
	kuid_t uid;
	unsigned int refs;	/* objects pointing here; under users_lock */
	atomic_t objects;	/* live objects */
	atomic64_t memory;	/* their bytes */
};

static DEFINE_MUTEX(users_lock);
static DEFINE_HASHTABLE(users, 6);

static struct mapring_user *user_find(kuid_t uid)
{
	struct mapring_user *user;

	hash_for_each_possible(users, user, node, __kuid_val(uid))
		if (uid_eq(user->uid, uid))
			return user;
	return NULL;
}

static bool limits_exempt(void)
{
	/* an exemption, not a refusal: nothing to audit */
	return ns_capable_noaudit(&init_user_ns, CAP_SYS_RESOURCE) ||
	       ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
}

/*
 * -E2BIG: the object alone exceeds the memory cap, it can never fit;
 * -EMFILE: the owner has max_objects_per_user objects already;
 * -ENOMEM: it does not fit next to the owner's other objects (or no memory).
 */
static int limits_check(struct mapring_user *user, u64 bytes)
{
	unsigned long long max_mem = READ_ONCE(max_memory_per_user);
	unsigned int max_obj = READ_ONCE(max_objects_per_user);

	if (max_mem && bytes > max_mem)
		return -E2BIG;
	if (max_obj && atomic_read(&user->objects) >= max_obj)
		return -EMFILE;
	if (max_mem && atomic64_read(&user->memory) + bytes > max_mem)
		return -ENOMEM;
	return 0;
}

/* Process context, before the object is published. */
int mapring_user_charge(struct mapring_obj *obj, u64 bytes)
{
	bool exempt = limits_exempt();
	struct mapring_user *user;
	int err = 0;

	mutex_lock(&users_lock);
	user = user_find(obj->uid);
	if (!user) {
		user = kzalloc(sizeof(*user), GFP_KERNEL);
		if (!user) {
			err = -ENOMEM;
			goto out;
		}
		user->uid = obj->uid;
		hash_add(users, &user->node, __kuid_val(obj->uid));
	}
	/* Charges only grow under the lock: the check cannot go stale. */
	if (!exempt)
		err = limits_check(user, bytes);
	if (!err) {
		atomic_inc(&user->objects);
		atomic64_add(bytes, &user->memory);
		user->refs++;
		obj->user = user;
		obj->user_bytes = bytes;
	} else if (!user->refs) {
		hash_del(&user->node);
		kfree(user);
	}
out:
	mutex_unlock(&users_lock);
	return err;
}

/* The last reference is gone: any context but NMI. */
void mapring_user_uncharge(struct mapring_obj *obj)
{
	if (!obj->user)
		return;
	atomic64_sub(obj->user_bytes, &obj->user->memory);
	atomic_dec(&obj->user->objects);
}

/* From the object's free work: process context. */
void mapring_user_release(struct mapring_obj *obj)
{
	struct mapring_user *user = obj->user;

	if (!user)
		return;
	mutex_lock(&users_lock);
	if (!--user->refs) {
		hash_del(&user->node);
		kfree(user);
	}
	mutex_unlock(&users_lock);
}
