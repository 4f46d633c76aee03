// SPDX-License-Identifier: GPL-2.0
/*
 * Differential test: the same seeded random sequence of operations applied
 * to a real BPF per-CPU map (through libbpf) and to a mapring map with the
 * same parameters, in the same guest. Every return code, every count,
 * every cursor and every byte of every key and value buffer must match,
 * including the bytes a command must leave alone.
 *
 * Operations: lookup, update (ANY, NOEXIST, EXIST and invalid flags),
 * delete, get_next_key (NULL, present and absent keys), lookup_and_delete,
 * lookup_batch and lookup_and_delete_batch (random counts, cursors, flags),
 * update_batch, delete_batch; every 250 operations a full walk compares
 * both maps' contents and iteration order. Hashes use BPF_F_ZERO_SEED on
 * both sides, so bucket layout and order are comparable exactly.
 *
 * MAPRING_F_CPU / MAPRING_F_ALL_CPUS are left out: the guest kernels' BPF
 * predates them (Linux 7.0) and refuses them; map_percpu checks them
 * against their documented semantics instead.
 *
 * MR_DIFF_SEED=N in the environment replays a run; the seed is always
 * printed, and with every mismatch.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <sched.h>
#include <time.h>

#include "mr_map.h"

#include "mr_harness.h"
#include "mr_test.h"

#define OPS_PER_MAP	10000
#define WALK_EVERY	250
#define MAX_BATCH_KEYS	8

/* What the run exercised: results per operation, printed at the end. */
enum diff_op {
	OP_LOOKUP, OP_UPDATE, OP_DELETE, OP_NEXT, OP_LAD, OP_LBATCH,
	OP_LADBATCH, OP_UBATCH, OP_DBATCH, NR_OPS
};

static const char * const op_names[NR_OPS] = {
	"lookup", "update", "delete", "next_key", "lookup_and_delete",
	"lookup_batch", "lookup_and_delete_batch", "update_batch",
	"delete_batch",
};

#define NR_ERRNO 600

struct diff {
	int bfd, mfd;			/* BPF's map, ours */
	unsigned int seen[NR_OPS][NR_ERRNO];	/* [op][-rc] */
	__u32 type, ks, vs, max;
	size_t vb;			/* one key's per-CPU value bytes */
	__u32 nkeys;			/* key space: some never fit */
	__u64 rng, seed;
	unsigned long op;
	unsigned long mismatches;
	const char *what;
	/* scratch: two of everything, one per side */
	unsigned char *key, *key2, *val[2], *keys[2], *vals[2];
	__u32 cursor[2];
	int have_cursor;
};

static __u64 rnd(struct diff *d)
{
	/* splitmix64 */
	__u64 z = (d->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u32 below(struct diff *d, __u32 n)
{
	return n ? rnd(d) % n : 0;
}

static void fill_random(struct diff *d, void *buf, size_t len)
{
	unsigned char *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = rnd(d);
}

/* Key number i as key bytes: an array index, or bytes derived from i. */
static void make_key(struct diff *d, __u32 i, unsigned char *key)
{
	if (d->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		memcpy(key, &i, 4);
		return;
	}
	for (__u32 b = 0; b < d->ks; b++)
		key[b] = (unsigned char)((i * 2654435761u) >> (8 * (b % 4))) + b;
	memcpy(key, &i, d->ks < 4 ? d->ks : 4);
}

static void random_key(struct diff *d, unsigned char *key)
{
	make_key(d, below(d, d->nkeys), key);
}

#define SAME(cond, fmt, ...)						\
	do {								\
		bool __same = (cond);					\
		if (!__same) {						\
			d->mismatches++;				\
			TH_LOG("%s: seed %llu op %lu: " fmt, d->what,	\
			       (unsigned long long)d->seed, d->op,	\
			       ##__VA_ARGS__);				\
		}							\
		ASSERT_TRUE(__same);					\
	} while (0)

static void tally(struct diff *d, int op, int rc)
{
	if (rc <= 0 && -rc < NR_ERRNO)
		d->seen[op][-rc]++;
}

/* "lookup 0:812 ENOENT:1400 ..." for each operation, on stderr. */
static void print_tally(struct diff *d)
{
	for (int op = 0; op < NR_OPS; op++) {
		char line[512];
		int len = snprintf(line, sizeof(line), "#   %s", op_names[op]);

		for (int e = 0; e < NR_ERRNO && len < (int)sizeof(line) - 32; e++)
			if (d->seen[op][e])
				len += snprintf(line + len, sizeof(line) - len,
						" %d:%u", -e, d->seen[op][e]);
		fprintf(stderr, "%s\n", line);
	}
}

static void prefill(struct diff *d, size_t klen, size_t vlen)
{
	memset(d->keys[0], 0x5a, klen);
	memset(d->keys[1], 0x5a, klen);
	memset(d->vals[0], 0xa5, vlen);
	memset(d->vals[1], 0xa5, vlen);
}

static __u64 update_flags(struct diff *d)
{
	static const __u64 f[] = {
		BPF_ANY, BPF_ANY, BPF_ANY, BPF_ANY, BPF_NOEXIST, BPF_NOEXIST,
		BPF_EXIST, BPF_EXIST, BPF_F_LOCK, 3, 1ULL << 32,
		(1ULL << 40) | BPF_NOEXIST, 0x20, ~0ULL,
	};

	return f[below(d, ARRAY_SIZE(f))];
}

/* Now and then a NULL pointer instead of a buffer: errors come in order. */
static void *maybe_null(struct diff *d, void *p)
{
	return below(d, 40) ? p : NULL;
}

static void op_lookup(struct __test_metadata *_metadata, struct diff *d)
{
	static const __u64 f[] = { 0, 0, 0, 0, 0, BPF_F_LOCK, 1, 2, 1ULL << 32 };
	__u64 flags = f[below(d, ARRAY_SIZE(f))];
	void *key = maybe_null(d, d->key), *val = maybe_null(d, d->vals[0]);
	int rb, rm;

	random_key(d, d->key);
	prefill(d, 0, d->vb);
	rb = bpf_map_lookup_elem_flags(d->bfd, key, val, flags);
	rm = mapring_map_lookup_elem_flags(d->mfd, key, val ? d->vals[1] : NULL,
					   flags);
	tally(d, OP_LOOKUP, rb);
	SAME(rb == rm, "lookup flags %#llx: bpf %d, mapring %d",
	     (unsigned long long)flags, rb, rm);
	SAME(!memcmp(d->vals[0], d->vals[1], d->vb), "lookup value bytes");
}

static void op_update(struct __test_metadata *_metadata, struct diff *d)
{
	__u64 flags = update_flags(d);
	void *key = maybe_null(d, d->key), *val = maybe_null(d, d->val[0]);
	int rb, rm;

	random_key(d, d->key);
	fill_random(d, d->val[0], d->vb);
	rb = bpf_map_update_elem(d->bfd, key, val, flags);
	rm = mapring_map_update_elem(d->mfd, key, val, flags);
	tally(d, OP_UPDATE, rb);
	SAME(rb == rm, "update flags %#llx: bpf %d, mapring %d",
	     (unsigned long long)flags, rb, rm);
}

static void op_delete(struct __test_metadata *_metadata, struct diff *d)
{
	static const __u64 f[] = { 0, 0, 0, 0, 0, 0, 0, BPF_F_LOCK, 1 };
	__u64 flags = f[below(d, ARRAY_SIZE(f))];
	void *key = maybe_null(d, d->key);
	int rb, rm;

	random_key(d, d->key);
	rb = bpf_map_delete_elem_flags(d->bfd, key, flags);
	rm = mapring_map_delete_elem_flags(d->mfd, key, flags);
	tally(d, OP_DELETE, rb);
	SAME(rb == rm, "delete: bpf %d, mapring %d", rb, rm);
}

static void op_next_key(struct __test_metadata *_metadata, struct diff *d)
{
	bool null = below(d, 6) == 0;
	int rb, rm;

	random_key(d, d->key);
	prefill(d, d->ks, 0);
	void *next = maybe_null(d, d->keys[0]);

	rb = bpf_map_get_next_key(d->bfd, null ? NULL : d->key, next);
	rm = mapring_map_get_next_key(d->mfd, null ? NULL : d->key,
				      next ? d->keys[1] : NULL);
	tally(d, OP_NEXT, rb);
	SAME(rb == rm, "get_next_key%s: bpf %d, mapring %d",
	     null ? "(NULL)" : "", rb, rm);
	SAME(!memcmp(d->keys[0], d->keys[1], d->ks), "next key bytes");
}

static void op_lookup_and_delete(struct __test_metadata *_metadata,
				 struct diff *d)
{
	static const __u64 f[] = { 0, 0, 0, 0, BPF_F_LOCK, 1 };
	__u64 flags = f[below(d, ARRAY_SIZE(f))];
	void *key = maybe_null(d, d->key), *val = maybe_null(d, d->vals[0]);
	int rb, rm;

	random_key(d, d->key);
	prefill(d, 0, d->vb);
	rb = bpf_map_lookup_and_delete_elem_flags(d->bfd, key, val, flags);
	rm = mapring_map_lookup_and_delete_elem_flags(d->mfd, key,
						      val ? d->vals[1] : NULL,
						      flags);
	tally(d, OP_LAD, rb);
	SAME(rb == rm, "lookup_and_delete flags %#llx: bpf %d, mapring %d",
	     (unsigned long long)flags, rb, rm);
	SAME(!memcmp(d->vals[0], d->vals[1], d->vb), "lookup_and_delete value");
}

static void op_lookup_batch(struct __test_metadata *_metadata, struct diff *d,
			    bool del)
{
	static const __u64 ef[] = { 0, 0, 0, 0, 0, 0, BPF_F_LOCK, 1 };
	__u64 elem_flags = ef[below(d, ARRAY_SIZE(ef))];
	__u64 flags = below(d, 10) ? 0 : 1;
	__u32 slots = d->max + 3, count[2], in[2], out[2];
	/* a large map gets partial batches, or one would empty it each time */
	__u32 most = slots > 64 ? 64 : slots;
	__u32 n = below(d, 5) ? below(d, most + 1) : below(d, 3);
	void *inp[2] = { NULL, NULL }, *keys[2], *vals[2];
	int rb, rm, how = below(d, 4);

	LIBBPF_OPTS(bpf_map_batch_opts, bo, .elem_flags = elem_flags,
		    .flags = flags);
	struct mapring_map_batch_opts mo = {
		.sz = sizeof(mo), .elem_flags = elem_flags, .flags = flags,
	};

	/* cursor: the start, where the last batch ended, or anywhere */
	if (how == 1 && d->have_cursor) {
		in[0] = d->cursor[0];
		in[1] = d->cursor[1];
		inp[0] = &in[0];
		inp[1] = &in[1];
	} else if (how >= 2) {
		in[0] = below(d, 2 * d->max + 2);
		in[1] = in[0];
		inp[0] = &in[0];
		inp[1] = &in[1];
	}
	count[0] = n;
	count[1] = n;
	out[0] = 0xdeadbeef;
	out[1] = 0xdeadbeef;
	prefill(d, (size_t)slots * d->ks, (size_t)slots * d->vb);
	keys[0] = maybe_null(d, d->keys[0]);
	keys[1] = keys[0] ? d->keys[1] : NULL;
	vals[0] = maybe_null(d, d->vals[0]);
	vals[1] = vals[0] ? d->vals[1] : NULL;
	if (del) {
		rb = bpf_map_lookup_and_delete_batch(d->bfd, inp[0], &out[0],
						     keys[0], vals[0],
						     &count[0], &bo);
		rm = mapring_map_lookup_and_delete_batch(d->mfd, inp[1], &out[1],
							 keys[1], vals[1],
							 &count[1], &mo);
	} else {
		rb = bpf_map_lookup_batch(d->bfd, inp[0], &out[0], keys[0],
					  vals[0], &count[0], &bo);
		rm = mapring_map_lookup_batch(d->mfd, inp[1], &out[1], keys[1],
					      vals[1], &count[1], &mo);
	}
	tally(d, del ? OP_LADBATCH : OP_LBATCH, rb);
	SAME(rb == rm, "%s batch n %u in %s%u ef %#llx f %#llx: bpf %d, mapring %d",
	     del ? "lookup_and_delete" : "lookup", n, inp[0] ? "" : "NULL/",
	     inp[0] ? in[0] : 0, (unsigned long long)elem_flags,
	     (unsigned long long)flags, rb, rm);
	SAME(count[0] == count[1], "batch count: bpf %u, mapring %u",
	     count[0], count[1]);
	SAME(out[0] == out[1], "batch out_batch: bpf %#x, mapring %#x",
	     out[0], out[1]);
	SAME(!memcmp(d->keys[0], d->keys[1], (size_t)slots * d->ks),
	     "batch key bytes");
	SAME(!memcmp(d->vals[0], d->vals[1], (size_t)slots * d->vb),
	     "batch value bytes");
	d->have_cursor = out[0] != 0xdeadbeef;
	d->cursor[0] = out[0];
	d->cursor[1] = out[1];
}

static void op_write_batch(struct __test_metadata *_metadata, struct diff *d,
			   bool update)
{
	static const __u64 ef[] = { 0, 0, 0, 0, 0, BPF_NOEXIST, BPF_F_LOCK };
	__u64 elem_flags = ef[below(d, ARRAY_SIZE(ef))];
	__u32 n = below(d, MAX_BATCH_KEYS + 1), count[2] = { n, n };
	void *keys, *vals;
	int rb, rm;

	LIBBPF_OPTS(bpf_map_batch_opts, bo, .elem_flags = elem_flags);
	struct mapring_map_batch_opts mo = {
		.sz = sizeof(mo), .elem_flags = elem_flags,
	};

	for (__u32 i = 0; i < n; i++)
		random_key(d, d->keys[0] + (size_t)i * d->ks);
	fill_random(d, d->vals[0], (size_t)n * d->vb);
	keys = maybe_null(d, d->keys[0]);
	vals = maybe_null(d, d->vals[0]);
	if (update) {
		rb = bpf_map_update_batch(d->bfd, keys, vals, &count[0], &bo);
		rm = mapring_map_update_batch(d->mfd, keys, vals, &count[1], &mo);
	} else {
		rb = bpf_map_delete_batch(d->bfd, keys, &count[0], &bo);
		rm = mapring_map_delete_batch(d->mfd, keys, &count[1], &mo);
	}
	tally(d, update ? OP_UBATCH : OP_DBATCH, rb);
	SAME(rb == rm, "%s batch n %u ef %#llx: bpf %d, mapring %d",
	     update ? "update" : "delete", n, (unsigned long long)elem_flags,
	     rb, rm);
	SAME(count[0] == count[1], "%s batch count: bpf %u, mapring %u",
	     update ? "update" : "delete", count[0], count[1]);
}

/* Both maps hold the same keys, in the same order, with the same values. */
static void compare_maps(struct __test_metadata *_metadata, struct diff *d)
{
	unsigned char *prev[2] = { NULL, NULL };
	int rb, rm, n = 0;

	for (;;) {
		rb = bpf_map_get_next_key(d->bfd, prev[0], d->keys[0]);
		rm = mapring_map_get_next_key(d->mfd, prev[1], d->keys[1]);
		SAME(rb == rm, "full walk step %d: bpf %d, mapring %d", n, rb, rm);
		if (rb)
			break;
		SAME(!memcmp(d->keys[0], d->keys[1], d->ks), "full walk key %d", n);
		memset(d->val[0], 1, d->vb);
		memset(d->val[1], 2, d->vb);
		rb = bpf_map_lookup_elem(d->bfd, d->keys[0], d->val[0]);
		rm = mapring_map_lookup_elem(d->mfd, d->keys[1], d->val[1]);
		SAME(rb == 0 && rm == 0, "full walk lookup %d: %d %d", n, rb, rm);
		SAME(!memcmp(d->val[0], d->val[1], d->vb), "full walk value %d", n);
		memcpy(d->key, d->keys[0], d->ks);
		memcpy(d->key2, d->keys[1], d->ks);
		prev[0] = d->key;
		prev[1] = d->key2;
		n++;
		SAME(n <= (int)d->max, "full walk longer than max_entries");
	}
}

FIXTURE(diff) {
	struct diff d;
};

FIXTURE_VARIANT(diff) {
	__u32 type;	/* BPF's map type */
	__u32 ks, vs, max, flags;
	__u32 nkeys;	/* key space; 0: a default that overflows the map */
	const char *what;
};

FIXTURE_VARIANT_ADD(diff, array_v8) {
	.type = BPF_MAP_TYPE_PERCPU_ARRAY, .ks = 4, .vs = 8, .max = 16,
	.what = "percpu_array k4 v8 n16",
};

FIXTURE_VARIANT_ADD(diff, array_v13) {
	.type = BPF_MAP_TYPE_PERCPU_ARRAY, .ks = 4, .vs = 13, .max = 7,
	.what = "percpu_array k4 v13 n7",
};

FIXTURE_VARIANT_ADD(diff, hash_prealloc) {
	.type = BPF_MAP_TYPE_PERCPU_HASH, .ks = 4, .vs = 8, .max = 16,
	.flags = BPF_F_ZERO_SEED,
	.what = "percpu_hash k4 v8 n16 prealloc",
};

FIXTURE_VARIANT_ADD(diff, hash_odd) {
	.type = BPF_MAP_TYPE_PERCPU_HASH, .ks = 6, .vs = 3, .max = 10,
	.flags = BPF_F_ZERO_SEED,
	.what = "percpu_hash k6 v3 n10 prealloc",
};

FIXTURE_VARIANT_ADD(diff, hash_no_prealloc) {
	.type = BPF_MAP_TYPE_PERCPU_HASH, .ks = 8, .vs = 16, .max = 40,
	.flags = BPF_F_ZERO_SEED | BPF_F_NO_PREALLOC,
	.what = "percpu_hash k8 v16 n40 no_prealloc",
};

/*
 * LRU: only while nothing is evicted. BPF evicts before a map is full (a
 * CPU refilling its local free list with fewer than 128 free nodes shrinks
 * the LRU list), mapring only when it is full, so the map is large, the
 * key space a small part of it, and the test stays on one CPU, where BPF's
 * free nodes are.
 */
FIXTURE_VARIANT_ADD(diff, lru_hash) {
	.type = BPF_MAP_TYPE_LRU_PERCPU_HASH, .ks = 4, .vs = 8, .max = 4096,
	.nkeys = 200, .flags = BPF_F_ZERO_SEED,
	.what = "lru_percpu_hash k4 v8 n4096 200 keys (no eviction)",
};

FIXTURE_SETUP(diff)
{
	struct diff *d = &self->d;
	const char *env = getenv("MR_DIFF_SEED");
	size_t slots;
	__u32 mtype = variant->type == BPF_MAP_TYPE_PERCPU_ARRAY ?
		      MAPRING_OBJ_PERCPU_ARRAY :
		      variant->type == BPF_MAP_TYPE_PERCPU_HASH ?
		      MAPRING_OBJ_PERCPU_HASH : MAPRING_OBJ_LRU_PERCPU_HASH;

	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = variant->flags);

	ASSERT_EQ(0, mr_baseline());
	memset(d, 0, sizeof(*d));
	d->type = variant->type;
	d->ks = variant->ks;
	d->vs = variant->vs;
	d->max = variant->max;
	d->what = variant->what;
	d->vb = mr_vbytes(d->vs);
	d->nkeys = d->type == BPF_MAP_TYPE_PERCPU_ARRAY ? d->max + 3 :
		   d->max * 3 / 2;
	if (variant->nkeys)
		d->nkeys = variant->nkeys;
	if (d->type == BPF_MAP_TYPE_LRU_PERCPU_HASH)
		ASSERT_EQ(0, mr_pin_cpu(0));
	d->seed = env ? strtoull(env, NULL, 0) :
		  (__u64)time(NULL) * 1000003u ^ (__u64)getpid();
	d->rng = d->seed;

	d->bfd = bpf_map_create(d->type, NULL, d->ks, d->vs, d->max, &o);
	ASSERT_LE(0, d->bfd) TH_LOG("bpf_map_create: %d", d->bfd);
	d->mfd = mr_create(mtype, NULL, d->ks, d->vs, d->max, variant->flags);
	ASSERT_LE(0, d->mfd);

	slots = d->max + 3 > MAX_BATCH_KEYS ? d->max + 3 : MAX_BATCH_KEYS;
	d->key = malloc(d->ks);
	d->key2 = malloc(d->ks);
	for (int i = 0; i < 2; i++) {
		d->val[i] = malloc(d->vb);
		d->keys[i] = malloc(slots * d->ks);
		d->vals[i] = malloc(slots * d->vb);
		ASSERT_NE(NULL, d->vals[i]);
	}
}

FIXTURE_TEARDOWN(diff)
{
	struct diff *d = &self->d;

	close(d->bfd);
	close(d->mfd);
	free(d->key);
	free(d->key2);
	for (int i = 0; i < 2; i++) {
		free(d->val[i]);
		free(d->keys[i]);
		free(d->vals[i]);
	}
}

TEST_F_TIMEOUT(diff, random_ops, 240)
{
	struct diff *d = &self->d;

	for (d->op = 0; d->op < OPS_PER_MAP; d->op++) {
		__u32 pick = below(d, 100);

		if (pick < 22)
			op_lookup(_metadata, d);
		else if (pick < 50)
			op_update(_metadata, d);
		else if (pick < 60)
			op_delete(_metadata, d);
		else if (pick < 70)
			op_next_key(_metadata, d);
		else if (pick < 76)
			op_lookup_and_delete(_metadata, d);
		else if (pick < 84)
			op_lookup_batch(_metadata, d, false);
		else if (pick < 88)
			op_lookup_batch(_metadata, d, true);
		else if (pick < 95)
			op_write_batch(_metadata, d, true);
		else
			op_write_batch(_metadata, d, false);
		if (d->op % WALK_EVERY == WALK_EVERY - 1)
			compare_maps(_metadata, d);
	}
	compare_maps(_metadata, d);
	/* stderr: the forked test's stdout buffer is lost at _exit() */
	fprintf(stderr, "# map_diff %s: seed %llu, %lu ops, %lu mismatches\n",
		d->what, (unsigned long long)d->seed, d->op, d->mismatches);
	print_tally(d);
}

TEST_HARNESS_MAIN
