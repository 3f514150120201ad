// End to end: the event stream and /metrics of a real `vigy serve --http`,
// fed by runs that other processes (`vigy tick`) commit to the store.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "tests/http/http_serve.h"

namespace vigy::testing {
namespace {

using nlohmann::json;

constexpr const char* kHello = "(vigy-incr \"n\")\n(vigy-noop)\n";
constexpr const char* kBroken = "(vigy-incr \"n\")\n(car 5)\n";

void Add(const Sandbox& sandbox, const std::string& name, const std::string& program) {
  sandbox.Write(name + ".vigy", program);
  BinaryResult added = sandbox.Run({"add", name + ".vigy", "--name", name});
  REQUIRE_MESSAGE(added.exit_code == 0, added.err);
}

// The run `vigy tick NAME --json` commits, from another process.
json TickElsewhere(const Sandbox& sandbox, const std::string& name) {
  BinaryResult ticked = sandbox.Run({"tick", name, "--json"});
  REQUIRE_MESSAGE((ticked.exit_code == 0 || ticked.exit_code == 1), ticked.err);
  return json::parse(ticked.out);
}

// An event stream read on a thread of its own, kept as text.
class Stream {
 public:
  Stream(const HttpServe& serve, const std::string& path, bool with_token = true)
      : client_(std::make_unique<httplib::Client>(serve.Client(with_token))), thread_([this, path] {
          auto res = client_->Get(path, [this](const char* data, size_t size) {
            std::lock_guard lock(mutex_);
            text_.append(data, size);
            return !stop_;
          });
          std::lock_guard lock(mutex_);
          status_ = res ? res->status : -1;
          ended_ = true;
        }) {}
  ~Stream() {
    stop_ = true;
    client_->stop();  // now, not at the stream's next keepalive
    thread_.join();
  }
  std::string Text() {
    std::lock_guard lock(mutex_);
    return text_;
  }
  bool Ended() {
    std::lock_guard lock(mutex_);
    return ended_;
  }
  bool WaitFor(const std::string& needle) {
    return BackgroundVigy::WaitUntil([&] { return Text().find(needle) != std::string::npos; },
                                     std::chrono::seconds(10));
  }

 private:
  std::mutex mutex_;
  std::string text_;
  int status_ = 0;
  bool ended_ = false;
  std::atomic<bool> stop_{false};
  std::unique_ptr<httplib::Client> client_;
  std::thread thread_;
};

// The data line of the event whose id line is `id: ID`.
json EventData(const std::string& text, const std::string& run_id) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("data: ", 0) != 0) continue;
    json run = json::parse(line.substr(6), nullptr, false);
    if (run.is_object() && run.value("id", "") == run_id) return run;
  }
  return nullptr;
}

// The cases below run on both stores (tests/support/store_kind.h).
TEST_SUITE_BEGIN("store");

TEST_CASE("the event stream sends a run that vigy tick commits from another process") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  Add(sandbox, "hello", kHello);
  Stream stream(serve, "/v1/events");
  REQUIRE(stream.WaitFor("retry: "));
  json run = TickElsewhere(sandbox, "hello");
  REQUIRE(stream.WaitFor(run["id"].get<std::string>()));
  json sent = EventData(stream.Text(), run["id"]);
  REQUIRE(sent.is_object());
  CHECK(sent == run);
  // The original's VigyRun fields.
  for (const char* field : {"id", "vigy_id", "started_at", "ended_at", "result", "actions"}) {
    CHECK(sent.contains(field));
  }
  CHECK(stream.Text().find("\nid: ") != std::string::npos);
}

TEST_CASE("the event stream's vigy_id filter leaves other vigies' runs out") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  Add(sandbox, "hello", kHello);
  Add(sandbox, "other", kHello);
  Stream only_other(serve, "/v1/events?vigy_id=other");
  REQUIRE(only_other.WaitFor("retry: "));
  json hello = TickElsewhere(sandbox, "hello");
  json other = TickElsewhere(sandbox, "other");
  REQUIRE(only_other.WaitFor(other["id"].get<std::string>()));
  CHECK(only_other.Text().find(hello["id"].get<std::string>()) == std::string::npos);

  auto missing = serve.Get("/v1/events?vigy_id=nosuch");
  REQUIRE(missing);
  CHECK(missing->status == 404);
}

TEST_CASE("a ticket opens the event stream without the token, and only the event stream") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  Add(sandbox, "hello", kHello);
  auto issued = serve.Post("/v1/events/ticket");
  REQUIRE(issued);
  CHECK(issued->status == 201);
  const std::string ticket = JsonOf(issued)["ticket"];
  CHECK(JsonOf(issued).contains("expires_at"));

  Stream stream(serve, "/v1/events?ticket=" + ticket, /*with_token=*/false);
  REQUIRE(stream.WaitFor("retry: "));
  json run = TickElsewhere(sandbox, "hello");
  CHECK(stream.WaitFor(run["id"].get<std::string>()));

  auto elsewhere = serve.Client(false).Get("/v1/vigies?ticket=" + ticket);
  REQUIRE(elsewhere);
  CHECK(elsewhere->status == 401);
  auto forged = serve.Client(false).Get("/v1/events?ticket=" + std::string(64, '0'));
  REQUIRE(forged);
  CHECK(forged->status == 401);
}

TEST_CASE("a stream resumes after the Last-Event-ID it was given") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  Add(sandbox, "hello", kHello);
  Stream first(serve, "/v1/events");
  REQUIRE(first.WaitFor("retry: "));
  json one = TickElsewhere(sandbox, "hello");
  REQUIRE(first.WaitFor(one["id"].get<std::string>()));
  const std::string text = first.Text();
  size_t at = text.find("id: ");
  REQUIRE(at != std::string::npos);
  const std::string seq = text.substr(at + 4, text.find('\n', at) - at - 4);
  json two = TickElsewhere(sandbox, "hello");
  Stream resumed(serve, "/v1/events?last_event_id=" + seq);
  REQUIRE(resumed.WaitFor(two["id"].get<std::string>()));
  CHECK(resumed.Text().find(one["id"].get<std::string>()) == std::string::npos);

  auto bad = serve.Get("/v1/events?last_event_id=x");
  REQUIRE(bad);
  CHECK(bad->status == 400);
}

// Metric lines "name{labels} value" by "name{labels}".
std::map<std::string, double> Samples(const std::string& text) {
  std::map<std::string, double> samples;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return samples;
}

TEST_CASE("/metrics counts the runs the store holds, by vigy and result") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  Add(sandbox, "good", kHello);
  Add(sandbox, "bad", kBroken);
  for (int i = 0; i < 3; ++i) TickElsewhere(sandbox, "good");
  for (int i = 0; i < 2; ++i) CHECK(TickElsewhere(sandbox, "bad")["result"] == "failed");

  std::map<std::string, double> samples;
  REQUIRE(BackgroundVigy::WaitUntil([&] {
    auto res = serve.Client(false).Get("/metrics");
    if (!res || res->status != 200) return false;
    CHECK(res->get_header_value("Content-Type").find("text/plain; version=0.0.4") == 0);
    samples = Samples(res->body);
    return samples["vigy_tick_duration_seconds_count"] == 5;
  }));
  // Checked against what the store holds.
  for (const char* name : {"good", "bad"}) {
    BinaryResult runs = sandbox.Run({"runs", name, "--json", "--limit", "100"});
    json list = json::parse(runs.out);
    std::map<std::string, double> by_result;
    for (const json& run : list) by_result[run["result"]] += 1;
    for (const auto& entry : by_result) {
      const std::string& result = entry.first;  // a plain name: CAPTURE cannot take a binding
      CAPTURE(name);
      CAPTURE(result);
      CHECK(samples[fmt::format("vigy_ticks_total{{vigy=\"{}\",result=\"{}\"}}", name, result)] ==
            entry.second);
    }
  }
  CHECK(samples["vigy_ticks_total{vigy=\"good\",result=\"ok\"}"] == 3);
  CHECK(samples["vigy_ticks_total{vigy=\"bad\",result=\"failed\"}"] == 2);
  CHECK(samples["vigy_consecutive_failures{vigy=\"bad\"}"] == 2);
  CHECK(samples["vigy_consecutive_failures{vigy=\"good\"}"] == 0);
  CHECK(samples["vigy_vigies{state=\"failing\"}"] == 1);
  CHECK(samples["vigy_vigies{state=\"enabled\"}"] == 1);
  CHECK(samples["vigy_vigies{state=\"disabled\"}"] == 0);
  CHECK(samples.contains("vigy_last_success_timestamp_seconds{vigy=\"good\"}"));
  CHECK_FALSE(samples.contains("vigy_last_success_timestamp_seconds{vigy=\"bad\"}"));
  CHECK(samples["vigy_tick_duration_seconds_bucket{le=\"+Inf\"}"] == 5);
  CHECK(samples["vigy_ticks_in_flight"] == 0);
  CHECK(samples["vigy_serve_start_time_seconds"] > 1.7e9);
  CHECK(samples.contains("vigy_build_info{version=\"" VIGY_TEST_VERSION "\"}"));
}

TEST_CASE("/metrics labels carry vigy names only, never programs or kv") {
  Sandbox sandbox;
  HttpServe serve(sandbox);
  Add(sandbox, "secretive", "(vigy-set \"password\" \"hunter2-kv\")\n(vigy-noop)\n");
  TickElsewhere(sandbox, "secretive");
  REQUIRE(BackgroundVigy::WaitUntil([&] {
    auto res = serve.Client(false).Get("/metrics");
    return res && res->body.find("vigy=\"secretive\",result=\"ok\"") != std::string::npos;
  }));
  auto res = serve.Client(false).Get("/metrics");
  CHECK(res->body.find("hunter2") == std::string::npos);
  CHECK(res->body.find("vigy-set") == std::string::npos);
}

TEST_SUITE_END();

}  // namespace
}  // namespace vigy::testing
