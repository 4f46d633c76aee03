// SPDX-License-Identifier: GPL-2.0
// sched_snoop: the process events of samples/sched_events.ko, live, one
// line each, as execsnoop and exitsnoop print them; --json: one JSON object
// per line. SIGINT or SIGTERM ends it, after the events already in the
// ring, and the module's per-CPU counters, summed, go to stderr.
//
//   sched_snoop [--json] [RING [COUNTERS]]
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>

#include <mapring/mapring.hpp>

#include "sched_event.h"

namespace {

volatile std::sig_atomic_t stop = 0;

// A fixed-size char array as text, however the producer filled it.
template <std::size_t N>
std::string_view text(const char (&s)[N]) {
  return {s, ::strnlen(s, N)};
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "\\u%04x", c);
    out += c == '"' || c == '\\' || c < 0x20 || c >= 0x7f ? buf
                                                          : std::string(1, c);
  }
  return out + "\"";
}

const char* type_name(std::uint32_t type) {
  static const char* const names[] = {"?", "exec", "exit", "fork"};
  return type < std::size(names) ? names[type] : "?";
}

// exitsnoop's way: the exit code, or the signal that ended the task.
std::string exit_text(int status) {
  if (status & 0x7f) return "signal " + std::to_string(status & 0x7f);
  return "code " + std::to_string((status >> 8) & 0xff);
}

void print_text(const sched_event& e, std::uint64_t t0) {
  std::string details;
  if (e.tid != e.pid) details = "thread " + std::to_string(e.tid) + ", ";
  if (e.type == SCHED_EVENT_EXEC) details += text(e.filename);
  if (e.type == SCHED_EVENT_EXIT) {
    char age[32];
    std::snprintf(age, sizeof(age), ", lived %.1f ms", e.lifetime_ns / 1e6);
    details += exit_text(e.exit_code) + age;
  }
  char line[512];
  int n = std::snprintf(
      line, sizeof(line), "%-8.3f %-5s %7d %7d %5u %-16.*s %s",
      (e.timestamp_ns - t0) / 1e9, type_name(e.type), e.pid, e.ppid, e.uid,
      static_cast<int>(text(e.comm).size()), e.comm, details.c_str());
  std::string_view out(line, std::min<std::size_t>(n, sizeof(line) - 1));
  std::printf("%.*s\n", static_cast<int>(out.find_last_not_of(' ') + 1),
              out.data());
}

void print_json(const sched_event& e) {
  std::printf(
      "{\"timestamp_ns\":%llu,\"type\":\"%s\",\"cpu\":%u,\"pid\":%d,"
      "\"tid\":%d,\"ppid\":%d,\"uid\":%u,\"comm\":%s,\"filename\":%s,"
      "\"exit_code\":%d,\"lifetime_ns\":%llu}\n",
      static_cast<unsigned long long>(e.timestamp_ns), type_name(e.type), e.cpu,
      e.pid, e.tid, e.ppid, e.uid, quote(text(e.comm)).c_str(),
      quote(text(e.filename)).c_str(), e.exit_code,
      static_cast<unsigned long long>(e.lifetime_ns));
}

}  // namespace

int main(int argc, char** argv) {
  bool json = argc > 1 && std::string_view(argv[1]) == "--json";
  const char* ring_name = argc > 1 + json ? argv[1 + json] : SCHED_EVENTS_RING;
  const char* counts_name =
      argc > 2 + json ? argv[2 + json] : SCHED_EVENTS_COUNTS;
  struct sigaction sa = {};
  sa.sa_handler = [](int) { stop = 1; };  // no SA_RESTART: wake the poll
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // a line as soon as it is out

  try {
    auto ring = mapring::RingBuf::open(ring_name);
    auto counts = mapring::PercpuArray<std::uint64_t>::open(counts_name);
    std::uint64_t t0 = 0;
    mapring::RingBuffer rb(ring, [&](std::span<const std::byte> record) {
      sched_event e;
      if (record.size() != sizeof(e)) return;  // not one of ours
      std::memcpy(&e, record.data(), sizeof(e));
      if (!t0) t0 = e.timestamp_ns;
      json ? print_json(e) : print_text(e, t0);
    });
    if (!json)
      std::printf("%-8s %-5s %7s %7s %5s %-16s %s\n", "TIME(s)", "EVENT", "PID",
                  "PPID", "UID", "COMM", "DETAILS");
    // poll returns 0 when a signal interrupts it; the timeout bounds the
    // wait of a signal that lands just before it
    while (!stop) rb.poll(std::chrono::milliseconds(250));
    rb.consume();

    std::uint64_t n[SCHED_COUNT_MAX];
    for (std::uint32_t key = 0; key < SCHED_COUNT_MAX; key++)
      n[key] = counts.lookup(key).sum();
    std::fprintf(stderr, "%s: exec %llu  exit %llu  fork %llu  drops %llu\n",
                 counts_name, static_cast<unsigned long long>(n[1]),
                 static_cast<unsigned long long>(n[2]),
                 static_cast<unsigned long long>(n[3]),
                 static_cast<unsigned long long>(n[0]));
  } catch (const std::system_error& e) {
    std::fprintf(
        stderr, "sched_snoop: %s: %s%s\n", e.what(), e.code().message().c_str(),
        e.code().value() == ENOENT ? " (is sched_events.ko loaded?)" : "");
    return 1;
  }
}
