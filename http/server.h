// The HTTP side of `vigy serve --http`: the REST API under /v1 (bearer
// token), the event stream, /metrics, /healthz, /readyz, the OpenAPI
// document and the status page. It runs on threads of its own with store
// connections of its own, so it never delays a tick; every operation it
// offers is a call into core, the same the command line makes.
//
// Bounds: `max_connections` connections are served at once and as many more
// wait; beyond that, 503. Request bodies up to `max_body_bytes` (else 413),
// headers up to 8 KiB and request lines up to 8 KiB (cpp-httplib's limits),
// `read_timeout_s` to send a request, `idle_timeout_s` between requests on
// a kept-alive connection, `max_event_streams` event streams at once,
// `bulk_read_slots` listings at once, so a processor is left to the
// scheduler. No CORS headers are ever sent.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/store.h"
#include "http/bulk_read_gate.h"
#include "http/listen_address.h"

namespace vigy::http {

struct HttpServerOptions {
  ListenAddress address;
  std::string token;       // every /v1 request must carry it
  std::string store_path;  // an existing store, as messages name it
  // A new connection to that store; called from the HTTP threads.
  std::function<core::Result<std::unique_ptr<core::Store>>()> open_store;
  std::string version;  // for /metrics
  size_t max_connections = 64;
  size_t max_event_streams = 32;
  // Requests that list vigies, runs or kv, or read /metrics or health, at
  // once (http/bulk_read_gate.h); the rest wait their turn.
  size_t bulk_read_slots = DefaultBulkReadSlots();
  size_t max_body_bytes = 1 << 20;
  int read_timeout_s = 10;
  int idle_timeout_s = 5;
  // Ticks serve has in flight now, for /metrics; unset: 0.
  std::function<size_t()> ticks_in_flight;
};

class HttpServer {
 public:
  // Binds the address and starts serving; returns once the listener runs,
  // so that Stop() may follow at once. kConflict when the address is in
  // use, kInvalidArgument when it cannot be bound, the store's errors when
  // it cannot be opened.
  static core::Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options);
  ~HttpServer();  // stops
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port bound (the one chosen when the address asked for port 0).
  int port() const;
  // Every route served, as "METHOD /template" ("GET /v1/vigies/{id}"): what
  // the OpenAPI document must describe.
  std::vector<std::string> Routes() const;
  // Whether the scheduler runs: /readyz and /healthz answer 503 until it
  // does and once it is stopping.
  void SetSchedulerRunning(bool running);
  // Ends every event stream, stops accepting, and waits for the requests
  // being served. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigy::http
