// Routes anyone may call: the status page, /healthz, /readyz, /metrics; and
// with the token, the OpenAPI document and /v1/health.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

#include "core/clock.h"
#include "core/duration.h"
#include "core/health.h"
#include "http/api_context.h"
#include "http/api_error.h"
#include "http/assets.h"
#include "http/metrics.h"

namespace vigy::http {
namespace {

// The page runs its own inline script and talks to this server only.
constexpr const char* kPagePolicy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

void SendText(httplib::Response& res, int status, const std::string& text) {
  res.status = status;
  res.set_content(text, "text/plain; charset=utf-8");
}

}  // namespace

void AddProbeRoutes(Router& router, ApiContext& context) {
  router.Add("GET", "/", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Security-Policy", kPagePolicy);
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("X-Frame-Options", "DENY");
    res.set_content(std::string(StatusPage()), "text/html; charset=utf-8");
  });

  // Live while the scheduler runs and has written its heartbeat lately.
  router.Add("GET", "/healthz", [&context](const httplib::Request&, httplib::Response& res) {
    if (!context.scheduler_running) return SendText(res, 503, "scheduler not running\n");
    auto store = context.pool.Borrow();
    if (!store.ok()) return SendText(res, 503, "store: " + store.status().message() + "\n");
    // This serve's own row: on a store shared by serves, others have rows too.
    auto serves = (*store)->ListServes();
    if (!serves.ok()) return SendText(res, 503, "store: " + serves.status().message() + "\n");
    const int64_t now = core::SystemNowMs();
    const std::string host = core::ThisHost();
    auto own = std::find_if(serves->begin(), serves->end(), [&host](const core::ServeRecord& s) {
      return s.pid == getpid() && s.host == host;
    });
    if (own == serves->end() || !core::ServeIsLive(*own, now)) {
      return SendText(res, 503, "scheduler heartbeat is stale\n");
    }
    SendText(res, 200, "ok\n");
  });

  // Ready once the scheduler runs and the store answers.
  router.Add("GET", "/readyz", [&context](const httplib::Request&, httplib::Response& res) {
    if (!context.scheduler_running) return SendText(res, 503, "scheduler not running\n");
    auto store = context.pool.Borrow();
    if (!store.ok()) return SendText(res, 503, "store: " + store.status().message() + "\n");
    auto stamp = (*store)->ChangeStamp();
    if (!stamp.ok()) return SendText(res, 503, "store: " + stamp.status().message() + "\n");
    SendText(res, 200, "ok\n");
  });

  router.Add("GET", "/metrics", [&context](const httplib::Request&, httplib::Response& res) {
    BulkReadGate::Turn turn = context.bulk_reads.Enter();
    auto store = context.pool.Borrow();
    if (!store.ok()) return SendStatus(res, store.status());
    auto vigies = (*store)->ListVigies();
    if (!vigies.ok()) return SendStatus(res, vigies.status());
    RunStats stats = context.hub.Stats();
    const int64_t in_flight = context.options.ticks_in_flight
                                  ? static_cast<int64_t>(context.options.ticks_in_flight())
                                  : 0;
    MetricsInput input{*vigies, stats, in_flight, context.started_at_ms, context.options.version};
    res.set_content(RenderMetrics(input), "text/plain; version=0.0.4; charset=utf-8");
  });

  // What `vigy health --json` says.
  router.Add("GET", "/v1/health", [&context](const httplib::Request& req, httplib::Response& res) {
    auto stale_after = core::ParseDuration(
        req.has_param("stale_after") ? req.get_param_value("stale_after") : "1m");
    if (!stale_after.ok()) return SendStatus(res, stale_after.status());
    BulkReadGate::Turn turn = context.bulk_reads.Enter();
    auto store = context.pool.Borrow();
    if (!store.ok()) return SendStatus(res, store.status());
    auto report = core::CheckHealth(**store, stale_after->count(), core::SystemNowMs());
    if (!report.ok()) return SendStatus(res, report.status());
    SendJson(res, 200, core::ToJson(*report));
  });

  router.Add("GET", "/v1/openapi.json", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(OpenApiDocument()), "application/json");
  });
}

}  // namespace vigy::http
