// SPDX-License-Identifier: GPL-2.0
// Finding objects, and the commands that describe them: info, list, show,
// stats.
#include <cerrno>
#include <cstdio>
#include <string>

#include "ctl.hpp"
#include "json.hpp"

namespace ctl {

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == s.npos;
}

void print(const std::string& s) { std::fputs(s.c_str(), stdout); }

// The fields every object has, as JSON members.
void common_json(Json& j, const mapring_obj_info& o) {
  j.field("id", o.id).field("type", type_name(o.type)).field("name", o.name);
  j.field("flags", o.obj_flags).field("memory", o.memory);
  j.field("drops", o.drops);
}

bool overwrites(const mapring_obj_info& o) {
  return o.type == MAPRING_OBJ_RINGBUF &&
         (o.obj_flags & MAPRING_RING_F_OVERWRITE);
}

// What a consumer can read: from consumer_pos, or in an overwrite ring from
// the later of consumer_pos and overwrite_pos (as the kernel's avail).
std::uint64_t avail(const mapring_obj_info& o) {
  std::uint64_t start = o.consumer_pos;
  if (overwrites(o) && static_cast<std::int64_t>(o.overwrite_pos - start) > 0)
    start = o.overwrite_pos;
  return o.producer_pos - start;
}

void object_json(Json& j, const mapring_obj_info& o) {
  j.begin_object();
  common_json(j, o);
  if (o.type == MAPRING_OBJ_RING_GROUP) {
    j.field("shards", o.max_entries).field("shard_size", o.data_size);
    j.field("overwritten", o.overwritten);
  } else if (is_map(o.type)) {
    j.field("key_size", o.key_size).field("value_size", o.value_size);
    j.field("max_entries", o.max_entries).field("entries", o.entries);
    j.field("possible_cpus", o.nr_possible_cpus);
  } else {
    j.field("data_size", o.data_size);
    j.field("consumer_pos", o.consumer_pos);
    j.field("producer_pos", o.producer_pos);
    j.field("pending_pos", o.pending_pos);
    j.field("avail", avail(o));
    if (overwrites(o)) {
      j.field("overwrite_pos", o.overwrite_pos);
      j.field("overwritten", o.overwritten);
    }
  }
  j.end_object();
}

// bpftool's layout: "ID: TYPE  name NAME  flags F", details indented.
std::string heading(const mapring_obj_info& o, bool flags) {
  std::string s = std::to_string(o.id) + ": " + std::string(type_name(o.type));
  if (o.name[0]) s += "  name " + std::string(o.name);
  if (flags) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "  flags 0x%x", o.obj_flags);
    s += buf;
  }
  return s + "\n";
}

std::string object_text(const mapring_obj_info& o) {
  char buf[256];
  std::string s = heading(o, true);
  if (o.type == MAPRING_OBJ_RING_GROUP) {
    // a sharded ring: its shards are listed as rings of their own
    std::snprintf(buf, sizeof(buf),
                  "\tshards %u  shard_size %lluB  memory %lluB  drops %llu\n",
                  o.max_entries, static_cast<unsigned long long>(o.data_size),
                  static_cast<unsigned long long>(o.memory),
                  static_cast<unsigned long long>(o.drops));
    return s + buf;
  }
  if (is_map(o.type)) {
    std::snprintf(buf, sizeof(buf),
                  "\tkey %uB  value %uB  max_entries %u  entries %u  "
                  "memory %lluB  drops %llu\n",
                  o.key_size, o.value_size, o.max_entries, o.entries,
                  static_cast<unsigned long long>(o.memory),
                  static_cast<unsigned long long>(o.drops));
    return s + buf;
  }
  std::snprintf(buf, sizeof(buf),
                "\tdata_size %lluB  memory %lluB  drops %llu\n"
                "\tconsumer_pos %llu  producer_pos %llu  pending_pos %llu  "
                "avail %lluB\n",
                static_cast<unsigned long long>(o.data_size),
                static_cast<unsigned long long>(o.memory),
                static_cast<unsigned long long>(o.drops),
                static_cast<unsigned long long>(o.consumer_pos),
                static_cast<unsigned long long>(o.producer_pos),
                static_cast<unsigned long long>(o.pending_pos),
                static_cast<unsigned long long>(avail(o)));
  s += buf;
  if (overwrites(o)) {
    std::snprintf(buf, sizeof(buf), "\toverwrite_pos %llu  overwritten %llu\n",
                  static_cast<unsigned long long>(o.overwrite_pos),
                  static_cast<unsigned long long>(o.overwritten));
    s += buf;
  }
  return s;
}

// What stats adds to an object: a ring's drops by reason and wake-ups.
void stats_one(Json* j, std::string& text, const mapring_obj_info& o) {
  char buf[256];
  if (o.type == MAPRING_OBJ_RING_GROUP) {
    if (j) {
      j->begin_object();
      j->field("id", o.id).field("type", type_name(o.type));
      j->field("name", o.name).field("drops", o.drops);
      j->end_object();
      return;
    }
    std::snprintf(buf, sizeof(buf), "\tdrops %llu (its shards' sum)\n",
                  static_cast<unsigned long long>(o.drops));
    text += heading(o, false) + buf;
    return;
  }
  if (is_map(o.type)) {
    if (j) {
      j->begin_object();
      j->field("id", o.id).field("type", type_name(o.type));
      j->field("name", o.name).field("entries", o.entries);
      j->field("max_entries", o.max_entries).field("drops", o.drops);
      j->end_object();
      return;
    }
    std::snprintf(buf, sizeof(buf), "\tentries %u/%u  drops %llu\n", o.entries,
                  o.max_entries, static_cast<unsigned long long>(o.drops));
    text += heading(o, false) + buf;
    return;
  }
  mapring::RingBuf ring(open_object(o));
  mapring_ring_query q = ring.query();
  if (j) {
    j->begin_object();
    j->field("id", o.id).field("type", type_name(o.type));
    j->field("name", o.name).field("avail", q.avail);
    j->field("drops_full", q.drops_full);
    j->field("drops_too_large", q.drops_too_large);
    j->field("drops_busy", q.drops_busy).field("wakeups", q.wakeups);
    if (overwrites(o)) j->field("overwritten", q.overwritten);
    j->end_object();
    return;
  }
  std::snprintf(buf, sizeof(buf),
                "\tavail %lluB  drops full %llu  too_large %llu  busy %llu  "
                "wakeups %llu\n",
                static_cast<unsigned long long>(q.avail),
                static_cast<unsigned long long>(q.drops_full),
                static_cast<unsigned long long>(q.drops_too_large),
                static_cast<unsigned long long>(q.drops_busy),
                static_cast<unsigned long long>(q.wakeups));
  text += heading(o, false) + buf;
  if (overwrites(o)) {
    text.pop_back();  // the counters of an overwrite ring end the line
    std::snprintf(buf, sizeof(buf), "  overwritten %llu\n",
                  static_cast<unsigned long long>(q.overwritten));
    text += buf;
  }
}

}  // namespace

std::string_view type_name(std::uint32_t type) {
  switch (type) {
    case MAPRING_OBJ_RINGBUF:
      return "ringbuf";
    case MAPRING_OBJ_PERCPU_ARRAY:
      return "percpu_array";
    case MAPRING_OBJ_PERCPU_HASH:
      return "percpu_hash";
    case MAPRING_OBJ_LRU_PERCPU_HASH:
      return "lru_percpu_hash";
    case MAPRING_OBJ_RING_GROUP:
      return "ring_group";
    default:
      return "unknown";
  }
}

bool is_map(std::uint32_t type) {
  return type == MAPRING_OBJ_PERCPU_ARRAY || type == MAPRING_OBJ_PERCPU_HASH ||
         type == MAPRING_OBJ_LRU_PERCPU_HASH;
}

std::string describe(const mapring_obj_info& o) {
  return o.name[0] ? "'" + std::string(o.name) + "'"
                   : "id " + std::to_string(o.id);
}

mapring::Device open_device() {
  try {
    return mapring::Device::open();
  } catch (const std::system_error& e) {
    fail(e, "open " MAPRING_DEV_PATH);
  }
}

void fail(const std::system_error& e, const std::string& doing) {
  int err = e.code().value();
  if (doing.starts_with("open " MAPRING_DEV_PATH) &&
      (err == ENOENT || err == ENODEV || err == ENXIO))
    throw Error(kNotLoaded,
                "mapring.ko is not loaded (no " MAPRING_DEV_PATH ")");
  if (err == EACCES || err == EPERM)
    throw Error(kDenied, doing + ": permission denied" +
                             (doing.starts_with("open " MAPRING_DEV_PATH)
                                  ? " (its mode is mapring.ko's mode= "
                                    "parameter)"
                                  : ""));
  throw Error(kFailed, doing + ": " + e.code().message());
}

mapring_obj_info find_object(const mapring::Device& dev, Args& args) {
  if (args.empty()) throw Error(kUsage, "which object? give an ID or a NAME");
  std::string how = args[0], what;
  if ((how == "id" || how == "name") && args.size() > 1) {
    what = args[1];
    args.erase(args.begin(), args.begin() + 2);
  } else {
    what = how;
    how = all_digits(what) ? "id" : "name";
    args.erase(args.begin());
  }
  try {
    if (how == "id") {
      if (!all_digits(what) || what.size() > 10)
        throw Error(kUsage, "'" + what + "' is not an id");
      return dev.object_info(static_cast<std::uint32_t>(std::stoull(what)));
    }
    return dev.object_info(what);
  } catch (const std::system_error& e) {
    int err = e.code().value();
    if (err == ENOENT && how == "id")
      throw Error(kNoObject, "no object with id " + what);
    if (err == ENOENT) throw Error(kNoObject, "no object named '" + what + "'");
    if (err == EACCES)
      throw Error(kDenied, "'" + what +
                               "' is another user's and not shared with "
                               "you: permission denied");
    if (err == EINVAL)
      throw Error(kNoObject, "'" + what +
                                 "' is not a valid name (1 to 31 of "
                                 "A-Z a-z 0-9 _ .)");
    fail(e, "MAPRING_IOC_OBJ_INFO");
  }
}

std::vector<mapring_obj_info> all_objects(const mapring::Device& dev) {
  std::vector<mapring_obj_info> out;
  try {
    for (auto id = dev.next_id(0); id; id = dev.next_id(*id)) {
      try {
        out.push_back(dev.object_info(*id));
      } catch (const std::system_error& e) {
        // freed between the two calls: it is not there any more
        if (e.code().value() != ENOENT) throw;
      }
    }
  } catch (const std::system_error& e) {
    fail(e, "listing objects");
  }
  return out;
}

mapring::Fd open_object(const mapring_obj_info& o) {
  int fd = mapring_obj__open_by_id(o.id, o.type);
  if (fd == -ENOENT) throw Error(kNoObject, describe(o) + " went away");
  if (fd < 0)
    fail(std::system_error(-fd, std::generic_category()),
         "open " + describe(o));
  return mapring::Fd(fd);
}

void no_more(const Args& args) {
  if (!args.empty()) throw Error(kUsage, "unexpected '" + args[0] + "'");
}

int cmd_info(const Options& opt, Args& args) {
  no_more(args);
  mapring_info info = open_device().info();
  if (opt.json) {
    std::string out;
    Json j(out);
    j.begin_object().field("abi_version", info.abi_version);
    j.field("features", info.features).field("page_size", info.page_size);
    j.field("nr_possible_cpus", info.nr_possible_cpus);
    j.field("nr_cpu_ids", info.nr_cpu_ids).end_object();
    print(out + "\n");
    return kOk;
  }
  std::printf("abi_version       %u\n", info.abi_version);
  std::printf("features          %#llx\n",
              static_cast<unsigned long long>(info.features));
  std::printf("page_size         %u\n", info.page_size);
  std::printf("possible_cpus     %u\n", info.nr_possible_cpus);
  std::printf("nr_cpu_ids        %u\n", info.nr_cpu_ids);
  return kOk;
}

int cmd_list(const Options& opt, Args& args) {
  auto dev = open_device();
  std::string out;
  Json j(out);
  if (!args.empty()) {  // show ID|NAME
    mapring_obj_info o = find_object(dev, args);
    no_more(args);
    if (opt.json) {
      object_json(j, o);
      out += "\n";
    } else {
      out = object_text(o);
    }
    print(out);
    return kOk;
  }
  auto objects = all_objects(dev);
  if (opt.json) j.begin_array();
  for (const auto& o : objects) {
    if (opt.json)
      object_json(j, o);
    else
      out += object_text(o);
  }
  if (opt.json) j.end_array();
  print(opt.json ? out + "\n" : out);
  return kOk;
}

int cmd_stats(const Options& opt, Args& args) {
  auto dev = open_device();
  std::string out, text;
  Json j(out);
  if (!args.empty()) {
    mapring_obj_info o = find_object(dev, args);
    no_more(args);
    stats_one(opt.json ? &j : nullptr, text, o);
    print(opt.json ? out + "\n" : text);
    return kOk;
  }
  auto objects = all_objects(dev);
  std::uint64_t memory = 0, drops = 0, rings = 0;
  for (const auto& o : objects) {
    memory += o.memory;
    drops += o.drops;
    rings += o.type == MAPRING_OBJ_RINGBUF;
  }
  if (opt.json) {
    j.begin_object().field("objects", objects.size()).field("rings", rings);
    j.field("maps", objects.size() - rings).field("memory", memory);
    j.field("drops", drops).key("details").begin_array();
  } else {
    char buf[256];
    std::snprintf(buf, sizeof(buf),
                  "objects  %zu (%llu rings, %llu maps)\nmemory   %lluB\n"
                  "drops    %llu\n",
                  objects.size(), static_cast<unsigned long long>(rings),
                  static_cast<unsigned long long>(objects.size() - rings),
                  static_cast<unsigned long long>(memory),
                  static_cast<unsigned long long>(drops));
    text = buf;
  }
  for (const auto& o : objects) {
    try {
      stats_one(opt.json ? &j : nullptr, text, o);
    } catch (const Error& e) {
      if (e.status != kNoObject) throw;  // it went away meanwhile
    }
  }
  if (opt.json) j.end_array().end_object();
  print(opt.json ? out + "\n" : text);
  return kOk;
}

}  // namespace ctl
