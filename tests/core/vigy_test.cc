#include "core/vigy.h"

#include <doctest/doctest.h>

namespace vigy::core {
namespace {

using nlohmann::json;

constexpr int64_t kT0 = 1795674600123;  // 2026-11-26T06:30:00.123Z

Vigy FullVigy() {
  Vigy vigy;
  vigy.id = "7455304b2918fa7b";
  vigy.name = "backup";
  vigy.program = "(vigy-noop)\n";
  vigy.revision = "a1b2c3d4e5f6";
  vigy.schedule = Schedule{ScheduleKind::kEvery, 5000, "", 250};
  vigy.enabled = false;
  vigy.labels = {{"app", "web"}, {"tier", ""}};
  vigy.timeout_ms = 2000;
  vigy.max_steps = 1000000;
  vigy.handler = "./apply.sh";
  vigy.created_at_ms = kT0;
  vigy.updated_at_ms = kT0 + 1000;
  return vigy;
}

TEST_CASE("a vigy's JSON has the documented fields") {
  CHECK(ToJson(FullVigy()) == json::parse(R"({
    "id": "7455304b2918fa7b",
    "name": "backup",
    "program": "(vigy-noop)\n",
    "revision": "a1b2c3d4e5f6",
    "schedule": {"kind": "every", "every_ms": 5000, "jitter_ms": 250},
    "enabled": false,
    "labels": {"app": "web", "tier": ""},
    "timeout_ms": 2000,
    "max_steps": 1000000,
    "handler": "./apply.sh",
    "created_at": "2026-11-26T06:30:00.123Z",
    "updated_at": "2026-11-26T06:30:01.123Z"
  })"));
}

TEST_CASE("unset optional fields are absent from a vigy's JSON, never null") {
  Vigy vigy = FullVigy();
  vigy.timeout_ms.reset();
  vigy.max_steps.reset();
  vigy.handler.reset();
  vigy.labels.clear();
  json j = ToJson(vigy);
  CHECK_FALSE(j.contains("timeout_ms"));
  CHECK_FALSE(j.contains("max_steps"));
  CHECK_FALSE(j.contains("handler"));
  CHECK(j["labels"] == json::object());
}

TEST_CASE("each schedule kind shows only its own fields") {
  CHECK(ToJson(Schedule{}) == json{{"kind", "none"}});
  CHECK(ToJson(Schedule{ScheduleKind::kCron, 0, "*/5 * * * *", 0}) ==
        json{{"kind", "cron"}, {"cron", "*/5 * * * *"}, {"jitter_ms", 0}});
  CHECK(ToJson(Schedule{ScheduleKind::kEvery, 250, "", 0}) ==
        json{{"kind", "every"}, {"every_ms", 250}, {"jitter_ms", 0}});
}

TEST_CASE("schedule kinds have stable names") {
  CHECK(ScheduleKindName(ScheduleKind::kNone) == "none");
  CHECK(ScheduleKindName(ScheduleKind::kEvery) == "every");
  CHECK(ScheduleKindName(ScheduleKind::kCron) == "cron");
  CHECK(ParseScheduleKind("cron") == ScheduleKind::kCron);
  CHECK_FALSE(ParseScheduleKind("hourly"));
}

TEST_CASE("a vigy's JSON reads back to the same vigy") {
  Vigy full = FullVigy();
  CHECK(VigyFromJson(ToJson(full)).value() == full);
  Vigy plain = FullVigy();
  plain.schedule = Schedule{ScheduleKind::kCron, 0, "0 3 * * *", 0};
  plain.timeout_ms.reset();
  plain.handler.reset();
  CHECK(VigyFromJson(ToJson(plain)).value() == plain);
  plain.schedule = Schedule{};
  CHECK(VigyFromJson(ToJson(plain)).value() == plain);
}

TEST_CASE("reading a vigy names the missing or mistyped field") {
  json j = ToJson(FullVigy());
  j.erase("name");
  CHECK(VigyFromJson(j).status() == Status::InvalidArgument("vigy: missing field 'name'"));
  j = ToJson(FullVigy());
  j["enabled"] = "yes";
  CHECK(VigyFromJson(j).status() ==
        Status::InvalidArgument("vigy: field 'enabled' must be a boolean"));
  j = ToJson(FullVigy());
  j["labels"]["app"] = 3;
  CHECK(VigyFromJson(j).status() == Status::InvalidArgument("vigy: label 'app' must be a string"));
  j = ToJson(FullVigy());
  j["schedule"]["kind"] = "hourly";
  CHECK(VigyFromJson(j).status() ==
        Status::InvalidArgument("schedule: unknown kind 'hourly' (expected none, every or cron)"));
  j = ToJson(FullVigy());
  j["created_at"] = "yesterday";
  CHECK(VigyFromJson(j).status() ==
        Status::InvalidArgument("vigy: field 'created_at' must be an RFC 3339 timestamp"));
  CHECK(VigyFromJson(json::array()).status() ==
        Status::InvalidArgument("vigy must be a JSON object"));
}

TEST_CASE("runtime counters show times only once they happened") {
  CHECK(ToJson(VigyRuntime{}) == json{{"tick_count", 0}, {"consecutive_failures", 0}});
  VigyRuntime runtime;
  runtime.tick_count = 3;
  runtime.last_tick_ms = kT0;
  runtime.consecutive_failures = 2;
  runtime.backoff_until_ms = kT0 + 2000;
  runtime.next_due_ms = kT0 + 5000;
  runtime.last_result = "failed";
  runtime.last_run_at_ms = kT0 + 40;
  CHECK(ToJson(runtime) == json::parse(R"({
    "tick_count": 3,
    "consecutive_failures": 2,
    "last_tick": "2026-11-26T06:30:00.123Z",
    "last_result": "failed",
    "last_run_at": "2026-11-26T06:30:00.163Z",
    "backoff_until": "2026-11-26T06:30:02.123Z",
    "next_due": "2026-11-26T06:30:05.123Z"
  })"));
}

}  // namespace
}  // namespace vigy::core
