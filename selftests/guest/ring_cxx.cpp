// SPDX-License-Identifier: GPL-2.0
// The library's C++ API against real rings: RAII owners, lambdas over
// std::span, std::chrono timeouts, exceptions, several rings, views.
// The kselftest harness is C only, so this program prints TAP itself.
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <mapring/mapring.hpp>

extern "C" {
#include "mr_test.h"
}
#include "mr_proc.hpp"

namespace {

using namespace std::chrono_literals;

using mr::errno_of;
using mr::run;

std::span<const std::byte> bytes(const std::string& s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

std::string text(std::span<const std::byte> s) {
  return std::string(reinterpret_cast<const char*>(s.data()), s.size());
}

void owners_and_errors() {
  auto ring = mapring::RingBuf::create("cxx.owner", 8192);
  CHECK(ring.fd() >= 0);
  CHECK(::fcntl(ring.fd(), F_GETFD) == FD_CLOEXEC);
  auto q = ring.query();
  CHECK(q.data_size == 8192);
  CHECK(errno_of([] { (void)mapring::RingBuf::create("cxx.owner", 4096); }) ==
        EEXIST);
  CHECK(errno_of([] { (void)mapring::RingBuf::create("", 4097); }) == EINVAL);
  CHECK(errno_of([] { (void)mapring::RingBuf::open("cxx.none"); }) == ENOENT);
  CHECK(errno_of([] { (void)mapring::RingBuf::open(std::string(40, 'x')); }) ==
        EINVAL);
  auto again = mapring::RingBuf::open_id(q.id);
  CHECK(again.query().id == q.id);
  CHECK(ring.output(bytes("hello")));
  std::vector<char> big(8192);
  CHECK(errno_of([&] { ring.output(std::as_bytes(std::span(big))); }) == E2BIG);
  CHECK(again.query().producer_pos == 16);

  mapring::RingOptions opts;
  opts.batch_wakeup = true;
  opts.wakeup_bytes = 512;
  opts.wakeup_time = 300us;
  auto batched = mapring::RingBuf::create("", 4096, opts);
  CHECK(batched.query().wakeup_usecs == 300);
  CHECK(batched.query().wakeup_bytes == 512);
  // moving keeps one owner
  mapring::RingBuf moved = std::move(batched);
  CHECK(moved.fd() >= 0);
}

void lambdas_and_spans() {
  auto ring = mapring::RingBuf::create("", 4096);
  std::vector<std::string> got;
  const std::byte* where = nullptr;
  mapring::RingBuffer rb(ring, [&](std::span<const std::byte> rec) {
    if (!where) where = rec.data();
    got.push_back(text(rec));
  });
  CHECK(rb.poll(0ms) == 0);
  CHECK(ring.output(bytes("one")));
  CHECK(ring.output(bytes("two!")));
  CHECK(rb.poll(20s) == 2);
  CHECK(got.size() == 2 && got[0] == "one" && got[1] == "two!");
  // zero copy: the span points into the mapping, just past the header
  CHECK(reinterpret_cast<std::uintptr_t>(where) % ::sysconf(_SC_PAGESIZE) ==
        MAPRING_RB_HDR_SZ);
  auto view = rb.ring(0);
  CHECK(view.size() == 4096);
  CHECK(view.consumer_pos() == 32);
  CHECK(view.producer_pos() == 32);
  CHECK(view.avail_data_size() == 0);
  CHECK(view.map_fd() == ring.fd());
  CHECK(view.drops().total() == 0);
  CHECK(errno_of([&] { (void)rb.ring(1); }) == ERANGE);
  CHECK(rb.epoll_fd() >= 0);

  // fill it: output reports a full ring as false, and the drop is counted
  while (ring.output(bytes("x"))) {
  }
  CHECK(view.drops().full == 1);
  CHECK(view.drops().total() == 1);
  CHECK(rb.consume() == 255);  // (4096 - 1) / 16
}

void stop_values_and_exceptions() {
  auto ring = mapring::RingBuf::create("", 4096);
  int calls = 0;
  mapring::RingBuffer rb(ring.fd(), [&](std::span<const std::byte>) {
    ++calls;
    if (calls == 2) return -7;
    if (calls == 4) throw std::runtime_error("boom");
    return 0;
  });
  for (int i = 0; i < 6; i++) CHECK(ring.output(bytes("r")));
  CHECK(rb.poll(20s) == -7);
  CHECK(calls == 2);
  bool thrown = false;
  try {
    rb.consume();
  } catch (const std::runtime_error& e) {
    thrown = std::string(e.what()) == "boom";
  }
  CHECK(thrown);
  CHECK(calls == 4);
  // the throwing record counts as consumed: two are left
  CHECK(rb.consume() == 2);
  CHECK(rb.ring(0).consumer_pos() == 6 * 16);
}

void several_rings_and_consume_n() {
  auto a = mapring::RingBuf::create("", 4096);
  auto b = mapring::RingBuf::create("", 8192);
  int na = 0, nb = 0;
  mapring::RingBuffer rb(a, [&](std::span<const std::byte>) { ++na; });
  rb.add(b, [&](std::span<const std::byte>) {
    ++nb;
    return 0;
  });
  CHECK(rb.size() == 2);
  for (int i = 0; i < 5; i++)
    CHECK(a.output(bytes("a")) && b.output(bytes("b")));
  CHECK(rb.consume_n(3) == 3);
  CHECK(na == 3 && nb == 0);
  CHECK(rb.consume_n(4) == 4);
  CHECK(na == 5 && nb == 2);
  CHECK(rb.ring(1).consume_n(2) == 2);
  CHECK(rb.ring(1).consume() == 1);
  CHECK(nb == 5);
  CHECK(rb.consume() == 0);
  // a RingBuffer moves, with its callbacks
  mapring::RingBuffer moved = std::move(rb);
  CHECK(b.output(bytes("c")));
  CHECK(moved.poll(20s) == 1);
  CHECK(nb == 6);
}

void edge_triggered() {
  auto ring = mapring::RingBuf::create("", 4096);
  int n = 0;
  mapring::RingBuffer::Options opts;
  opts.edge_triggered = true;
  opts.batch_bytes = 1;
  mapring::RingBuffer rb(
      ring, [&](std::span<const std::byte>) { return ++n == 2 ? -1 : 0; },
      opts);
  for (int i = 0; i < 4; i++) CHECK(ring.output(bytes("e")));
  CHECK(rb.poll(20s) == -1);
  CHECK(rb.poll(20s) == 2);  // owed, not waited for
  CHECK(n == 4);
  CHECK(rb.poll(0ms) == 0);
}

// An overwrite ring: copies instead of spans into the mapping, what was
// lost, snapshots of the newest records.
void overwrite_ring() {
  mapring::RingOptions opts;
  opts.overwrite = true;
  auto ring = mapring::RingBuf::create("", 4096, opts);
  CHECK(ring.query().ring_flags == MAPRING_RING_F_OVERWRITE);
  std::vector<std::string> got;
  mapring::RingBuffer rb(
      ring, [&](std::span<const std::byte> rec) { got.push_back(text(rec)); });
  auto view = rb.ring(0);
  // 300 records of 16 bytes in a ring that holds 255
  for (int i = 0; i < 300; i++)
    CHECK(ring.output(bytes(std::to_string(i % 10))));
  auto snap = view.snapshot(48);
  CHECK(snap.size() == 3);
  CHECK(snap.size() == 3 && text(snap[0]) == "7" && text(snap[2]) == "9");
  CHECK(view.snapshot(0).empty());
  CHECK(view.snapshot(1 << 20).size() == 255);
  CHECK(rb.consume() == 255);
  CHECK(view.lost().records == 45);
  CHECK(view.lost().torn == 0);
  CHECK(got.size() == 255 && got[0] == "5" && got[254] == "9");
  CHECK(ring.query().overwritten == 45);
  CHECK(view.avail_data_size() == 0);
  // no loss while keeping up
  CHECK(ring.output(bytes("a")));
  CHECK(rb.poll(20s) == 1);
  CHECK(view.lost().records == 45);
  CHECK(got.back() == "a");
}

// A user ring: records as RAII owners (discarded unless submitted), spans
// into the mapping, blocking reserve; mr_test_drainer.ko drains it.
void user_ring() {
  const char* ctl = "/sys/kernel/debug/mr_test_drainer/control";
  CHECK(errno_of([] {
          mapring::UserRingBuffer(mapring::RingBuf::create("", 4096).fd());
        }) == EINVAL);
  mapring::RingOptions opts;
  opts.user = true;
  auto ring = mapring::RingBuf::create("cxx_user", 4096, opts);
  CHECK(ring.query().ring_flags == MAPRING_RING_F_USER);
  if (mr_module_loaded("mr_test_drainer")) mr_rmmod("mr_test_drainer");
  CHECK(mr_insmod("mr_test_drainer", "") == 0);
  CHECK(mr_write_file(ctl, "attach cxx_user") == 0);
  mapring::UserRingBuffer urb(ring.fd());
  std::uint64_t submitted = 0;
  {
    auto rec = urb.reserve(5);
    CHECK(rec && rec.data().size() == 5);
    std::memcpy(rec.data().data(), "hello", 5);
    rec.submit();
    CHECK(!rec && rec.data().empty());
    submitted++;
  }
  {
    auto dropped = urb.reserve(7);  // discarded when it goes out of scope
    CHECK(dropped);
  }
  auto moved = urb.reserve(3);
  auto other = std::move(moved);
  CHECK(!moved && other);
  other.submit();
  submitted++;
  CHECK(errno_of([&] { (void)urb.reserve(4096); }) == E2BIG);
  // 3 records of 16 bytes, then 112-byte records until full
  while (auto rec = urb.reserve(100)) {
    rec.submit();
    submitted++;
  }
  CHECK(urb.pending() == 48 + 36 * 112);
  CHECK(!urb.reserve(100, 10ms));
  CHECK(!urb.kick());  // nobody registered
  CHECK(mr_write_file(ctl, "drain") == 0);
  auto q = ring.query();
  CHECK(q.user_drained == submitted);
  CHECK(q.user_discarded == 1);
  CHECK(urb.pending() == 0);
  CHECK(urb.reserve(100, 10ms));  // room again: discarded at once
  mr_write_file(ctl, "detach");
  CHECK(mr_rmmod("mr_test_drainer") == 0);
}

}  // namespace

int main() {
  if (mr_baseline()) {
    std::printf("1..0 # SKIP mapring.ko not loaded\n");
    return 4;
  }
  std::printf("TAP version 13\n1..7\n");
  run(1, "owners_and_errors", owners_and_errors);
  run(2, "lambdas_and_spans", lambdas_and_spans);
  run(3, "stop_values_and_exceptions", stop_values_and_exceptions);
  run(4, "several_rings_and_consume_n", several_rings_and_consume_n);
  run(5, "edge_triggered", edge_triggered);
  run(6, "overwrite_ring", overwrite_ring);
  run(7, "user_ring", user_ring);
  std::printf("# %d failed\n", mr::tap_failures);
  return mr::tap_failures ? 1 : 0;
}
