// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
// libmapring C++ API: rings. Included by <mapring/mapring.hpp>.
//
//   auto ring = mapring::RingBuf::open("events");          // or create()
//   mapring::RingBuffer rb(ring, [](std::span<const std::byte> rec) {
//     ...                                                   // zero copy
//   });
//   while (running) rb.poll(std::chrono::milliseconds(100));
#pragma once

#include <cerrno>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <mapring/detail/ringbuf_consumer.hpp>
#include <mapring/mapring.hpp>

namespace mapring {

// How a ring wakes its consumer. Default: BPF's adaptive wake-ups.
struct RingOptions {
  // Batched wake-ups: wake at wakeup_bytes pending (0: by time only) or
  // wakeup_time after the first unseen commit, whichever comes first.
  bool batch_wakeup = false;
  std::uint64_t wakeup_bytes = 0;
  std::chrono::microseconds wakeup_time{0};
  // A flight recorder: when full, overwrite the oldest committed records.
  bool overwrite = false;
  // A user ring: user space produces (UserRingBuffer), the kernel drains.
  bool user = false;
};

// Sole owner of a ring fd: create or open a ring, query it, write to it.
class RingBuf {
 public:
  // Throws std::system_error (EINVAL, E2BIG, EEXIST, ENOMEM, ENOENT...).
  static RingBuf create(std::string_view name, std::size_t data_size,
                        const RingOptions& options = {});
  // Opens an existing ring by name; throws std::system_error (ENOENT).
  static RingBuf open(std::string_view name);
  // Opens an existing ring by id; throws std::system_error (ENOENT).
  static RingBuf open_id(std::uint32_t id);
  // Adopts an fd the caller owned.
  explicit RingBuf(Fd fd) noexcept : fd_(std::move(fd)) {}

  // The ring fd, still owned by this object.
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }
  // MAPRING_IOC_RING_QUERY: positions, drops, wake-ups.
  [[nodiscard]] mapring_ring_query query() const;
  // One record from user space; false when the ring is full (EAGAIN),
  // throws for anything else (E2BIG: it can never fit).
  bool output(std::span<const std::byte> data, std::uint64_t flags = 0) const;

 private:
  Fd fd_;
};

// Drop counters of a ring, by reason.
struct RingDrops {
  std::uint64_t full = 0, too_large = 0, busy = 0;
  // Every failed reservation, all reasons.
  [[nodiscard]] std::uint64_t total() const noexcept {
    return full + too_large + busy;
  }
};

// Records an overwrite ring's consumer lost (RingView::lost()).
struct RingLoss {
  std::uint64_t records = 0;  // overwritten before they could be read
  std::uint64_t torn = 0;     // of which overwritten while being copied
};

class RingBuffer;

// One ring of a RingBuffer: not an owner, valid while that RingBuffer
// lives and is not moved.
class RingView {
 public:
  // As mapring_ring__consumer_pos().
  [[nodiscard]] std::uint64_t consumer_pos() const noexcept;
  // As mapring_ring__producer_pos().
  [[nodiscard]] std::uint64_t producer_pos() const noexcept;
  // Bytes reserved and not yet consumed.
  [[nodiscard]] std::size_t avail_data_size() const noexcept;
  // The ring's data_size.
  [[nodiscard]] std::size_t size() const noexcept;
  // The ring fd it was added with.
  [[nodiscard]] int map_fd() const noexcept;
  // The drop counters of the producer page.
  [[nodiscard]] RingDrops drops() const noexcept;
  // Overwrite rings: what this consumer lost (mapring_ring__lost()).
  [[nodiscard]] RingLoss lost() const noexcept;
  // The samples of the newest whole records that fit in max_bytes (as laid
  // out in the ring, headers included), oldest first; consumes nothing
  // (mapring_ring__snapshot()). Throws std::system_error.
  [[nodiscard]] std::vector<std::vector<std::byte>> snapshot(
      std::size_t max_bytes) const;
  // As RingBuffer::consume, for this ring only.
  int consume();
  // The same, at most n records.
  int consume_n(std::size_t n);

 private:
  friend class RingBuffer;
  RingView(RingBuffer* owner, mapring_ring* ring) noexcept
      : owner_(owner), ring_(ring) {}
  RingBuffer* owner_;
  mapring_ring* ring_;
};

// The consumer: rings mapped read-only, one epoll set, a callback per ring
// that sees each record in place as std::span<const std::byte>. Callbacks
// return void (keep going) or int (negative: stop, and the value is
// returned); an exception thrown by a callback stops consumption (the
// record counts as consumed) and is rethrown to the caller.
class RingBuffer {
 public:
  // A callback's most general type (any callable taking the span and
  // returning void or int is accepted as it is).
  using Callback = std::function<int(std::span<const std::byte>)>;

  // How rings are consumed: mapring_ring_buffer_opts.
  struct Options {
    bool edge_triggered = false;  // register with EPOLLET
    std::size_t batch_bytes = 0;  // 0: a quarter of each ring
  };

  template <class F>
  // Maps the ring behind fd (still the caller's) with callback for its records;
  // throws std::system_error.
  RingBuffer(int fd, F&& callback, const Options& options = {}) {
    init(fd, make_slot(std::forward<F>(callback)), options);
  }
  template <class F>
  // The same for ring, which may be closed first: the mappings keep it.
  RingBuffer(const RingBuf& ring, F&& callback, const Options& options = {})
      : RingBuffer(ring.fd(), std::forward<F>(callback), options) {}

  // Moves the rings; RingViews of the old object are invalid.
  RingBuffer(RingBuffer&&) noexcept = default;
  // Frees this object's rings, then moves other's in.
  RingBuffer& operator=(RingBuffer&&) noexcept = default;
  ~RingBuffer() = default;

  template <class F>
  // Adds the ring behind fd with its own callback; throws std::system_error.
  void add(int fd, F&& callback) {
    add_slot(fd, make_slot(std::forward<F>(callback)));
  }
  template <class F>
  // The same for ring.
  void add(const RingBuf& ring, F&& callback) {
    add(ring.fd(), std::forward<F>(callback));
  }

  // Waits up to timeout (negative: forever) and consumes the rings that
  // signalled. Returns the records consumed, or a callback's negative
  // value; 0 when interrupted by a signal; throws for epoll failures.
  int poll(std::chrono::milliseconds timeout = std::chrono::milliseconds(-1));
  template <class Rep, class Period>
  // poll() with any duration, rounded up to milliseconds.
  int poll(std::chrono::duration<Rep, Period> timeout) {
    return poll(std::chrono::ceil<std::chrono::milliseconds>(timeout));
  }
  // Consume without waiting: every ring, or at most n records.
  int consume();
  // The same, at most n records over all rings.
  int consume_n(std::size_t n);

  // The epoll fd, to nest in an event loop.
  [[nodiscard]] int epoll_fd() const noexcept;
  // The number of rings.
  [[nodiscard]] std::size_t size() const noexcept { return slots_.size(); }
  // The idx-th ring added; throws std::system_error (ERANGE).
  [[nodiscard]] RingView ring(std::size_t idx);

 private:
  friend class RingView;
  // A ring's callback and what it reported. The library runs pass() for
  // every consumption of the ring: the walk of the ring with the callback
  // inlined into it (instantiated per callback type below), so a record
  // costs no indirect call.
  struct Slot {
    virtual ~Slot() = default;
    detail::RingPass pass = nullptr;
    std::exception_ptr error;  // thrown by the callback, rethrown by finish()
    int stopped = 0;           // the negative value the callback returned
  };
  template <class G>
  struct TypedSlot final : Slot {
    explicit TypedSlot(G g) : fn(std::move(g)) { pass = &run_pass<G>; }
    G fn;
  };
  struct Free {
    void operator()(mapring_ring_buffer* rb) const noexcept;
  };

  template <class F>
  static std::unique_ptr<Slot> make_slot(F&& f) {
    using G = std::decay_t<F>;
    using R = std::invoke_result_t<G&, std::span<const std::byte>>;
    static_assert(std::is_void_v<R> || std::is_convertible_v<R, int>,
                  "a callback returns void or int");
    return std::make_unique<TypedSlot<G>>(G(std::forward<F>(f)));
  }

  template <class G>
  static std::int64_t run_pass(void* ctx, const detail::RingView& ring,
                               std::uint64_t limit, std::uint64_t batch) {
    auto& slot = *static_cast<TypedSlot<G>*>(ctx);
    auto record = [&slot](const std::byte* data, std::size_t size) -> int {
      try {
        std::span<const std::byte> rec(data, size);
        if constexpr (std::is_void_v<std::invoke_result_t<
                          G&, std::span<const std::byte>>>) {
          slot.fn(rec);
          return 0;
        } else {
          int ret = static_cast<int>(slot.fn(rec));
          if (ret < 0) slot.stopped = ret;
          return ret;
        }
      } catch (...) {
        slot.error = std::current_exception();
        return -ECANCELED;  // stops the pass; finish() rethrows
      }
    };
    return detail::consume_ring(ring, record, limit, batch);
  }

  void init(int fd, std::unique_ptr<Slot> slot, const Options& options);
  void add_slot(int fd, std::unique_ptr<Slot> slot);
  int finish(int ret, const char* what, bool interruptible = false);

  std::unique_ptr<mapring_ring_buffer, Free> rb_;
  std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace mapring

// User rings: user space produces, the kernel drains.
#include <mapring/user_ringbuf.hpp>
