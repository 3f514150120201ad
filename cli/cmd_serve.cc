// vigy serve: the scheduler, in the foreground. Takes the store's serve lock,
// then ticks every enabled vigy with a schedule when it is due until SIGINT,
// SIGTERM or SIGHUP (or, with --once, until everything due now has ticked once).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <memory>
#include <mutex>

#include "cli/arg_parsers.h"
#include "cli/commands.h"
#include "cli/duration.h"
#include "cli/output.h"
#include "cli/serve_log.h"
#include "cli/stop_signals.h"
#include "cli/store_access.h"
#include "core/clock.h"
#include "core/notifier.h"
#include "core/scheduler.h"
#include "core/selector.h"
#include "core/time_format.h"
#include "core/time_zone.h"
#include "http/access_token.h"
#include "http/listen_address.h"
#include "http/server.h"
#include "storage/store_open.h"

namespace vigy::cli {
namespace {

using core::Status;

constexpr uint64_t kMaxKeepRuns = 1'000'000'000;
constexpr uint64_t kMaxWorkers = 256;
// How long a serve waits for the lock held by another (see LockStoreForServe).
constexpr std::chrono::milliseconds kLockPatience(1000);

// The serve lock on the store at `location` (named `path` in messages), or
// kConflict naming the serve that holds it; null for a store shared by
// serves, which takes no lock.
core::Result<std::unique_ptr<core::ServeGuard>> LockStore(const GlobalOptions& global,
                                                          const std::string& path,
                                                          const std::string& location) {
  auto lock = storage::LockStoreForServe(location, kLockPatience);
  if (lock.ok() || lock.status().code() != Status::Code::kConflict) return lock;
  auto store = OpenStore(global, core::OpenMode::kExisting);
  if (!store.ok()) return lock.status();
  auto serve = (*store)->ReadServe();
  if (!serve.ok() || !serve->has_value()) return lock.status();
  const core::ServeRecord& holder = **serve;
  return Status::Conflict(
      fmt::format("store '{}' is already being served by pid {}{} (running since {})", path,
                  holder.pid, holder.host.empty() ? "" : " on " + holder.host,
                  core::FormatRfc3339Ms(holder.started_at_ms)));
}

// Calls Stop() on the scheduler once there is one; a signal that arrives
// before that stops it as soon as it is set.
class StopTarget {
 public:
  void Set(core::Scheduler* scheduler) {
    std::lock_guard lock(mutex_);
    scheduler_ = scheduler;
    if (scheduler_ != nullptr && requested_) scheduler_->Stop();
  }
  void Stop() {
    std::lock_guard lock(mutex_);
    requested_ = true;
    if (scheduler_ != nullptr) scheduler_->Stop();
  }

 private:
  std::mutex mutex_;
  core::Scheduler* scheduler_ = nullptr;
  bool requested_ = false;
};

// What --http asks for, checked before anything is written.
struct HttpRequest {
  http::ListenAddress address;
  std::optional<http::AccessToken> token;  // from --http-token-file
};

core::Result<std::optional<HttpRequest>> ReadHttpOptions(const ServeOptions& options,
                                                         const GlobalOptions& global) {
  if (!options.http) {
    if (options.http_token_file) {
      return Status::InvalidArgument("--http-token-file needs --http ADDR");
    }
    return std::optional<HttpRequest>();
  }
  auto address = http::ParseListenAddress(*options.http);
  if (!address.ok()) return address.status();
  HttpRequest request{*address, std::nullopt};
  if (!options.http_token_file && StoreIsRemote(global)) {
    return Status::InvalidArgument(
        "--http on a PostgreSQL store needs --http-token-file FILE (there is no store file to "
        "keep a token beside)");
  }
  if (options.http_token_file) {
    auto token = http::ReadAccessToken(*options.http_token_file);
    if (!token.ok()) return token.status();
    request.token = std::move(token).value();
  }
  return std::optional<HttpRequest>(std::move(request));
}

// --notify and --notify-timeout; unset when there is no --notify.
core::Result<std::optional<core::NotifierOptions>> ReadNotifyOptions(const ServeOptions& options) {
  if (!options.notify) {
    if (options.notify_timeout)
      return Status::InvalidArgument("--notify-timeout needs --notify CMD");
    return std::optional<core::NotifierOptions>();
  }
  if (options.notify->find_first_not_of(" \t") == std::string::npos) {
    return Status::InvalidArgument("--notify needs a command");
  }
  core::NotifierOptions notify;
  notify.command = *options.notify;
  if (options.notify_timeout) {
    auto timeout = ParseDurationOption("--notify-timeout", *options.notify_timeout, 1);
    if (!timeout.ok()) return timeout.status();
    notify.timeout = std::chrono::milliseconds(*timeout);
  }
  return std::optional<core::NotifierOptions>(std::move(notify));
}

// Starts the HTTP server for `request` on the store at `path`, and says in
// the log where it listens and which file holds the token (never the token).
core::Result<std::unique_ptr<http::HttpServer>> StartHttp(HttpRequest request,
                                                          const GlobalOptions& global,
                                                          const std::string& path,
                                                          core::Scheduler& scheduler,
                                                          ServeLog& log) {
  if (!request.token) {
    auto token = http::EnsureAccessToken(path);
    if (!token.ok()) return token.status();
    request.token = std::move(token).value();
  }
  http::HttpServerOptions http_options;
  http_options.address = request.address;
  http_options.token = request.token->token;
  http_options.store_path = path;
  http_options.open_store = [global] { return OpenStore(global, core::OpenMode::kExisting); };
  http_options.version = VIGY_VERSION;
  http_options.ticks_in_flight = [&scheduler] { return scheduler.TicksInFlight(); };
  auto server = http::HttpServer::Start(std::move(http_options));
  if (!server.ok()) return server.status();
  http::ListenAddress bound = request.address;
  bound.port = (*server)->port();
  log.Note("http_listening", false,
           fmt::format("http: listening on http://{}/ (token in {}{})", bound.ToString(),
                       request.token->path, request.token->created ? ", created now" : ""));
  if (!bound.loopback()) {
    log.Note("http_exposed", true,
             fmt::format("http: {} can be reached from other hosts; whoever holds the token "
                         "can run commands as this user",
                         bound.ToString()));
  }
  return server;
}

}  // namespace

void SetupServe(CLI::App& sub, ServeOptions& options) {
  sub.add_option("--selector,-l", options.selector,
                 "tick only vigies whose labels match: k=v, k!=v or k, joined by commas")
      ->type_name("S");
  sub.add_flag("--once", options.once,
               "tick every vigy that is due now once, then exit (1 if any failed)");
  sub.add_option("--keep-runs", options.keep_runs,
                 "runs kept per vigy; older ones are pruned as ticks commit (default 1000)")
      ->type_name("N");
  sub.add_option("--log-format", options.log_format, "stderr log as text or json lines")
      ->type_name("text|json");
  sub.add_option(
         "--workers", options.workers,
         fmt::format("threads evaluating ticks (default {} here)", core::DefaultWorkerCount()))
      ->type_name("N");
  sub.add_option("--http,--addr,--bind", options.http,
                 "also serve the HTTP API, metrics and status page on ADDR (HOST:PORT; "
                 "a bare PORT means 127.0.0.1:PORT)")
      ->type_name("ADDR");
  sub.add_option("--http-token-file", options.http_token_file,
                 "the bearer token for /v1 is in FILE (only its owner may read it); "
                 "default: STORE.http-token, created at first start")
      ->type_name("FILE");
  sub.add_option("--notify", options.notify,
                 "run CMD (sh -c) when a vigy starts failing, recovers, changes a condition or "
                 "falls behind; the event is JSON on its stdin")
      ->type_name("CMD");
  sub.add_option("--notify-timeout", options.notify_timeout,
                 "how long one run of the --notify command may take (default 30s)")
      ->type_name("D");
  sub.footer(
      "Runs in the foreground until SIGINT, SIGTERM or SIGHUP: ticks each enabled vigy that\n"
      "has a schedule when it is due, and picks up changes other commands make to the store\n"
      "within a second. One serve per store: a second one exits 4 naming the first.\n"
      "On a signal it logs it, stops scheduling, lets ticks in flight finish (each within\n"
      "its timeout) and commits them, then exits 0; a second signal exits at once (130),\n"
      "killing the commands its ticks run. Logs to stderr: start-up, failures, recoveries\n"
      "and condition changes; every tick with -v; only failures\n"
      "with -q. With --http, also answers HTTP (see HTTP API in vigy(1)). With --notify,\n"
      "runs CMD with each failure, recovery, condition change or missed slot as JSON on\n"
      "its stdin (see vigy(1)).");
}

Status RunServe(const Invocation& inv, const ServeOptions& options) {
  core::SchedulerOptions scheduler_options;
  if (options.selector) {
    auto selector = core::ParseSelector(*options.selector);
    if (!selector.ok()) return selector.status();
    scheduler_options.selector = std::move(selector).value();
    scheduler_options.selector_text = *options.selector;
  }
  auto keep = ParseCount("--keep-runs", options.keep_runs, kMaxKeepRuns);
  if (!keep.ok()) return keep.status();
  scheduler_options.keep_runs = static_cast<int64_t>(*keep);
  if (!options.workers.empty()) {
    auto workers = ParseCount("--workers", options.workers, kMaxWorkers);
    if (!workers.ok()) return workers.status();
    scheduler_options.workers = static_cast<int>(*workers);
  }
  LogFormat format = LogFormat::kText;
  if (options.log_format == "json") {
    format = LogFormat::kJson;
  } else if (options.log_format != "text") {
    return Status::InvalidArgument(
        fmt::format("bad --log-format '{}': expected text or json", options.log_format));
  }
  scheduler_options.once = options.once;
  scheduler_options.version = VIGY_VERSION;
  if (std::optional<std::string> zone = core::TimeZone::LocalProblem()) {
    inv.out.PrintError(fmt::format("vigy: warning: {}\n", *zone));
  }
  auto http_request = ReadHttpOptions(options, inv.global);
  if (!http_request.ok()) return http_request.status();
  auto notify = ReadNotifyOptions(options);
  if (!notify.ok()) return notify.status();

  // Create (and migrate) the store first, and close it again: the serve lock
  // must be taken while this process has no connection to the file. A
  // --once pass over a store that does not exist has nothing to tick, and
  // leaves it uncreated, as every command but add and a lasting serve does.
  std::string path;
  std::string location;
  {
    auto store =
        OpenStore(inv.global, options.once ? core::OpenMode::kExisting : core::OpenMode::kCreate);
    if (!store.ok()) return store.status();
    if ((*store)->missing()) return Status::Ok();
    path = (*store)->path();
    location = (*store)->location();
  }
  auto lock = LockStore(inv.global, path, location);
  if (!lock.ok()) return lock.status();
  scheduler_options.lock = lock->get();

  core::SystemClock clock;
  ServeLog log(stderr, format, inv.global.verbosity);
  StopTarget stop;
  // SIGHUP (a closed terminal or SSH session) stops serve as SIGTERM does.
  StopSignals signals([&](int signal) {
    log.WriteSignal(SignalName(signal), clock.NowMs());
    stop.Stop();
  });
  core::Result<core::SchedulerSummary> summary = Status::Ok();
  {
    auto store = OpenStoreForServe(inv.global);
    if (!store.ok()) return store.status();
    std::unique_ptr<http::HttpServer> http_server;
    // Outlives the scheduler: what it still has to tell is told (within
    // its timeout) after the last tick is committed.
    std::unique_ptr<core::Notifier> notifier;
    if (*notify) {
      notifier = std::make_unique<core::Notifier>(
          std::move(**notify),
          [&log](const std::string& line) { log.Note("notify_failed", true, line); });
    }
    core::Scheduler scheduler(
        **store, clock, std::move(scheduler_options),
        [&log, &http_server, &notifier](const core::SchedulerEvent& event) {
          if (http_server && event.kind == core::SchedulerEvent::Kind::kStarted) {
            http_server->SetSchedulerRunning(true);
          }
          if (http_server && event.kind == core::SchedulerEvent::Kind::kStopping) {
            http_server->SetSchedulerRunning(false);
          }
          log.Write(event);
          if (notifier) notifier->Observe(event);
        });
    if (*http_request) {
      auto server = StartHttp(std::move(**http_request), inv.global, path, scheduler, log);
      if (!server.ok()) return server.status();
      http_server = std::move(server).value();
    }
    stop.Set(&scheduler);
    summary = scheduler.Run();
    stop.Set(nullptr);
    if (http_server) http_server->Stop();
  }
  if (!summary.ok()) return summary.status();
  if (options.once && signals.received()) return Status::Interrupted("interrupted");
  if (options.once && summary->failed > 0) {
    return Status::Failed(fmt::format("{} of {} tick{} failed", summary->failed, summary->committed,
                                      summary->committed == 1 ? "" : "s"));
  }
  return Status::Ok();
}

}  // namespace vigy::cli
