// SPDX-License-Identifier: GPL-2.0
// mapringctl against objects of known content: every command in text and
// in JSON (parsed for real), errors and exit statuses. Prints TAP itself.
#include <cstring>
#include <optional>

#include <mapring/mapring.hpp>

#include "mr_json.hpp"
#include "mr_proc.hpp"

extern "C" {
#include "mr_test.h"
}

namespace {

using mr::Json;
using mr::JsonParser;
using mr::run_program;

struct Pair {
  std::uint64_t a, b;
};

std::span<const std::byte> bytes(const void* p, std::size_t n) {
  return {static_cast<const std::byte*>(p), n};
}

// The objects every case looks at, held open for the whole program.
struct Objects {
  mapring::RingBuf ring = mapring::RingBuf::create("cli.ring", 16384);
  mapring::RingBuf anon = mapring::RingBuf::create("", 4096);
  mapring::PercpuArray<std::uint64_t> counts =
      mapring::PercpuArray<std::uint64_t>::create("cli.counts", 3);
  mapring::PercpuHash<std::uint64_t, Pair> hash =
      mapring::PercpuHash<std::uint64_t, Pair>::create("cli.hash", 8);

  Objects() {
    // every possible CPU, offline ones too, gets its own value
    const auto& cpus = mapring::possible_cpus();
    for (std::uint32_t k = 0; k < 3; k++)
      for (int cpu : cpus) counts.update_cpu(k, cpu, k * 100 + cpu);
    hash.update(7, Pair{1, 2});
  }
};

std::optional<Objects> objs;

int ncpus() { return static_cast<int>(mapring::possible_cpus().size()); }

mapring_obj_info info(const char* name) {
  return mapring::Device::open().object_info(name);
}

void list_in_text_and_json() {
  auto r = run_program({"mapringctl", "list"});
  CHECK_EQ(r.status, 0);
  CHECK_EQ(r.err, "");
  auto ri = info("cli.ring"), ci = info("cli.counts"), hi = info("cli.hash");
  char want[512];
  std::snprintf(want, sizeof(want),
                "%u: ringbuf  name cli.ring  flags 0x0\n"
                "\tdata_size 16384B  memory %lluB  drops 0\n"
                "\tconsumer_pos 0  producer_pos 0  pending_pos 0  avail 0B\n",
                ri.id, static_cast<unsigned long long>(ri.memory));
  CHECK(r.out.find(want) != std::string::npos);
  std::snprintf(want, sizeof(want),
                "%u: percpu_array  name cli.counts  flags 0x0\n"
                "\tkey 4B  value 8B  max_entries 3  entries 3  memory %lluB  "
                "drops 0\n",
                ci.id, static_cast<unsigned long long>(ci.memory));
  CHECK(r.out.find(want) != std::string::npos);
  std::snprintf(want, sizeof(want),
                "%u: percpu_hash  name cli.hash  flags 0x0\n"
                "\tkey 8B  value 16B  max_entries 8  entries 1  memory %lluB  ",
                hi.id, static_cast<unsigned long long>(hi.memory));
  CHECK(r.out.find(want) != std::string::npos);
  // the anonymous ring has no name part
  CHECK(r.out.find(": ringbuf  flags 0x0\n\tdata_size 4096B") !=
        std::string::npos);

  r = run_program({"mapringctl", "list", "--json"});
  CHECK_EQ(r.status, 0);
  Json all = JsonParser::parse(r.out);
  CHECK(all.is(Json::Type::kArray));
  CHECK_EQ(all.size(), 4u);
  std::uint64_t prev = 0;
  for (const Json& o : all.items) {
    CHECK(o["id"].u64() > prev);  // in id order
    prev = o["id"].u64();
    if (o["name"].str() == "cli.counts") {
      CHECK_EQ(o["id"].u64(), ci.id);
      CHECK_EQ(o["type"].str(), "percpu_array");
      CHECK_EQ(o["key_size"].u64(), 4u);
      CHECK_EQ(o["value_size"].u64(), 8u);
      CHECK_EQ(o["max_entries"].u64(), 3u);
      CHECK_EQ(o["entries"].u64(), 3u);
      CHECK_EQ(o["memory"].u64(), ci.memory);
      CHECK_EQ(o["drops"].u64(), 0u);
      CHECK_EQ(o["possible_cpus"].u64(), static_cast<std::uint64_t>(ncpus()));
    }
    if (o["name"].str() == "") {
      CHECK_EQ(o["type"].str(), "ringbuf");
      CHECK_EQ(o["data_size"].u64(), 4096u);
      CHECK(o.has("consumer_pos") && !o.has("key_size"));
    }
  }
}

void show_by_name_and_id() {
  auto ci = info("cli.counts");
  std::string id = std::to_string(ci.id);
  auto a = run_program({"mapringctl", "show", "cli.counts"});
  auto b = run_program({"mapringctl", "show", id});
  auto c = run_program({"mapringctl", "show", "id", id});
  auto d = run_program({"mapringctl", "show", "name", "cli.counts"});
  CHECK_EQ(a.status, 0);
  CHECK(a.out.starts_with(id + ": percpu_array  name cli.counts"));
  CHECK_EQ(mr::lines(a.out).size(), 2u);
  CHECK_EQ(a.out, b.out);
  CHECK_EQ(a.out, c.out);
  CHECK_EQ(a.out, d.out);
  auto j = run_program({"mapringctl", "-j", "show", "cli.ring"});
  CHECK_EQ(j.status, 0);
  Json o = JsonParser::parse(j.out);
  CHECK_EQ(o["name"].str(), "cli.ring");
  CHECK_EQ(o["data_size"].u64(), 16384u);
}

void dump_has_a_column_per_possible_cpu() {
  const auto& cpus = mapring::possible_cpus();
  auto r = run_program({"mapringctl", "dump", "cli.counts"});
  CHECK_EQ(r.status, 0);
  auto rows = mr::lines(r.out);
  CHECK_EQ(rows.size(), 4u);
  // the cells, then columns as wide as their widest cell: the key's left-
  // aligned, the others right-aligned, two spaces apart
  std::vector<std::vector<std::string>> cells{{"key"}};
  for (int cpu : cpus) cells[0].push_back("cpu" + std::to_string(cpu));
  cells[0].push_back("total");
  for (std::uint32_t k = 0; k < 3; k++) {
    cells.push_back({std::to_string(k)});
    std::uint64_t total = 0;
    for (int cpu : cpus) {
      cells.back().push_back(std::to_string(k * 100 + cpu));
      total += k * 100 + cpu;
    }
    cells.back().push_back(std::to_string(total));
  }
  std::vector<std::size_t> width(cells[0].size());
  for (const auto& row : cells)
    for (std::size_t c = 0; c < row.size(); c++)
      width[c] = std::max(width[c], row[c].size());
  for (std::size_t r = 0; r < cells.size() && r < rows.size(); r++) {
    std::string want = cells[r][0];
    want += std::string(width[0] - cells[r][0].size(), ' ');
    for (std::size_t c = 1; c < cells[r].size(); c++)
      want +=
          "  " + std::string(width[c] - cells[r][c].size(), ' ') + cells[r][c];
    CHECK_EQ(rows[r], want);
  }

  r = run_program({"mapringctl", "--json", "dump", "cli.counts"});
  CHECK_EQ(r.status, 0);
  Json all = JsonParser::parse(r.out);
  CHECK_EQ(all.size(), 3u);
  for (std::size_t k = 0; k < all.size(); k++) {
    const Json& e = all[k];
    CHECK_EQ(e["key"].u64(), k);
    CHECK_EQ(e["values"].size(), cpus.size());
    std::uint64_t total = 0;
    for (std::size_t c = 0; c < e["values"].size(); c++) {
      CHECK_EQ(e["values"][c]["cpu"].i64(), cpus[c]);
      CHECK_EQ(e["values"][c]["value"].u64(), k * 100 + cpus[c]);
      total += k * 100 + cpus[c];
    }
    CHECK_EQ(e["total"].u64(), total);
  }

  // --sum: the kernel's sums alone
  r = run_program({"mapringctl", "dump", "--sum", "cli.counts"});
  CHECK_EQ(r.status, 0);
  rows = mr::lines(r.out);
  CHECK_EQ(rows.size(), 4u);
  if (rows.size() == 4) CHECK_EQ(rows[0], "key  total");

  // a value of two u64 words: a row per word, an array per value in JSON
  r = run_program({"mapringctl", "dump", "cli.hash"});
  CHECK_EQ(r.status, 0);
  rows = mr::lines(r.out);
  CHECK_EQ(rows.size(), 3u);
  if (rows.size() == 3) {
    CHECK(rows[1].starts_with("7[0]  "));
    CHECK(rows[1].ends_with(" " + std::to_string(ncpus())));
    CHECK(rows[2].starts_with("7[1]  "));
    CHECK(rows[2].ends_with(" " + std::to_string(2 * ncpus())));
  }
  r = run_program({"mapringctl", "dump", "-j", "cli.hash"});
  Json h = JsonParser::parse(r.out);
  CHECK_EQ(h.size(), 1u);
  CHECK_EQ(h[0]["key"].u64(), 7u);
  CHECK_EQ(h[0]["values"][0]["value"][1].u64(), 2u);
  CHECK_EQ(h[0]["total"][0].u64(), static_cast<std::uint64_t>(ncpus()));
  CHECK_EQ(h[0]["total"][1].u64(), static_cast<std::uint64_t>(2 * ncpus()));

  // a ring is not dumped
  r = run_program({"mapringctl", "dump", "cli.ring"});
  CHECK_EQ(r.status, 3);
  CHECK_EQ(r.err,
           "mapringctl: 'cli.ring' is a ringbuf: dump reads maps (tail reads "
           "rings)\n");
}

void put(const std::string& s) {
  CHECK(objs->ring.output(bytes(s.data(), s.size())));
}

void tail_hex_format_and_json() {
  put("hello, ring!");
  put(std::string("q\"b\\n\n\xff\x01", 9));
  auto r = run_program({"mapringctl", "tail", "--once", "cli.ring"});
  CHECK_EQ(r.status, 0);
  CHECK_EQ(r.out,
           "record 0, 12 bytes\n"
           "0000  68 65 6c 6c 6f 2c 20 72  69 6e 67 21              "
           "|hello, ring!|\n"
           "record 1, 9 bytes\n"
           "0000  71 22 62 5c 6e 0a ff 01  00                       "
           "|q\"b\\n....|\n");
  // what tail printed is consumed
  r = run_program({"mapringctl", "tail", "--once", "cli.ring"});
  CHECK_EQ(r.out, "");

  std::uint32_t rec[4] = {42, 0xfffffffe, 0x41424344, 0};
  CHECK(objs->ring.output(bytes(rec, sizeof(rec))));
  put(std::string("q\"b\\n\n\xff\x01", 9));
  r = run_program({"mapringctl", "tail", "--once", "cli.ring", "--format",
                   "{seq}:{size} {u32@0} {i32@4} {x16@8} {str@8:4} "
                   "{hex@0:2} {u64@12} {{}}\\t|"});
  CHECK_EQ(r.status, 0);
  CHECK_EQ(r.out,
           "0:16 42 -2 0x4344 DCBA 2a00 ? {}\t|\n"
           "1:9 1549935217 33491566 ?  7122 ? {}\t|\n");

  put(std::string("q\"b\\n\n\xff\x01", 9));
  put("x");
  r = run_program({"mapringctl", "--json", "tail", "--once", "cli.ring",
                   "--format", "{str@0}"});
  auto js = mr::lines(r.out);
  CHECK_EQ(js.size(), 2u);
  if (js.size() == 2) {
    Json a = JsonParser::parse(js[0]);
    CHECK_EQ(a["seq"].u64(), 0u);
    CHECK_EQ(a["size"].u64(), 9u);
    CHECK_EQ(a["text"].str(), "q\"b\\x5cn\\x0a\\xff\\x01");
    Json b = JsonParser::parse(js[1]);
    CHECK_EQ(b["text"].str(), "x");
  }
  put(std::string("q\"b\\n\n\xff\x01", 9));
  r = run_program({"mapringctl", "--json", "tail", "--once", "cli.ring"});
  CHECK_EQ(JsonParser::parse(r.out)["data"].str(), "7122625c6e0aff0100");

  // --count stops after that many records and leaves the rest
  for (int i = 0; i < 3; i++) put("r" + std::to_string(i));
  r = run_program(
      {"mapringctl", "tail", "-n", "2", "--format", "{str@0}", "cli.ring"});
  CHECK_EQ(r.status, 0);
  CHECK_EQ(r.out, "r0\nr1\n");
  r = run_program(
      {"mapringctl", "tail", "--once", "--format", "{str@0}", "cli.ring"});
  CHECK_EQ(r.out, "r2\n");

  // a bad format is a usage error before anything is consumed
  put("kept");
  for (const char* f : {"{nope}", "{u12@0}", "{u32@x}", "{str@0:0}", "{", "}",
                        "\\q", "{u32@0:4}"}) {
    r = run_program({"mapringctl", "tail", "--format", f, "cli.ring"});
    CHECK_EQ(r.status, 2);
    CHECK(r.err.starts_with("mapringctl: format, at character "));
  }
  r = run_program(
      {"mapringctl", "tail", "--once", "--format", "{str@0}", "cli.ring"});
  CHECK_EQ(r.out, "kept\n");
}

void tail_follows_until_a_signal() {
  for (int sig : {SIGINT, SIGTERM}) {
    mr::Proc p({"mapringctl", "tail", "--format", "{str@0}", "cli.ring"});
    put("first");
    CHECK(p.wait_out("first\n"));
    put("second");  // arrives while it waits
    CHECK(p.wait_out("second\n"));
    p.signal(sig);
    CHECK_EQ(p.wait(), 0);
    CHECK_EQ(p.out(), "first\nsecond\n");
    CHECK_EQ(p.err(), "");
  }
}

void stats_totals_and_drops() {
  mapring::RingBuf small = mapring::RingBuf::create("cli.small", 4096);
  std::string rec(1000, 'x');
  int stored = 0, dropped = 0;
  for (int i = 0; i < 6; i++)
    (small.output(bytes(rec.data(), rec.size())) ? stored : dropped)++;
  CHECK_EQ(stored, 4);  // 4 x 1008 bytes fit in 4095
  auto r = run_program({"mapringctl", "stats", "cli.small"});
  CHECK_EQ(r.status, 0);
  auto id = info("cli.small").id;
  CHECK_EQ(r.out, std::to_string(id) +
                      ": ringbuf  name cli.small\n"
                      "\tavail 4032B  drops full 2  too_large 0  busy 0  "
                      "wakeups 1\n");
  r = run_program({"mapringctl", "--json", "stats"});
  CHECK_EQ(r.status, 0);
  Json s = JsonParser::parse(r.out);
  CHECK_EQ(s["objects"].u64(), 5u);
  CHECK_EQ(s["rings"].u64(), 3u);
  CHECK_EQ(s["maps"].u64(), 2u);
  CHECK_EQ(s["drops"].u64(), 2u);
  std::uint64_t memory = 0;
  for (const char* n : {"cli.ring", "cli.counts", "cli.hash", "cli.small"})
    memory += info(n).memory;
  CHECK(s["memory"].u64() > memory);  // and the anonymous ring
  CHECK_EQ(s["details"].size(), 5u);
  for (const Json& d : s["details"].items)
    if (d["name"].str() == "cli.small") {
      CHECK_EQ(d["drops_full"].u64(), 2u);
      CHECK_EQ(d["avail"].u64(), 4032u);
    }
  r = run_program({"mapringctl", "stats"});
  CHECK(r.out.starts_with("objects  5 (3 rings, 2 maps)\n"));
}

// An overwrite ring: avail from overwrite_pos, the position and the count.
void overwrite_ring() {
  mapring::RingOptions opts;
  opts.overwrite = true;
  mapring::RingBuf ow = mapring::RingBuf::create("cli.ow", 4096, opts);
  std::string rec(1000, 'x');
  for (int i = 0; i < 6; i++) CHECK(ow.output(bytes(rec.data(), rec.size())));
  auto oi = info("cli.ow");
  auto r = run_program({"mapringctl", "show", "cli.ow"});
  CHECK_EQ(r.status, 0);
  char want[512];
  std::snprintf(want, sizeof(want),
                "%u: ringbuf  name cli.ow  flags 0x2\n"
                "\tdata_size 4096B  memory %lluB  drops 0\n"
                "\tconsumer_pos 0  producer_pos 6048  pending_pos 5040  "
                "avail 4032B\n"
                "\toverwrite_pos 2016  overwritten 2\n",
                oi.id, static_cast<unsigned long long>(oi.memory));
  CHECK_EQ(r.out, std::string(want));
  r = run_program({"mapringctl", "--json", "show", "cli.ow"});
  CHECK_EQ(r.status, 0);
  Json o = JsonParser::parse(r.out);
  CHECK_EQ(o["avail"].u64(), 4032u);
  CHECK_EQ(o["overwrite_pos"].u64(), 2016u);
  CHECK_EQ(o["overwritten"].u64(), 2u);
  r = run_program({"mapringctl", "stats", "cli.ow"});
  CHECK_EQ(r.status, 0);
  CHECK_EQ(r.out, std::to_string(oi.id) +
                      ": ringbuf  name cli.ow\n"
                      "\tavail 4032B  drops full 0  too_large 0  busy 0  "
                      "wakeups 1  overwritten 2\n");
}

void errors_and_exit_statuses() {
  auto r = run_program({"mapringctl", "show", "nosuch"});
  CHECK_EQ(r.status, 3);
  CHECK_EQ(r.out, "");
  CHECK_EQ(r.err, "mapringctl: no object named 'nosuch'\n");
  r = run_program({"mapringctl", "--json", "show", "nosuch"});
  CHECK_EQ(r.status, 3);
  CHECK_EQ(JsonParser::parse(r.out)["error"].str(), "no object named 'nosuch'");
  r = run_program({"mapringctl", "dump", "id", "999999"});
  CHECK_EQ(r.status, 3);
  CHECK_EQ(r.err, "mapringctl: no object with id 999999\n");
  r = run_program({"mapringctl", "show", "no way!"});
  CHECK_EQ(r.status, 3);
  CHECK(r.err.find("is not a valid name") != std::string::npos);
  r = run_program({"mapringctl", "tail", "cli.counts"});
  CHECK_EQ(r.status, 3);

  for (auto args : std::vector<std::vector<std::string>>{
           {"frobnicate"},
           {"--bogus", "list"},
           {},
           {"list", "extra"},
           {"dump"},
           {"dump", "--sum", "cli.hash", "more"},
           {"list", "--sum"},
           {"tail", "-n", "x", "cli.ring"}}) {
    args.insert(args.begin(), "mapringctl");
    r = run_program(args);
    CHECK_EQ(r.status, 2);
    CHECK(r.err.ends_with("try: mapringctl --help\n"));
  }
  r = run_program({"mapringctl", "--help"});
  CHECK_EQ(r.status, 0);
  for (const char* line : {"  3  no such object", "  4  permission denied",
                           "  5  mapring.ko is not loaded"})
    CHECK(r.out.find(line) != std::string::npos);

  // /dev/mapring is 0600: nobody may not open it
  r = run_program({"mapringctl", "list"}, 65534);
  CHECK_EQ(r.status, 4);
  CHECK_EQ(r.err,
           "mapringctl: open /dev/mapring: permission denied (its mode is "
           "mapring.ko's mode= parameter)\n");
  r = run_program({"mapringctl", "-j", "dump", "cli.counts"}, 65534);
  CHECK_EQ(r.status, 4);
  CHECK(JsonParser::parse(r.out).has("error"));
}

void module_not_loaded() {
  objs.reset();  // nothing may hold mapring.ko
  CHECK_EQ(mr_rmmod("mapring"), 0);
  auto r = run_program({"mapringctl", "list"});
  CHECK_EQ(r.status, 5);
  CHECK_EQ(r.err, "mapringctl: mapring.ko is not loaded (no /dev/mapring)\n");
  r = run_program({"mapringctl", "--json", "info"});
  CHECK_EQ(r.status, 5);
  CHECK_EQ(JsonParser::parse(r.out)["error"].str(),
           "mapring.ko is not loaded (no /dev/mapring)");
  CHECK_EQ(mr_baseline(), 0);
  r = run_program({"mapringctl", "list"});
  CHECK_EQ(r.status, 0);
  CHECK_EQ(r.out, "");
}

}  // namespace

int main() {
  if (mr_baseline()) {
    std::printf("1..0 # SKIP mapring.ko not loaded\n");
    return 4;
  }
  std::printf("TAP version 13\n1..9\n");
  try {
    objs.emplace();
  } catch (const std::exception& e) {
    std::printf("Bail out! cannot create the objects: %s\n", e.what());
    return 1;
  }
  mr::run(1, "list_in_text_and_json", list_in_text_and_json);
  mr::run(2, "show_by_name_and_id", show_by_name_and_id);
  mr::run(3, "dump_has_a_column_per_possible_cpu",
          dump_has_a_column_per_possible_cpu);
  mr::run(4, "tail_hex_format_and_json", tail_hex_format_and_json);
  mr::run(5, "tail_follows_until_a_signal", tail_follows_until_a_signal);
  mr::run(6, "stats_totals_and_drops", stats_totals_and_drops);
  mr::run(7, "errors_and_exit_statuses", errors_and_exit_statuses);
  mr::run(8, "overwrite_ring", overwrite_ring);
  mr::run(9, "module_not_loaded", module_not_loaded);
  std::printf("# %d failed\n", mr::tap_failures);
  return mr::tap_failures ? 1 : 0;
}
