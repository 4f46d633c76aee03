// SPDX-License-Identifier: GPL-2.0
/*
 * Single-CPU access (MAPRING_F_CPU, MAPRING_F_ALL_CPUS) against the
 * semantics BPF documents for BPF_F_CPU / BPF_F_ALL_CPUS (Linux 7.0; the
 * guest kernels' BPF predates them, so there is no BPF to diff against),
 * the packed possible-CPU layout, and that no 8-byte field is ever read
 * torn while a writer flips it.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "mr_map.h"

#include "mr_harness.h"
#include "mr_test.h"

FIXTURE(pc) {
	int fd, n;
	__u32 vs;
	unsigned char *all, *one;
};

FIXTURE_VARIANT(pc) {
	__u32 type, flags, vs;
};

FIXTURE_VARIANT_ADD(pc, array) {
	.type = MAPRING_OBJ_PERCPU_ARRAY, .vs = 16,
};

FIXTURE_VARIANT_ADD(pc, array_odd) {
	.type = MAPRING_OBJ_PERCPU_ARRAY, .vs = 5,
};

FIXTURE_VARIANT_ADD(pc, hash) {
	.type = MAPRING_OBJ_PERCPU_HASH, .vs = 16,
};

FIXTURE_VARIANT_ADD(pc, lru_hash) {
	.type = MAPRING_OBJ_LRU_PERCPU_HASH, .vs = 16,
};

FIXTURE_VARIANT_ADD(pc, hash_no_prealloc) {
	.type = MAPRING_OBJ_PERCPU_HASH, .vs = 12,
	.flags = MAPRING_F_NO_PREALLOC,
};

/* One call on the fixture's map with key "key" and buffer self->one. */
#define LOOKUP(f) mapring_map_lookup_elem_flags(self->fd, &key, self->one, (f))
#define UPDATE(f) mapring_map_update_elem(self->fd, &key, self->one, (f))

FIXTURE_SETUP(pc)
{
	ASSERT_EQ(0, mr_baseline());
	self->n = mr_ncpus();
	self->vs = variant->vs;
	self->fd = mr_create(variant->type, NULL, 4, variant->vs, 4,
			     variant->flags);
	ASSERT_LE(0, self->fd);
	self->all = calloc(1, mr_vbytes(variant->vs));
	self->one = calloc(1, mr_stride(variant->vs));
}

FIXTURE_TEARDOWN(pc)
{
	close(self->fd);
	free(self->all);
	free(self->one);
}

/* For each CPU: clear all with ALL_CPUS, write one, read back every CPU. */
TEST_F(pc, write_one_cpu_read_all)
{
	size_t stride = mr_stride(self->vs);
	__u32 key = 1;
	int c, o;

	for (c = 0; c < self->n; c++) {
		int cpu = mr_cpu_id(c);

		memset(self->one, 0, stride);
		ASSERT_EQ(0, mapring_map_update_elem(self->fd, &key, self->one,
						     MAPRING_F_ALL_CPUS));
		memset(self->one, 0x40 + c, self->vs);
		ASSERT_EQ(0, mapring_map_update_elem(self->fd, &key, self->one,
						     MR_CPU(cpu)));
		ASSERT_EQ(0, mapring_map_lookup_elem(self->fd, &key, self->all));
		for (o = 0; o < self->n; o++) {
			unsigned char *slot = self->all + o * stride;

			for (__u32 b = 0; b < self->vs; b++)
				ASSERT_EQ(o == c ? 0x40 + c : 0, slot[b]);
		}
		/* and a one-CPU read of each CPU */
		for (o = 0; o < self->n; o++) {
			memset(self->one, 0xee, stride);
			ASSERT_EQ(0, LOOKUP(MR_CPU(mr_cpu_id(o))));
			for (__u32 b = 0; b < self->vs; b++)
				ASSERT_EQ(o == c ? 0x40 + c : 0, self->one[b]);
			/* value_size bytes, not the rounded size */
			if (self->vs < stride)
				ASSERT_EQ(0xee, self->one[self->vs]);
		}
	}
}

TEST_F(pc, all_cpus_writes_every_cpu)
{
	size_t stride = mr_stride(self->vs);
	__u32 key = 2;
	__u64 flags;

	memset(self->one, 0x77, self->vs);
	/* a new hash element too: NOEXIST with ALL_CPUS */
	flags = MAPRING_F_ALL_CPUS;
	if (variant->type == MAPRING_OBJ_PERCPU_HASH)
		flags |= MAPRING_NOEXIST;
	ASSERT_EQ(0, UPDATE(flags));
	ASSERT_EQ(0, mapring_map_lookup_elem(self->fd, &key, self->all));
	for (int c = 0; c < self->n; c++)
		for (__u32 b = 0; b < self->vs; b++)
			ASSERT_EQ(0x77, self->all[c * stride + b]);
}

TEST_F(pc, bad_cpus_and_flag_mixes)
{
	__u32 key = 0, count = 1, out;
	struct mapring_map_batch_opts o = { .sz = sizeof(o) };

	ASSERT_EQ(0, mapring_map_update_elem(self->fd, &key, self->all, 0));
	/* CPUs that are not possible: ERANGE */
	EXPECT_EQ(-ERANGE, UPDATE(MR_CPU(self->n)));
	EXPECT_EQ(-ERANGE, LOOKUP(MR_CPU(self->n)));
	EXPECT_EQ(-ERANGE, LOOKUP(MR_CPU(0xffffffffu)));
	EXPECT_EQ(-ERANGE, LOOKUP(MR_CPU(1u << 31)));
	/* both flags; ALL_CPUS to read; CPU bits without F_CPU; F_LOCK */
	EXPECT_EQ(-EINVAL, UPDATE(MR_CPU(0) | MAPRING_F_ALL_CPUS));
	EXPECT_EQ(-EINVAL, LOOKUP(MAPRING_F_ALL_CPUS));
	EXPECT_EQ(-EINVAL, LOOKUP(1ULL << MAPRING_F_CPU_SHIFT));
	EXPECT_EQ(-EINVAL, UPDATE(MR_CPU(0) | MAPRING_F_LOCK));
	/* not on lookup_and_delete */
	EXPECT_EQ(-EINVAL, mapring_map_lookup_and_delete_elem_flags(self->fd,
								    &key,
								    self->all,
								    MR_CPU(0)));
	/* batches: checked before count is touched */
	o.elem_flags = MR_CPU(self->n);
	count = 1;
	EXPECT_EQ(-ERANGE, mapring_map_update_batch(self->fd, &key, self->one,
						    &count, &o));
	EXPECT_EQ(-ERANGE, mapring_map_lookup_batch(self->fd, NULL, &out, &key,
						    self->one, &count, &o));
	EXPECT_EQ(1, count);
	o.elem_flags = MAPRING_F_ALL_CPUS;
	EXPECT_EQ(-EINVAL, mapring_map_lookup_batch(self->fd, NULL, &out, &key,
						    self->one, &count, &o));
	EXPECT_EQ(1, count);
}

/* Batches with one CPU's values: value_size apart, not the rounded size. */
TEST_F(pc, batches_with_cpu_flags)
{
	__u32 keys[4] = { 0, 1, 2, 3 }, outk[4], count = 4, out;
	unsigned char vals[4 * 16], got[4 * 16];
	struct mapring_map_batch_opts o = { .sz = sizeof(o) };
	int last = mr_cpu_id(self->n - 1), ret;

	for (size_t i = 0; i < sizeof(vals); i++)
		vals[i] = i + 1;
	o.elem_flags = MAPRING_F_ALL_CPUS;
	ASSERT_EQ(0, mapring_map_update_batch(self->fd, keys, vals, &count, &o));
	ASSERT_EQ(4, count);
	o.elem_flags = MR_CPU(last);
	memset(got, 0, sizeof(got));
	count = 4;
	ret = mapring_map_lookup_batch(self->fd, NULL, &out, outk, got, &count,
				       &o);
	ASSERT_TRUE(ret == 0 || ret == -ENOENT);
	ASSERT_EQ(4, count);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(0, memcmp(got + i * self->vs,
				    vals + outk[i] * self->vs, self->vs));
}

/*
 * A new hash element written for one CPU has every other CPU zeroed (as a
 * BPF program's update); an existing element keeps the other CPUs' values.
 */
TEST_F(pc, one_cpu_write_and_the_others)
{
	size_t stride = mr_stride(self->vs);
	__u32 key = 3;
	int c = self->n - 1;

	if (variant->type == MAPRING_OBJ_PERCPU_ARRAY) {
		memset(self->one, 0x22, self->vs);
		ASSERT_EQ(0, mapring_map_update_elem(self->fd, &key, self->one,
						     MAPRING_F_ALL_CPUS));
		memset(self->one, 0x11, self->vs);
		ASSERT_EQ(0, mapring_map_update_elem(self->fd, &key, self->one,
						     MR_CPU(mr_cpu_id(c))));
		ASSERT_EQ(0, mapring_map_lookup_elem(self->fd, &key,
						     self->all));
		for (int o = 0; o < self->n; o++)
			for (__u32 b = 0; b < self->vs; b++)
				ASSERT_EQ(o == c ? 0x11 : 0x22,
					  self->all[o * stride + b]);
		return;
	}
	memset(self->one, 0x11, self->vs);
	ASSERT_EQ(0, mapring_map_update_elem(self->fd, &key, self->one,
					     MR_CPU(mr_cpu_id(c))));
	ASSERT_EQ(0, mapring_map_lookup_elem(self->fd, &key, self->all));
	for (int o = 0; o < self->n; o++)
		for (__u32 b = 0; b < stride; b++)
			ASSERT_EQ(o == c && b < self->vs ? 0x11 : 0,
				  self->all[o * stride + b]);
	/* EXIST with a CPU flag on a missing key is still ENOENT */
	key = 9;
	EXPECT_EQ(-ENOENT, UPDATE(MR_CPU(0) | MAPRING_EXIST));
}

/* ---- torn reads ---------------------------------------------------------- */

#define WORDS 8
#define PAT_A 0x0123456789abcdefULL
#define PAT_B 0xfedcba9876543210ULL

struct flip {
	int fd;
	atomic_int stop;
	atomic_ulong writes;
	__u64 flags;
};

static void *writer(void *arg)
{
	struct flip *f = arg;
	size_t words = f->flags ? WORDS : WORDS * mr_ncpus();
	__u64 *a = malloc(words * 8), *b = malloc(words * 8);
	__u32 key = 0;

	for (size_t i = 0; i < words; i++) {
		a[i] = PAT_A;
		b[i] = PAT_B;
	}
	while (!atomic_load(&f->stop)) {
		unsigned long w = atomic_load(&f->writes);

		if (mapring_map_update_elem(f->fd, &key, w & 1 ? b : a,
					    f->flags))
			break;
		atomic_store(&f->writes, w + 1);
	}
	free(a);
	free(b);
	return NULL;
}

static void torn_reads(struct __test_metadata *_metadata, __u32 type,
		       __u64 wflags)
{
	struct flip f = { .flags = wflags };
	size_t words = WORDS * mr_ncpus();
	__u64 *v = malloc(words * 8);
	unsigned long reads, a = 0, b = 0;
	__u32 key = 0;
	pthread_t t;

	f.fd = mr_create(type, NULL, 4, WORDS * 8, 1, 0);
	ASSERT_LE(0, f.fd);
	for (size_t i = 0; i < words; i++)
		v[i] = PAT_A;
	ASSERT_EQ(0, mapring_map_update_elem(f.fd, &key, v, MAPRING_ANY));
	ASSERT_EQ(0, pthread_create(&t, NULL, writer, &f));
	for (reads = 0; reads < 20000 || atomic_load(&f.writes) < 100; reads++) {
		ASSERT_EQ(0, mapring_map_lookup_elem(f.fd, &key, v));
		for (size_t i = 0; i < words; i++) {
			if (v[i] == PAT_A)
				a++;
			else if (v[i] == PAT_B)
				b++;
			else
				ASSERT_TRUE(0) TH_LOG("word %zu: %#llx", i,
						      (unsigned long long)v[i]);
		}
		if (reads > 2000000)
			break;
	}
	atomic_store(&f.stop, 1);
	pthread_join(t, NULL);
	TH_LOG("%lu reads, %lu writes, words A %lu, B %lu", reads,
	       atomic_load(&f.writes), a, b);
	EXPECT_LT(0, a);
	EXPECT_LT(0, b);
	close(f.fd);
	free(v);
}

/*
 * Count-bounded, so the time is the kernel's: about 10 s under TCG on
 * Debian's kernels, several times that on the KASAN kernel.
 */
FIXTURE(torn) {};
FIXTURE_SETUP(torn)
{
	ASSERT_EQ(0, mr_baseline());
}

FIXTURE_TEARDOWN(torn)
{
}

TEST_F_TIMEOUT(torn, no_torn_reads_array, 300)
{
	torn_reads(_metadata, MAPRING_OBJ_PERCPU_ARRAY, 0);
	torn_reads(_metadata, MAPRING_OBJ_PERCPU_ARRAY, MAPRING_F_ALL_CPUS);
}

TEST_F_TIMEOUT(torn, no_torn_reads_hash, 300)
{
	torn_reads(_metadata, MAPRING_OBJ_PERCPU_HASH, 0);
}

TEST_HARNESS_MAIN
