// SPDX-License-Identifier: GPL-2.0
// mapringctl: inspect mapring objects, as bpftool does BPF's.
#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>
#include <system_error>

#include "ctl.hpp"
#include "json.hpp"

namespace {

using namespace ctl;

void usage(FILE* out) {
  std::fputs(
      "usage: mapringctl [OPTIONS] COMMAND [ARGS]\n"
      "\n"
      "commands:\n"
      "  list                    every ring and map: id, type, name, sizes,\n"
      "                          entries, memory, drops (ring positions)\n"
      "  show OBJECT             one of them\n"
      "  dump OBJECT [--sum]     a map's values: a column per possible CPU\n"
      "                          (offline ones too) and a total; --sum: the\n"
      "                          totals alone, summed in the kernel\n"
      "  tail OBJECT [--format FMT] [--count N] [--once]\n"
      "                          a ring's records as they arrive, until\n"
      "                          SIGINT/SIGTERM; tail is the ring's consumer\n"
      "                          meanwhile (what it prints is consumed).\n"
      "                          Default: a hex dump. FMT: text with fields\n"
      "                          {u32@OFF} {i64@OFF} {x16@OFF} "
      "{str@OFF[:LEN]}\n"
      "                          {hex@OFF:LEN} {size} {seq}; --once: stop\n"
      "                          when the ring is empty\n"
      "  stats [OBJECT]          totals, and drops by reason and wake-ups\n"
      "  info                    the module: ABI version, features, CPUs\n"
      "\n"
      "OBJECT: ID, NAME, 'id ID' or 'name NAME'.\n"
      "options:\n"
      "  -j, --json              JSON output (errors too: {\"error\": ...})\n"
      "  -h, --help              this text\n"
      "\n"
      "exit status:\n"
      "  0  success\n"
      "  1  failure (a system call failed)\n"
      "  2  usage error\n"
      "  3  no such object, or not of the kind the command needs\n"
      "  4  permission denied (/dev/mapring's mode and group, or another\n"
      "     user's object)\n"
      "  5  mapring.ko is not loaded\n",
      out);
}

std::uint64_t count_arg(std::string_view s) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    throw Error(kUsage, "--count takes a number, not '" + std::string(s) + "'");
  return v;
}

// Options may come anywhere; what is left are the command and its args.
Args parse(int argc, char** argv, Options& opt) {
  Args rest;
  for (int i = 1; i < argc; i++) {
    std::string_view a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw Error(kUsage, std::string(a) + " needs a value");
      return argv[++i];
    };
    if (a == "--json" || a == "-j")
      opt.json = true;
    else if (a == "--sum")
      opt.sum = true;
    else if (a == "--once")
      opt.once = true;
    else if (a == "--format" || a == "-f")
      opt.format = value();
    else if (a == "--count" || a == "-n")
      opt.count = count_arg(value());
    else if (a == "--help" || a == "-h")
      rest.insert(rest.begin(), "help");
    else if (a.starts_with("-") && a.size() > 1)
      throw Error(kUsage, "unknown option " + std::string(a));
    else
      rest.emplace_back(a);
  }
  return rest;
}

int run(const Options& opt, Args& args) {
  if (args.empty()) throw Error(kUsage, "no command");
  std::string cmd = args[0];
  args.erase(args.begin());
  if (cmd == "help") {
    usage(stdout);
    return kOk;
  }
  // options that only one command takes are refused elsewhere
  if ((opt.sum && cmd != "dump") ||
      ((opt.format || opt.count || opt.once) && cmd != "tail"))
    throw Error(kUsage,
                "--sum is for dump; --format, --count and --once "
                "are for tail");
  if (cmd == "list" || cmd == "show") {
    if (cmd == "list") no_more(args);
    return cmd_list(opt, args);
  }
  if (cmd == "dump") return cmd_dump(opt, args);
  if (cmd == "tail") return cmd_tail(opt, args);
  if (cmd == "stats") return cmd_stats(opt, args);
  if (cmd == "info") return cmd_info(opt, args);
  throw Error(kUsage, "unknown command '" + cmd + "'");
}

// One line saying what went wrong (a JSON object with --json), a status.
int report(const Options& opt, const Error& e) {
  if (opt.json) {
    std::string out;
    Json(out).begin_object().field("error", e.what()).end_object();
    std::printf("%s\n", out.c_str());
  } else {
    std::fprintf(stderr, "mapringctl: %s\n", e.what());
    if (e.status == kUsage) std::fputs("try: mapringctl --help\n", stderr);
  }
  return e.status;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  try {
    Args args = parse(argc, argv, opt);
    return run(opt, args);
  } catch (const Error& e) {
    return report(opt, e);
  } catch (const std::system_error& e) {
    // a failure no command explained: still a status that says what kind
    try {
      fail(e, e.what());
    } catch (const Error& explained) {
      return report(opt, explained);
    }
  }
}
