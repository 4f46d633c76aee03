/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Objects: what rings and maps have in common. An object is refcounted,
 * has an id and an optional unique name, is reachable through fds, and is
 * freed in process context one RCU grace period after its last reference
 * is dropped, whatever context dropped it.
 */
#ifndef _MAPRING_OBJECT_H
#define _MAPRING_OBJECT_H

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/memcontrol.h>
#include <linux/refcount.h>
#include <linux/seq_file.h>
#include <linux/workqueue.h>

#include <uapi/linux/mapring.h>

struct mapring_obj;

struct mapring_obj_ops {
	/* file operations of this type's fds; .release must put the object */
	const struct file_operations *fops;
	/* anon inode name of its fds, "mapring-ring" for instance */
	const char *fd_name;
	/* free everything; process context, after an RCU grace period */
	void (*free)(struct mapring_obj *obj);
	/* type-specific fdinfo lines (optional) */
	void (*show_fdinfo)(struct mapring_obj *obj, struct seq_file *m);
	/*
	 * The type-specific fields of MAPRING_IOC_OBJ_INFO (memory, drops,
	 * sizes, positions); id, name and type are filled in already. Any
	 * context but NMI; the caller holds a reference.
	 */
	void (*fill_info)(struct mapring_obj *obj, struct mapring_obj_info *info);
};

struct mapring_obj {
	refcount_t refcnt;
	u32 id;				/* 0 until published */
	u32 type;			/* enum mapring_obj_type */
	char name[MAPRING_NAME_LEN];
	const struct mapring_obj_ops *ops;
	struct mem_cgroup *memcg;	/* charged for memory after creation */
	struct rcu_work free_work;
	kuid_t uid;			/* owner: the creator's euid */
	kgid_t gid;			/* the creator's egid */
	u32 access;			/* MAPRING_ACCESS_* */
	struct mapring_user *user;	/* per-user limits, once published */
	u64 user_bytes;			/* memory counted against user */
};

/* Set up a new object with one reference, charged to current's memcg. */
void mapring_obj_init(struct mapring_obj *obj, u32 type,
		      const struct mapring_obj_ops *ops);
/*
 * Count it against its owner's limits (limits.c), give it an id and its
 * name (may be empty): 0, -EEXIST, -ENOMEM, -EMFILE or -E2BIG.
 */
int mapring_obj_publish(struct mapring_obj *obj, const char *name);

void mapring_obj_get(struct mapring_obj *obj);
void mapring_obj_put(struct mapring_obj *obj);

/* Find and reference an object; type MAPRING_OBJ_UNSPEC matches any. */
struct mapring_obj *mapring_obj_get_by_id(u32 id, u32 type);
struct mapring_obj *mapring_obj_get_by_name(const char *name, u32 type);

/* Copy and check a user-supplied name: 0 or -EINVAL. */
int mapring_obj_name_check(const char name[MAPRING_NAME_LEN]);

/* A new O_CLOEXEC fd owning one reference the caller gives up: fd or -errno. */
int mapring_obj_new_fd(struct mapring_obj *obj);
/* The object behind an fd of the given type (referenced), or ERR_PTR. */
struct mapring_obj *mapring_obj_get_by_fd(int fd, u32 type);

/* Charge allocations made between begin and end to the object's memcg. */
struct mem_cgroup *mapring_obj_charge_begin(struct mapring_obj *obj);
void mapring_obj_charge_end(struct mem_cgroup *old);

/* Common part of every object fd's fdinfo; use as .show_fdinfo. */
void mapring_obj_show_fdinfo(struct seq_file *m, struct file *file);
/* Common .release of object fds. */
int mapring_obj_release(struct inode *inode, struct file *file);

long mapring_ioc_obj_open(void __user *uarg);
long mapring_ioc_obj_get_next_id(void __user *uarg);
long mapring_ioc_obj_info(void __user *uarg);

/* Bytes a kmalloc() or kvmalloc() of size bytes at p really holds (p may be NULL). */
size_t mapring_alloc_bytes(const void *p, size_t size);

/* access.c: who may create objects and open them by id or name */
int mapring_may_create(void);
bool mapring_obj_may_open(struct mapring_obj *obj, bool admin);
int mapring_obj_check_open(struct mapring_obj *obj);

/* limits.c: per-user caps on objects and memory */
int mapring_user_charge(struct mapring_obj *obj, u64 bytes);
void mapring_user_uncharge(struct mapring_obj *obj);
void mapring_user_release(struct mapring_obj *obj);

int mapring_objects_init(void);
void mapring_objects_exit(void);

#endif /* _MAPRING_OBJECT_H */
