// What the route handlers share: the options, store connections, the run
// hub, event-stream tickets, the slots for listings and serve's state. One
// per HttpServer.
#pragma once

#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "http/bulk_read_gate.h"
#include "http/router.h"
#include "http/run_hub.h"
#include "http/server.h"
#include "http/store_pool.h"

namespace vigy::http {

// Short-lived tickets that open an event stream in place of the token
// (EventSource cannot send an Authorization header): issued to a holder of
// the token, valid for kTtlMs, accepted only by GET /v1/events.
class EventTickets {
 public:
  static constexpr int64_t kTtlMs = 60'000;
  static constexpr size_t kMaxLive = 1024;

  // A fresh ticket and when it expires (epoch ms).
  core::Result<std::pair<std::string, int64_t>> Issue(int64_t now_ms);
  bool Valid(const std::string& ticket, int64_t now_ms);

 private:
  std::mutex mutex_;
  std::map<std::string, int64_t> expiry_;  // ticket -> epoch ms
};

struct ApiContext {
  explicit ApiContext(HttpServerOptions opts)
      : options(std::move(opts)),
        pool(options.open_store),
        hub(options.open_store),
        bulk_reads(options.bulk_read_slots) {}

  HttpServerOptions options;
  StorePool pool;
  RunHub hub;
  EventTickets tickets;
  BulkReadGate bulk_reads;
  std::atomic<size_t> event_streams{0};
  std::atomic<bool> scheduler_running{false};
  int64_t started_at_ms = 0;
};

// The route groups, one file each.
void AddProbeRoutes(Router& router, ApiContext& context);  // routes_probes.cc
void AddEventRoutes(Router& router, ApiContext& context);  // routes_events.cc
void AddVigyRoutes(Router& router, ApiContext& context);   // routes_vigies.cc

}  // namespace vigy::http
