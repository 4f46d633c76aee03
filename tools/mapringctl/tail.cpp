// SPDX-License-Identifier: GPL-2.0
// mapringctl tail: print a ring's records as they arrive, as tail -f does
// a file, until SIGINT or SIGTERM (exit status 0), --count records, or with
// --once when nothing is left. It is the ring's consumer meanwhile: what
// it prints is consumed.
#include <poll.h>
#include <sys/signalfd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <string>

#include "ctl.hpp"
#include "format.hpp"
#include "json.hpp"

namespace ctl {

namespace {

// SIGINT and SIGTERM, blocked and delivered through an fd polled next to
// the ring's epoll fd: a signal can never slip in just before the wait.
mapring::Fd signal_fd() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  if (sigprocmask(SIG_BLOCK, &set, nullptr))
    throw Error(kFailed, "sigprocmask failed");
  int fd = signalfd(-1, &set, SFD_CLOEXEC);
  if (fd < 0) throw Error(kFailed, "signalfd failed");
  return mapring::Fd(fd);
}

}  // namespace

int cmd_tail(const Options& opt, Args& args) {
  std::optional<RecordFormat> format;
  try {
    if (opt.format) format.emplace(*opt.format);
  } catch (const std::invalid_argument& e) {
    throw Error(kUsage, e.what());
  }
  auto dev = open_device();
  mapring_obj_info o = find_object(dev, args);
  no_more(args);
  if (o.type != MAPRING_OBJ_RINGBUF)
    throw Error(kNoObject, describe(o) + " is a " +
                               std::string(type_name(o.type)) +
                               ": tail reads rings (dump reads maps)");
  mapring::RingBuf ring(open_object(o));
  mapring::Fd signals = signal_fd();
  // each record reaches a pipe as soon as it is printed
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  std::uint64_t seq = 0;
  auto print = [&](std::span<const std::byte> rec) {
    std::string out;
    if (opt.json) {
      Json j(out);
      j.begin_object().field("seq", seq).field("size", rec.size());
      if (format)
        j.field("text", format->render(rec, seq));
      else
        j.field("data", hex_string(rec));
      j.end_object();
      out += "\n";
    } else if (format) {
      out = format->render(rec, seq) + "\n";
    } else {
      out = "record " + std::to_string(seq) + ", " +
            std::to_string(rec.size()) + " bytes\n" + hexdump(rec);
    }
    std::fputs(out.c_str(), stdout);
    seq++;
    return opt.count && seq >= *opt.count ? -1 : 0;  // negative: stop
  };
  try {
    mapring::RingBuffer rb(ring, print);
    if (opt.count && !*opt.count) return kOk;
    // what is there already, then whatever comes, until told to stop
    while (rb.consume() >= 0 && !opt.once) {
      pollfd fds[] = {{rb.epoll_fd(), POLLIN, 0}, {signals.get(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 && errno != EINTR)
        throw std::system_error(errno, std::generic_category(), "poll");
      if (fds[1].revents) break;
    }
  } catch (const std::system_error& e) {
    fail(e, "consuming " + describe(o));
  }
  std::fflush(stdout);
  return kOk;
}

}  // namespace ctl
