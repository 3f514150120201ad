#include "core/model_json.h"

#include <doctest/doctest.h>

#include "core/time_format.h"

namespace vigy::core {
namespace {

using nlohmann::json;

RunRecord SampleRun() {
  RunRecord run;
  run.id = "019abc0000000000002a";
  run.vigy_id = "0123456789abcdef";
  run.vigy_name = "backup";
  run.revision = "a1b2c3d4e5f6";
  run.tick = 7;
  run.started_at_ms = 1795674600123;
  run.ended_at_ms = 1795674600168;
  run.duration_ms = 45;
  run.result = "ok";
  run.actions.push_back(ActionRecord{"noop", std::nullopt, "ok", std::nullopt});
  run.actions.push_back(ActionRecord{"pull", json{{"repo", "x"}}, std::nullopt, std::nullopt});
  run.actions.push_back(ActionRecord{"defer", std::nullopt, "skipped", "busy"});
  run.log.push_back(LogEntry{"info", "hello"});
  run.events.push_back(EventRecord{"Synced", "all good"});
  run.metrics["files"] = 12;
  run.metrics["ratio"] = 0.5;
  run.trace["step"] = json::array({1, 2});
  return run;
}

TEST_CASE("timestamps format as RFC 3339 UTC with milliseconds") {
  CHECK(FormatRfc3339Ms(0) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatRfc3339Ms(1795674600123) == "2026-11-26T06:30:00.123Z");
  CHECK(FormatRfc3339Ms(951868799999) == "2000-02-29T23:59:59.999Z");
  CHECK(FormatRfc3339Ms(-1) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("RFC 3339 timestamps parse back to the same milliseconds") {
  for (int64_t ms : {int64_t{0}, int64_t{1795674600123}, int64_t{951868799999}, int64_t{-1}}) {
    CHECK(ParseRfc3339Ms(FormatRfc3339Ms(ms)) == ms);
  }
  CHECK(ParseRfc3339Ms("2026-11-26T07:30:00.123+01:00") == 1795674600123);
  CHECK(ParseRfc3339Ms("2026-11-26t06:30:00z") == 1795674600000);
  CHECK(ParseRfc3339Ms("2026-11-26T06:30:00.1234567Z") == 1795674600123);
  CHECK(ParseRfc3339Ms("2026-11-26T06:30:00.1Z") == 1795674600100);
}

TEST_CASE("malformed or impossible timestamps do not parse") {
  CHECK_FALSE(ParseRfc3339Ms(""));
  CHECK_FALSE(ParseRfc3339Ms("2026-11-26"));
  CHECK_FALSE(ParseRfc3339Ms("2026-11-26T06:30:00"));
  CHECK_FALSE(ParseRfc3339Ms("2026-02-30T06:30:00Z"));
  CHECK_FALSE(ParseRfc3339Ms("2026-11-26T24:00:00Z"));
  CHECK_FALSE(ParseRfc3339Ms("2026-11-26T06:30:00.Z"));
  CHECK_FALSE(ParseRfc3339Ms("2026-11-26T06:30:00Z junk"));
}

TEST_CASE("a successful run's JSON has exactly the documented fields and no error") {
  json j = ToJson(SampleRun());
  json expected = json::parse(R"({
    "id": "019abc0000000000002a",
    "vigy_id": "0123456789abcdef",
    "vigy_name": "backup",
    "revision": "a1b2c3d4e5f6",
    "tick": 7,
    "started_at": "2026-11-26T06:30:00.123Z",
    "ended_at": "2026-11-26T06:30:00.168Z",
    "duration_ms": 45,
    "result": "ok",
    "actions": [
      {"kind": "noop", "result": "ok"},
      {"kind": "pull", "payload": {"repo": "x"}},
      {"kind": "defer", "result": "skipped", "message": "busy"}
    ],
    "log": [{"level": "info", "message": "hello"}],
    "events": [{"kind": "Synced", "message": "all good"}],
    "metrics": {"files": 12, "ratio": 0.5},
    "trace": {"step": [1, 2]}
  })");
  CHECK(j == expected);
  CHECK(j["metrics"]["files"].is_number_integer());
}

TEST_CASE("a failed run's JSON carries its error") {
  RunRecord run = SampleRun();
  run.result = "failed";
  run.error = "3:5: 'car' of an empty list";
  json j = ToJson(run);
  CHECK(j["result"] == "failed");
  CHECK(j["error"] == "3:5: 'car' of an empty list");
}

TEST_CASE("a run's JSON reads back into the same run") {
  RunRecord run = SampleRun();
  run.result = "failed";
  run.error = "1:1: boom";
  Result<RunRecord> back = RunRecordFromJson(ToJson(run));
  REQUIRE(back.ok());
  CHECK(*back == run);
}

TEST_CASE("a scheduled run's JSON has its scheduled_at and reads back, without its seq") {
  RunRecord run = SampleRun();
  run.scheduled_at_ms = 1795674600120;
  run.seq = 42;
  json j = ToJson(run);
  CHECK(j["scheduled_at"] == "2026-11-26T06:30:00.120Z");
  CHECK_FALSE(j.contains("seq"));
  CHECK_FALSE(ToJson(SampleRun()).contains("scheduled_at"));
  Result<RunRecord> back = RunRecordFromJson(j);
  REQUIRE(back.ok());
  CHECK(back->scheduled_at_ms == run.scheduled_at_ms);
  CHECK(back->seq == 0);

  j["scheduled_at"] = "yesterday";
  CHECK(RunRecordFromJson(j).status().message() ==
        "run: field 'scheduled_at' must be an RFC 3339 timestamp");
}

TEST_CASE("a run with a missing or mistyped field is refused with the field's name") {
  json j = ToJson(SampleRun());
  j.erase("tick");
  Result<RunRecord> missing = RunRecordFromJson(j);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Status::Code::kInvalidArgument);
  CHECK(missing.status().message() == "run: missing field 'tick'");

  j = ToJson(SampleRun());
  j["started_at"] = 12;
  CHECK(RunRecordFromJson(j).status().message() ==
        "run: field 'started_at' must be an RFC 3339 timestamp");

  j = ToJson(SampleRun());
  j["actions"][0].erase("kind");
  CHECK(RunRecordFromJson(j).status().message() == "action: missing field 'kind'");
}

TEST_CASE("conditions and state serialize with their documented fields") {
  Condition ready{"Ready", "true", std::nullopt, std::nullopt, 1795674600123};
  Condition synced{"Synced", "false", "Behind", "3 commits behind", 0};
  CHECK(ToJson(ready) == json::parse(R"({"name": "Ready", "status": "true",
                                         "last_transition": "2026-11-26T06:30:00.123Z"})"));
  CHECK(ToJson(synced) == json::parse(R"({"name": "Synced", "status": "false",
                                          "reason": "Behind", "message": "3 commits behind",
                                          "last_transition": "1970-01-01T00:00:00.000Z"})"));

  VigyState state;
  state.desired["replicas"] = 3;
  state.conditions = {ready, synced};
  json j = ToJson(state);
  CHECK(j["desired"] == json{{"replicas", 3}});
  CHECK(j["observed"] == json::object());
  CHECK(j["conditions"].size() == 2);
  Result<VigyState> back = VigyStateFromJson(j);
  REQUIRE(back.ok());
  CHECK(*back == state);
}

TEST_CASE("a condition with an unknown status does not read back") {
  json j = ToJson(Condition{"Ready", "true", std::nullopt, std::nullopt, 0});
  j["status"] = "maybe";
  CHECK(ConditionFromJson(j).status().message() == "condition: unknown status 'maybe'");
}

TEST_CASE("kv as JSON leaves out the runtime's keys unless asked") {
  Kv kv{{"count", 3}, {"__tick_count", 9}};
  CHECK(KvToJson(kv) == json{{"count", 3}});
  CHECK(KvToJson(kv, true) == json{{"count", 3}, {"__tick_count", 9}});
}

}  // namespace
}  // namespace vigy::core
