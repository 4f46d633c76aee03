// SPDX-License-Identifier: GPL-2.0
/*
 * Introspection: MAPRING_IOC_OBJ_GET_NEXT_ID lists every live object,
 * MAPRING_IOC_OBJ_INFO describes one without opening it, and the fdinfo of
 * rings and maps carries the same numbers. Memory numbers are checked
 * against their parts and against what the memory cgroup was charged.
 */

#include "mr_map.h"
#include "mr_ring.h"

#include "mr_harness.h"
#include "mr_test.h"

#define CHILD "mr_info"
#define COUNTER_CTL "/sys/kernel/debug/mr_test_counter/ctl"
#define COUNTER_LAST "/sys/kernel/debug/mr_test_counter/last"

static int dev_open(void)
{
	return open("/dev/mapring", O_RDWR | O_CLOEXEC);
}

/* errno of an ioctl on /dev/mapring, or 0 */
static int dev_ioc(unsigned long cmd, void *arg)
{
	int fd = dev_open(), err;

	if (fd < 0)
		return errno;
	err = ioctl(fd, cmd, arg) ? errno : 0;
	close(fd);
	return err;
}

/* OBJ_GET_NEXT_ID: 0 and *next, or the errno */
static int next_id(__u32 start, __u32 type, __u32 *next)
{
	struct mapring_obj_get_next_id a = {
		.size = sizeof(a), .start_id = start, .type = type,
	};
	int err = dev_ioc(MAPRING_IOC_OBJ_GET_NEXT_ID, &a);

	if (!err)
		*next = a.next_id;
	return err;
}

static int info_id(__u32 id, struct mapring_obj_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->id = id;
	return dev_ioc(MAPRING_IOC_OBJ_INFO, info);
}

/* The value of an fdinfo line "key:\tvalue", or -1. */
static long long fdinfo_value(int fd, const char *key)
{
	char path[64], text[2048], *p;
	size_t len = strlen(key);

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (mr_read_file(path, text, sizeof(text)))
		return -1;
	for (p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, len) && p[len] == ':' && p[len + 1] == '\t')
			return atoll(p + len + 2);
	return -1;
}

static __u32 ring_id(int fd)
{
	struct mapring_ring_query q;

	return mr_ring_query(fd, &q) ? 0 : q.id;
}

static __u32 map_id(int fd)
{
	struct mapring_map_info i;

	return mapring_map__info(fd, &i) ? 0 : i.id;
}

TEST(next_id_lists_every_object_in_order)
{
	int ring, arr, hash, n = 0, seen = 0;
	__u32 ids[3], id, prev = 0;

	ASSERT_EQ(0, mr_baseline());
	ASSERT_EQ(ENOENT, next_id(0, MAPRING_OBJ_UNSPEC, &id)) {
		TH_LOG("objects left over from an earlier test");
	}
	ring = mr_ring_create("info.ring", 4096, 0, 0, 0);
	arr = mr_create(MAPRING_OBJ_PERCPU_ARRAY, NULL, 4, 8, 3, 0);
	hash = mr_create(MAPRING_OBJ_PERCPU_HASH, "info.hash", 4, 8, 3, 0);
	ASSERT_LE(0, ring);
	ASSERT_LE(0, arr);
	ASSERT_LE(0, hash);
	ids[0] = ring_id(ring);
	ids[1] = map_id(arr);
	ids[2] = map_id(hash);

	for (id = 0; !next_id(id, MAPRING_OBJ_UNSPEC, &id); n++) {
		EXPECT_LT(prev, id);
		prev = id;
		seen += id == ids[0] || id == ids[1] || id == ids[2];
	}
	EXPECT_EQ(3, n);
	EXPECT_EQ(3, seen);

	/* a type filter */
	ASSERT_EQ(0, next_id(0, MAPRING_OBJ_PERCPU_HASH, &id));
	EXPECT_EQ(ids[2], id);
	EXPECT_EQ(ENOENT, next_id(id, MAPRING_OBJ_PERCPU_HASH, &id));
	ASSERT_EQ(0, next_id(0, MAPRING_OBJ_RINGBUF, &id));
	EXPECT_EQ(ids[0], id);
	EXPECT_EQ(ENOENT, next_id(0, MAPRING_OBJ_LRU_PERCPU_HASH, &id));
	EXPECT_EQ(EINVAL, next_id(0, 99, &id));
	/* past the last, and at the top of the id space */
	EXPECT_EQ(ENOENT, next_id(ids[2], MAPRING_OBJ_UNSPEC, &id));
	EXPECT_EQ(ENOENT, next_id(0x7fffffff, MAPRING_OBJ_UNSPEC, &id));
	EXPECT_EQ(ENOENT, next_id(0xffffffff, MAPRING_OBJ_UNSPEC, &id));
	/* the library's wrapper */
	ASSERT_EQ(0, mapring_obj__get_next_id(ids[0], MAPRING_OBJ_UNSPEC, &id));
	EXPECT_EQ(ids[1], id);
	EXPECT_EQ(-ENOENT, mapring_obj__get_next_id(ids[2], 0, &id));

	close(arr);
	ASSERT_EQ(0, next_id(ids[0], MAPRING_OBJ_UNSPEC, &id));
	EXPECT_EQ(ids[2], id); /* a closed object is gone from the list */
	close(ring);
	close(hash);
	EXPECT_EQ(ENOENT, next_id(0, MAPRING_OBJ_UNSPEC, &id));
}

TEST(info_of_a_ring)
{
	struct mapring_obj_info info, by_name;
	struct mapring_ring_query q;
	const long page = sysconf(_SC_PAGESIZE);
	const __u64 data = 16 * page, ptrs = (2 + 2 * 16) * 8;
	char buf[100] = "0123456789";
	int fd, i;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_ring_create("info.r", data, MAPRING_RING_F_BATCH_WAKEUP, 0, 1000);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, info_id(ring_id(fd), &info));
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ(MAPRING_OBJ_RINGBUF, info.type);
	EXPECT_STREQ("info.r", info.name);
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(MAPRING_RING_F_BATCH_WAKEUP, info.obj_flags);
	EXPECT_EQ(data, info.data_size);
	/* the pages, the page array, the object: nothing guessed */
	EXPECT_LT((2 + 16) * page + ptrs, info.memory);
	EXPECT_GE((2 + 16) * page + 2 * ptrs + 2048, info.memory);
	EXPECT_EQ(0, info.key_size + info.value_size + info.max_entries +
		     info.entries + info.nr_possible_cpus);

	/* positions and drops follow the ring */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, mapring_ringbuf__output(fd, buf, 10, 0));
	EXPECT_EQ(-E2BIG, mapring_ringbuf__output(fd, buf, data, 0));
	ASSERT_EQ(0, info_id(info.id, &info));
	ASSERT_EQ(0, mr_ring_query(fd, &q));
	EXPECT_EQ(3 * 24, info.producer_pos);
	/* it moves at the next reservation: no further than the query's */
	EXPECT_EQ(q.pending_pos, info.pending_pos);
	EXPECT_EQ(0, info.consumer_pos);
	EXPECT_EQ(1, info.drops);

	/* by name: the same answer */
	memset(&by_name, 0, sizeof(by_name));
	by_name.size = sizeof(by_name);
	strcpy(by_name.name, "info.r");
	ASSERT_EQ(0, dev_ioc(MAPRING_IOC_OBJ_INFO, &by_name));
	EXPECT_EQ(0, memcmp(&info, &by_name, sizeof(info)));
	ASSERT_EQ(0, mapring_obj__info_by_name("info.r", &by_name));
	EXPECT_EQ(0, memcmp(&info, &by_name, sizeof(info)));

	/* the fd's fdinfo says the same */
	EXPECT_EQ(info.memory, fdinfo_value(fd, "mapring_memory"));
	EXPECT_EQ(1, fdinfo_value(fd, "mapring_drops"));
	EXPECT_EQ(3 * 24, fdinfo_value(fd, "ring_producer_pos"));
	close(fd);
}

TEST(info_of_maps)
{
	const int n = mr_ncpus();
	struct mapring_obj_info info;
	__u64 v[64] = {}, base;
	__u32 key;
	int arr, hash, nop;

	ASSERT_EQ(0, mr_baseline());
	ASSERT_GE(64, n * 2);
	arr = mr_create(MAPRING_OBJ_PERCPU_ARRAY, "info.a", 4, 12, 100,
			MAPRING_F_RDONLY_PROG);
	ASSERT_LE(0, arr);
	ASSERT_EQ(0, mapring_obj__info_by_id(map_id(arr), &info));
	EXPECT_EQ(MAPRING_OBJ_PERCPU_ARRAY, info.type);
	EXPECT_STREQ("info.a", info.name);
	EXPECT_EQ(MAPRING_F_RDONLY_PROG, info.obj_flags);
	EXPECT_EQ(4, info.key_size);
	EXPECT_EQ(12, info.value_size);
	EXPECT_EQ(100, info.max_entries);
	EXPECT_EQ(100, info.entries);
	EXPECT_EQ(n, info.nr_possible_cpus);
	EXPECT_EQ(0, info.drops);
	EXPECT_EQ(0, info.data_size + info.producer_pos);
	/* 100 per-CPU areas of round_up(12, 8) bytes, their table, the map */
	EXPECT_LT(100ULL * 16 * n + 800, info.memory);
	EXPECT_GE(100ULL * 16 * n + 1024 + 1024, info.memory);
	EXPECT_EQ(info.memory, fdinfo_value(arr, "mapring_memory"));
	EXPECT_EQ(100, fdinfo_value(arr, "entries"));
	EXPECT_EQ(0, fdinfo_value(arr, "mapring_drops"));

	/* a hash counts its elements; preallocated, its memory is fixed */
	hash = mr_create(MAPRING_OBJ_PERCPU_HASH, NULL, 4, 8, 8, 0);
	ASSERT_LE(0, hash);
	ASSERT_EQ(0, info_id(map_id(hash), &info));
	EXPECT_EQ(0, info.entries);
	base = info.memory;
	EXPECT_LT(8ULL * 8 * n, base);
	for (key = 0; key < 5; key++)
		ASSERT_EQ(0, mapring_map_update_elem(hash, &key, v, 0));
	key = 1;
	ASSERT_EQ(0, mapring_map_delete_elem(hash, &key));
	ASSERT_EQ(-ENOENT, mapring_map_delete_elem(hash, &key));
	/* a failed insert returns what it took from the freelist */
	key = 2;
	ASSERT_EQ(-EEXIST, mapring_map_update_elem(hash, &key, v, MAPRING_NOEXIST));
	ASSERT_EQ(0, info_id(info.id, &info));
	EXPECT_EQ(4, info.entries);
	EXPECT_EQ(base, info.memory);
	EXPECT_EQ(4, fdinfo_value(hash, "entries"));

	/* allocated on insert: each element adds its node and per-CPU area */
	nop = mr_create(MAPRING_OBJ_PERCPU_HASH, NULL, 4, 16, 8,
			MAPRING_F_NO_PREALLOC);
	ASSERT_LE(0, nop);
	ASSERT_EQ(0, info_id(map_id(nop), &info));
	base = info.memory;
	for (key = 0; key < 8; key++)
		ASSERT_EQ(0, mapring_map_update_elem(nop, &key, v, 0));
	EXPECT_EQ(-E2BIG, mapring_map_update_elem(nop, &key, v, 0));
	ASSERT_EQ(0, info_id(info.id, &info));
	EXPECT_EQ(8, info.entries);
	EXPECT_EQ(0, (info.memory - base) % 8);
	EXPECT_LT(8ULL * 16 * n, info.memory - base);
	EXPECT_GE(8ULL * (16 * n + 256), info.memory - base);
	for (key = 0; key < 8; key++)
		ASSERT_EQ(0, mapring_map_delete_elem(nop, &key));
	ASSERT_EQ(0, info_id(info.id, &info));
	EXPECT_EQ(0, info.entries);
	EXPECT_EQ(base, info.memory);
	close(nop);
	close(hash);
	close(arr);
}

TEST(info_errors_and_sizes)
{
	struct {
		struct mapring_obj_info info;
		char tail[64];
	} big;
	struct mapring_obj_info info;
	int fd;

	ASSERT_EQ(0, mr_baseline());
	fd = mr_create(MAPRING_OBJ_PERCPU_ARRAY, "info.e", 4, 8, 1, 0);
	ASSERT_LE(0, fd);

	EXPECT_EQ(ENOENT, info_id(999999, &info));
	EXPECT_EQ(-ENOENT, mapring_obj__info_by_name("info.none", &info));
	EXPECT_EQ(-EINVAL, mapring_obj__info_by_name("bad name", &info));
	EXPECT_EQ(-EINVAL, mapring_obj__info_by_name("", &info));
	/* the required type, and flags */
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	strcpy(info.name, "info.e");
	info.type = MAPRING_OBJ_RINGBUF;
	EXPECT_EQ(EINVAL, dev_ioc(MAPRING_IOC_OBJ_INFO, &info));
	info.type = MAPRING_OBJ_PERCPU_ARRAY;
	info.flags = 1;
	EXPECT_EQ(EINVAL, dev_ioc(MAPRING_IOC_OBJ_INFO, &info));
	info.flags = 0;
	info.type = 77;
	EXPECT_EQ(EINVAL, dev_ioc(MAPRING_IOC_OBJ_INFO, &info));
	info.type = 0;
	ASSERT_EQ(0, dev_ioc(MAPRING_IOC_OBJ_INFO, &info));
	EXPECT_EQ(MAPRING_OBJ_PERCPU_ARRAY, info.type);

	/* bpf_attr's size rules */
	info.size = MAPRING_OBJ_INFO_SIZE_VER0 - 1;
	EXPECT_EQ(EINVAL, dev_ioc(MAPRING_IOC_OBJ_INFO, &info));
	memset(&big, 0, sizeof(big));
	big.info.size = sizeof(big);
	strcpy(big.info.name, "info.e");
	ASSERT_EQ(0, dev_ioc(MAPRING_IOC_OBJ_INFO, &big));
	EXPECT_EQ(sizeof(info), big.info.size);
	big.info.size = sizeof(big);
	big.tail[3] = 1;
	EXPECT_EQ(E2BIG, dev_ioc(MAPRING_IOC_OBJ_INFO, &big));
	big.info.size = 8192;
	EXPECT_EQ(E2BIG, dev_ioc(MAPRING_IOC_OBJ_INFO, &big));
	EXPECT_EQ(EFAULT, dev_ioc(MAPRING_IOC_OBJ_INFO, (void *)8));
	EXPECT_EQ(EFAULT, dev_ioc(MAPRING_IOC_OBJ_GET_NEXT_ID, (void *)8));
	close(fd);
}

/* What the kernel API could not apply for lack of room is a map's drop. */
TEST(map_drops_count_lost_kernel_updates)
{
	struct mapring_obj_info info;
	char last[160];
	__u64 v[64] = {};
	__u32 key = 1;
	int hash, arr, n, errors = -1;

	ASSERT_EQ(0, mr_baseline());
	if (!mr_module_loaded("mr_test_counter"))
		ASSERT_EQ(0, mr_insmod("mr_test_counter", ""));
	hash = mr_create(MAPRING_OBJ_PERCPU_HASH, "info.full", 4, 8, 1, 0);
	arr = mr_create(MAPRING_OBJ_PERCPU_ARRAY, "info.arr", 4, 8, 1, 0);
	ASSERT_LE(0, hash);
	ASSERT_LE(0, arr);
	ASSERT_EQ(0, mapring_map_update_elem(hash, &key, v, 0));

	/* key 1 exists: counted; key 2 finds the hash full: 7 drops */
	EXPECT_EQ(0, mr_write_file(COUNTER_CTL,
				   "run map=info.full key=1 count=3 ctx=task"));
	EXPECT_EQ(0, mr_write_file(COUNTER_CTL,
				   "run map=info.full key=2 count=7 ctx=task"));
	ASSERT_EQ(0, mr_read_file(COUNTER_LAST, last, sizeof(last)));
	n = sscanf(last, "done=%*u errors=%d", &errors);
	ASSERT_EQ(1, n);
	EXPECT_EQ(7, errors);
	ASSERT_EQ(0, info_id(map_id(hash), &info));
	EXPECT_EQ(7, info.drops);
	EXPECT_EQ(7, fdinfo_value(hash, "mapring_drops"));

	/* an array index out of range is the caller's bug, not a drop */
	EXPECT_EQ(0, mr_write_file(COUNTER_CTL,
				   "run map=info.arr key=5 count=4 ctx=task"));
	ASSERT_EQ(0, info_id(map_id(arr), &info));
	EXPECT_EQ(0, info.drops);
	close(arr);
	close(hash);
	EXPECT_EQ(0, mr_rmmod("mr_test_counter"));
}

/*
 * The memory cgroup of the creator is charged what info reports. The
 * cgroup counts in batches of 64 pages per CPU, hence the 256 KiB margin;
 * the per-CPU allocator also charges its bookkeeping of every accounted
 * area (an object pointer per 4 bytes), which info leaves out as BPF does.
 * Objects are freed after an RCU grace period: both are measured before
 * either is closed.
 */
TEST(memory_is_what_the_cgroup_was_charged)
{
	const long long slack = 256 * 1024;
	struct mapring_obj_info info;
	long long before, after;
	int ring, arr, err;

	ASSERT_EQ(0, mr_baseline());
	err = mr_cgroup_create(CHILD);
	if (err)
		SKIP(return, "no cgroup v2 memory controller: %s", strerror(-err));
	ASSERT_EQ(0, mr_cgroup_join(CHILD));

	before = mr_cgroup_memory(CHILD);
	ring = mr_ring_create(NULL, 4 << 20, 0, 0, 0);
	ASSERT_LE(0, ring);
	after = mr_cgroup_memory(CHILD);
	ASSERT_EQ(0, info_id(ring_id(ring), &info));
	TH_LOG("ring: memory.current +%lld, info.memory %llu", after - before,
	       info.memory);
	EXPECT_LE(info.memory - slack, after - before);
	EXPECT_GE(info.memory + slack, after - before);

	before = mr_cgroup_memory(CHILD);
	arr = mr_create(MAPRING_OBJ_PERCPU_ARRAY, NULL, 4, 1024, 1000, 0);
	ASSERT_LE(0, arr);
	after = mr_cgroup_memory(CHILD);
	ASSERT_EQ(0, info_id(map_id(arr), &info));
	TH_LOG("array: memory.current +%lld, info.memory %llu", after - before,
	       info.memory);
	EXPECT_LE(info.memory - slack, after - before);
	EXPECT_GE(info.memory * 3 / 2 + slack, after - before);
	close(arr);
	close(ring);
	mr_cgroup_remove(CHILD);
}

TEST_HARNESS_MAIN
