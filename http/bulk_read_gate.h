// How many HTTP requests may do work that grows with the store at once:
// listing vigies, runs or kv, /metrics, /v1/health. Each such request
// builds its whole answer on a processor, and a client asking for listings
// back to back would otherwise keep every processor busy, so that serve's
// scheduler waits for one and ticks start late. With one slot fewer than
// the machine has processors (at least one) a processor is always left to
// the scheduler; requests beyond the slots wait their turn, in their own
// connection, bounded by the connection limit.
//
// Requests that read one row (a vigy, a key, the probes) or wait on a
// program (a tick) do not take a slot.
#pragma once

#include <condition_variable>
#include <cstddef>
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

  // Waits until a slot is free and takes it.
  [[nodiscard]] Turn Enter();

 private:
  void Leave();

  std::mutex mutex_;
  std::condition_variable freed_;
  size_t free_;
};

}  // namespace vigy::http
