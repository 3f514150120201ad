// The tick leases this process holds, so that a process ended by a signal
// gives them back before it exits instead of leaving each vigy locked until
// its lease expires. TickPipeline notes every lease it takes; the command's
// signal handling (cli/stop_signals.h) ends the process through
// EndHeldLeases.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace vigy::core {

struct HeldLease {
  std::string store_location;  // Store::location()
  std::string vigy_id;
  std::string token;
};

// Notes `lease` for as long as this object lives. Note a lease before
// asking for it: giving back a lease never taken is harmless, missing one
// that was taken is not. Thread-safe.
class HeldLeaseNote {
 public:
  explicit HeldLeaseNote(HeldLease lease);
  ~HeldLeaseNote();
  HeldLeaseNote(const HeldLeaseNote&) = delete;
  HeldLeaseNote& operator=(const HeldLeaseNote&) = delete;

 private:
  std::string token_;
};

// The process is ending: returns the leases noted now, and from here on
// UnlessEnding blocks forever, so no tick of this process takes a lease or
// commits after its leases were handed to the caller to give back.
// Thread-safe; the leases are returned by the first call only.
std::vector<HeldLease> EndHeldLeases();

// Runs `write`, one short transaction that takes a noted lease or commits
// the tick holding it, unless the process is ending: then it blocks forever
// (the process is about to exit). EndHeldLeases waits for a `write` in progress, so a
// lease is either taken (or its tick committed) before the leases are handed
// out to be given back, or never.
void UnlessEnding(const std::function<void()>& write);

}  // namespace vigy::core
