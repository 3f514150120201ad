#include "core/held_leases.h"

#include <condition_variable>
#include <map>
#include <mutex>

namespace vigy::core {
namespace {

std::mutex mutex;
std::condition_variable never;
bool ending = false;  // guarded by mutex

std::map<std::string, HeldLease>& Held() {  // by token; guarded by mutex
  static std::map<std::string, HeldLease> held;
  return held;
}

}  // namespace

HeldLeaseNote::HeldLeaseNote(HeldLease lease) : token_(lease.token) {
  std::lock_guard lock(mutex);
  Held()[token_] = std::move(lease);
}

HeldLeaseNote::~HeldLeaseNote() {
  std::lock_guard lock(mutex);
  Held().erase(token_);
}

std::vector<HeldLease> EndHeldLeases() {
  std::lock_guard lock(mutex);
  std::vector<HeldLease> leases;
  if (ending) return leases;
  ending = true;
  for (auto& [token, lease] : Held()) leases.push_back(lease);
  return leases;
}

void UnlessEnding(const std::function<void()>& write) {
  std::unique_lock lock(mutex);
  never.wait(lock, [] { return !ending; });
  write();
}

}  // namespace vigy::core
