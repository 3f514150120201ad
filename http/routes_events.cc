// The event stream: GET /v1/events sends each run committed to the store, by
// any process, as one server-sent event (id: the commit sequence number;
// data: the run's JSON). POST /v1/events/ticket gives the page a ticket to
// open it, since EventSource cannot send the Authorization header.
#include <fmt/format.h>

#include <charconv>

#include "core/clock.h"
#include "core/time_format.h"
#include "http/access_token.h"
#include "http/api_context.h"
#include "http/api_error.h"

namespace vigy::http {
namespace {

// A comment line this often keeps proxies and idle timers from closing a
// quiet stream, and notices a client that went away.
constexpr std::chrono::seconds kKeepAlive(15);
// How long a client waits before reconnecting after the stream broke.
constexpr int kRetryMs = 2000;

std::optional<int64_t> ParseSeq(const std::string& text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

core::Result<std::pair<std::string, int64_t>> EventTickets::Issue(int64_t now_ms) {
  core::Result<std::string> ticket = RandomHex32();
  if (!ticket.ok()) return ticket.status();
  std::lock_guard lock(mutex_);
  std::erase_if(expiry_, [now_ms](const auto& entry) { return entry.second <= now_ms; });
  if (expiry_.size() >= kMaxLive) expiry_.erase(expiry_.begin());
  const int64_t expires = now_ms + kTtlMs;
  expiry_[*ticket] = expires;
  return std::make_pair(std::move(ticket).value(), expires);
}

bool EventTickets::Valid(const std::string& ticket, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto found = expiry_.find(ticket);
  return found != expiry_.end() && found->second > now_ms;
}

void AddEventRoutes(Router& router, ApiContext& context) {
  router.Add("POST", "/v1/events/ticket",
             [&context](const httplib::Request&, httplib::Response& res) {
               auto issued = context.tickets.Issue(core::SystemNowMs());
               if (!issued.ok()) return SendStatus(res, issued.status());
               nlohmann::json body;
               body["ticket"] = issued->first;
               body["expires_at"] = core::FormatRfc3339Ms(issued->second);
               SendJson(res, 201, body);
             });

  router.Add("GET", "/v1/events", [&context](const httplib::Request& req, httplib::Response& res) {
    std::string vigy_id;
    if (req.has_param("vigy_id")) {
      auto store = context.pool.Borrow();
      if (!store.ok()) return SendStatus(res, store.status());
      auto vigy = (*store)->FindVigy(req.get_param_value("vigy_id"));
      if (!vigy.ok()) return SendStatus(res, vigy.status());
      vigy_id = vigy->id;
    }
    // Resume after the last event a reconnecting client saw.
    std::string last = req.get_header_value("Last-Event-ID");
    if (last.empty() && req.has_param("last_event_id")) last = req.get_param_value("last_event_id");
    int64_t cursor = context.hub.latest_seq();
    if (!last.empty()) {
      std::optional<int64_t> seq = ParseSeq(last);
      if (!seq) {
        return SendError(res, 400, "invalid_argument",
                         fmt::format("bad last event id '{}': expected a number", last));
      }
      cursor = *seq;
    }
    if (context.event_streams.fetch_add(1) >= context.options.max_event_streams) {
      context.event_streams.fetch_sub(1);
      res.set_header("Retry-After", "5");
      return SendError(
          res, 503, "unavailable",
          fmt::format("too many event streams (at most {})", context.options.max_event_streams));
    }
    res.set_header("X-Accel-Buffering", "no");
    auto started = std::make_shared<bool>(false);
    res.set_chunked_content_provider(
        "text/event-stream",
        [&context, vigy_id, cursor, started](size_t, httplib::DataSink& sink) mutable {
          if (!*started) {
            *started = true;
            std::string hello = fmt::format("retry: {}\n\n", kRetryMs);
            return sink.write(hello.data(), hello.size());
          }
          auto events = context.hub.Next(cursor, vigy_id, kKeepAlive);
          if (context.hub.stopped()) {
            sink.done();
            return true;
          }
          std::string text;
          for (const auto& event : events) {
            text += fmt::format("id: {}\ndata: {}\n\n", event->seq, event->json);
          }
          if (text.empty()) text = ": keep-alive\n\n";
          return sink.write(text.data(), text.size());
        },
        [&context](bool) { context.event_streams.fetch_sub(1); });
  });
}

}  // namespace vigy::http
