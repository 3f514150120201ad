// How many HTTP requests may do work that grows with the store at once:
// listing vigies, runs or kv, /metrics, /v1/health. Each such request
// builds its whole answer on a processor, and a client asking for listings
// back to back would otherwise keep every processor busy, so that serve's
// scheduler waits for one and ticks start late. With one slot fewer than
// the machine has processors (at least one) a processor is always left to
// the scheduler; requests beyond the slots wait their turn, in their own
// connection, bounded by the connection limit. Turns are given in the order
// asked for, so a scrape of /metrics waits for the listings asked for
// before it, never for ones asked for after it.
//
// Requests that read one row (a vigy, a key, the probes) or wait on a
// program (a tick) do not take a slot.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace vigy::http {

// One fewer than the processors, at least one.
size_t DefaultBulkReadSlots();

class BulkReadGate {
 public:
  explicit BulkReadGate(size_t slots);  // slots >= 1
  BulkReadGate(const BulkReadGate&) = delete;
  BulkReadGate& operator=(const BulkReadGate&) = delete;

  // A slot, held until the Turn goes.
  class Turn {
   public:
    explicit Turn(BulkReadGate& gate) : gate_(&gate) {}
    Turn(Turn&& other) noexcept : gate_(other.gate_) { other.gate_ = nullptr; }
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    Turn& operator=(Turn&&) = delete;
    ~Turn() {
      if (gate_ != nullptr) gate_->Leave();
    }

   private:
    BulkReadGate* gate_;
  };

  // Waits until a slot is free for this caller, after every caller that
  // asked before it, and takes it.
  [[nodiscard]] Turn Enter();

  // Callers waiting for a slot now.
  size_t waiting();

 private:
  void Leave();

  const uint64_t slots_;
  std::mutex mutex_;
  std::condition_variable freed_;
  // Callers are numbered as they ask; number n may enter once n < left_ +
  // slots_, so at most slots_ are inside and they enter in order.
  uint64_t asked_ = 0;
  uint64_t left_ = 0;
};

}  // namespace vigy::http
