// The operations every surface calls (core/operations.h), on real store files.
#include "core/operations.h"

#include <doctest/doctest.h>

#include <limits>

#include "core/duration.h"
#include "tests/storage/store_helpers.h"

namespace vigy::core {
namespace {

using storage::testing::OpenStore;
using storage::testing::TempDir;

struct Fixture {
  TempDir dir;
  std::unique_ptr<storage::SqliteStore> store = OpenStore(dir.File("vigy.db"));
};

Registered MustRegister(Store& store, const std::string& name, const std::string& program,
                        VigySettings settings = {}) {
  RegisterRequest request;
  request.name = name;
  request.program = program;
  request.settings = std::move(settings);
  Result<Registered> registered = RegisterVigy(store, request);
  INFO(registered.status().ToString());
  REQUIRE(registered.ok());
  return *registered;
}

TEST_CASE("register stores a checked vigy, and refuses a taken name unless asked to replace") {
  Fixture f;
  VigySettings settings;
  settings.every = GivenMs{5000, "5s"};
  settings.labels = {{"team", "web"}};
  Registered first = MustRegister(*f.store, "web", "(vigy-noop)", settings);
  CHECK_FALSE(first.replaced);
  CHECK(first.vigy.schedule.every_ms == 5000);
  CHECK(first.vigy.labels.at("team") == "web");
  CHECK(f.store->GetVigy(first.vigy.id).ok());

  RegisterRequest again{.name = "web", .program = "(vigy-noop) (vigy-noop)"};
  Result<Registered> taken = RegisterVigy(*f.store, again);
  CHECK(taken.status() ==
        Status::Conflict("vigy 'web' already exists (use --replace to overwrite it)"));

  REQUIRE(SetKv(*f.store, "web", "kept", 7).ok());
  again.replace = true;
  Result<Registered> replaced = RegisterVigy(*f.store, again);
  REQUIRE(replaced.ok());
  CHECK(replaced->replaced);
  CHECK(replaced->vigy.created_at_ms == first.vigy.created_at_ms);
  CHECK(replaced->vigy.schedule.kind == ScheduleKind::kNone);
  CHECK(f.store->GetVigy(first.vigy.id)->program == "(vigy-noop) (vigy-noop)");
  CHECK(*GetKv(*f.store, "web", "kept") == 7);
}

TEST_CASE("register refuses a program that does not compile with every error, writing nothing") {
  Fixture f;
  RegisterRequest request{
      .name = "bad", .program = "(vigy-noop)\n(undefined-thing 1)\n(car)", .file = "bad.vigy"};
  std::vector<lisp::Diagnostic> diagnostics;
  Result<Registered> registered = RegisterVigy(*f.store, request, &diagnostics);
  CHECK(registered.status() == Status::Failed("bad.vigy does not compile; nothing was added"));
  REQUIRE(diagnostics.size() == 2);
  CHECK(diagnostics[0].pos.line == 2);
  CHECK(diagnostics[0].pos.col == 2);
  CHECK(diagnostics[1].pos.line == 3);
  CHECK(f.store->ListVigies()->empty());

  request.program = "; only a comment\n";
  CHECK(RegisterVigy(*f.store, request).status() ==
        Status::Failed("bad.vigy is empty: a program needs at least one form; nothing was added"));
}

TEST_CASE("register checks the settings' rules and the name before anything is written") {
  Fixture f;
  VigySettings fast;
  fast.every = GivenMs{99, "99"};
  RegisterRequest request{.name = "web", .program = "(vigy-noop)", .settings = fast};
  CHECK(RegisterVigy(*f.store, request).status() ==
        Status::InvalidArgument("bad --every '99': the shortest interval is 100ms"));
  // Every duration is bounded here, whatever surface parsed it: an interval
  // or jitter past 365 days would overflow the next due time.
  request.settings = {};
  request.settings.every = GivenMs{std::numeric_limits<int64_t>::max(), ""};
  CHECK(RegisterVigy(*f.store, request).status() ==
        Status::InvalidArgument("bad --every '9223372036854775807ms': longer than 365d"));
  request.settings = {};
  request.settings.cron = "* * * * *";
  request.settings.jitter = GivenMs{kMaxDurationMs + 1, "365d1ms"};
  CHECK(RegisterVigy(*f.store, request).status() ==
        Status::InvalidArgument("bad --jitter '365d1ms': longer than 365d"));
  request.settings = {};
  request.settings.every = GivenMs{kMaxDurationMs, ""};
  request.name = "yearly";
  CHECK(RegisterVigy(*f.store, request).ok());
  CHECK(DeleteVigies(*f.store, {"yearly"}).ok());
  request.name = "web";
  request.settings = {};
  request.settings.jitter = GivenMs{1000, ""};
  CHECK(RegisterVigy(*f.store, request).status() ==
        Status::InvalidArgument("--jitter needs a schedule (--every or --cron)"));
  request.settings = {};
  request.settings.labels = {{"bad key", "x"}};
  CHECK(RegisterVigy(*f.store, request).status().code() == Status::Code::kInvalidArgument);
  request.settings = {};
  request.name = "no spaces allowed";
  CHECK(RegisterVigy(*f.store, request).status().code() == Status::Code::kInvalidArgument);
  CHECK(f.store->ListVigies()->empty());
}

TEST_CASE("update changes only what is given and keeps kv and history") {
  Fixture f;
  VigySettings every;
  every.every = GivenMs{5000, "5s"};
  MustRegister(*f.store, "web", "(vigy-noop)", every);
  REQUIRE(SetKv(*f.store, "web", "n", 1).ok());
  REQUIRE(TickVigy(*f.store, "web").ok());

  UpdateRequest request{.ref = "web"};
  CHECK(UpdateVigy(*f.store, request).status() ==
        Status::InvalidArgument("nothing to update: give a FILE or a setting to change"));
  request.settings.labels = {{"tier", "gold"}};
  Result<VigyWithRuntime> updated = UpdateVigy(*f.store, request);
  REQUIRE(updated.ok());
  CHECK(updated->vigy.labels.at("tier") == "gold");
  CHECK(updated->vigy.schedule.every_ms == 5000);
  REQUIRE(updated->runtime);
  CHECK(updated->runtime->tick_count == 1);
  CHECK(*GetKv(*f.store, "web", "n") == 1);

  request.settings = {};
  request.program = "(nope";
  std::vector<lisp::Diagnostic> diagnostics;
  CHECK(UpdateVigy(*f.store, request, &diagnostics).status() ==
        Status::Failed("web does not compile; nothing was changed"));
  CHECK(diagnostics.size() == 1);
  CHECK(f.store->GetVigy(updated->vigy.id)->program == "(vigy-noop)");

  request.program.reset();
  request.ref = "nobody";
  request.settings.no_schedule = true;
  CHECK(UpdateVigy(*f.store, request).status() == Status::NotFound("no such vigy 'nobody'"));
}

TEST_CASE("references resolve by name, id and unique id prefix, each vigy once") {
  Fixture f;
  Vigy web = MustRegister(*f.store, "web", "(vigy-noop)").vigy;
  CHECK(FindVigy(*f.store, "web")->id == web.id);
  CHECK(FindVigy(*f.store, web.id)->name == "web");
  CHECK(FindVigy(*f.store, web.id.substr(0, 4))->name == "web");
  CHECK(FindVigy(*f.store, web.id.substr(0, 3)).status().code() == Status::Code::kNotFound);
  Result<std::vector<Vigy>> both = ResolveVigies(*f.store, {"web", web.id});
  REQUIRE(both.ok());
  CHECK(both->size() == 1);
  CHECK(ResolveVigies(*f.store, {"web", "ghost"}).status() ==
        Status::NotFound("no such vigy 'ghost'"));
}

TEST_CASE("list filters by selector and stops at the limit, by name") {
  Fixture f;
  VigySettings web;
  web.labels = {{"team", "web"}};
  MustRegister(*f.store, "c", "(vigy-noop)", web);
  MustRegister(*f.store, "a", "(vigy-noop)", web);
  MustRegister(*f.store, "b", "(vigy-noop)");
  Result<VigyList> all = ListVigies(*f.store, {});
  REQUIRE(all.ok());
  CHECK(all->vigies.size() == 3);
  CHECK_FALSE(all->serve_live);
  Result<VigyList> team = ListVigies(*f.store, {.selector = "team=web", .limit = 1});
  REQUIRE(team.ok());
  REQUIRE(team->vigies.size() == 1);
  CHECK(team->vigies[0].vigy.name == "a");
  CHECK(ListVigies(*f.store, {.selector = "a==b"}).status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(ListVigies(*f.store, {.limit = -1}).status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("show returns the record, counters, state, kv and the recent runs newest first") {
  Fixture f;
  MustRegister(*f.store, "web", "(vigy-observed \"up\" true) (vigy-set \"n\" 1)");
  for (int i = 0; i < 7; ++i) REQUIRE(TickVigy(*f.store, "web").ok());
  Result<VigyDetail> detail = ShowVigy(*f.store, "web");
  REQUIRE(detail.ok());
  CHECK(detail->runtime.tick_count == 7);
  REQUIRE(detail->state);
  CHECK(detail->state->state.observed["up"] == true);
  CHECK(detail->kv.at("n") == 1);
  REQUIRE(detail->runs.size() == kRecentRuns);
  CHECK(detail->runs[0].tick == 7);
  nlohmann::json j = ToJson(*detail);
  CHECK(j["vigy"]["name"] == "web");
  CHECK(j["runs"].size() == kRecentRuns);
}

TEST_CASE("enable, disable and delete look every ref up before changing anything") {
  Fixture f;
  MustRegister(*f.store, "a", "(vigy-noop)");
  MustRegister(*f.store, "b", "(vigy-noop)");
  CHECK(SetVigiesEnabled(*f.store, {"a", "ghost"}, false).status().code() ==
        Status::Code::kNotFound);
  CHECK(FindVigy(*f.store, "a")->enabled);
  Result<std::vector<EnabledChange>> disabled = SetVigiesEnabled(*f.store, {"a", "b"}, false);
  REQUIRE(disabled.ok());
  CHECK_FALSE((*disabled)[0].vigy.enabled);
  CHECK((*disabled)[0].changed);
  CHECK_FALSE(FindVigy(*f.store, "b")->enabled);
  REQUIRE(SetVigiesEnabled(*f.store, {"b"}, true).ok());
  CHECK(FindVigy(*f.store, "b")->enabled);

  CHECK(DeleteVigies(*f.store, {"a", "ghost"}).status().code() == Status::Code::kNotFound);
  CHECK(FindVigy(*f.store, "a").ok());
  Result<std::vector<Vigy>> deleted = DeleteVigies(*f.store, {"a"});
  REQUIRE(deleted.ok());
  CHECK((*deleted)[0].name == "a");
  CHECK(FindVigy(*f.store, "a").status().code() == Status::Code::kNotFound);
}

TEST_CASE("tick by names ticks disabled vigies too, --all and selectors only enabled ones") {
  Fixture f;
  VigySettings off;
  off.enabled = false;
  MustRegister(*f.store, "on", "(vigy-noop)");
  MustRegister(*f.store, "off", "(vigy-noop)", off);
  std::vector<std::string> ticked;
  auto report = [&](const Vigy& vigy, const Result<RunRecord>& run) {
    CHECK(run.ok());
    ticked.push_back(vigy.name);
  };
  REQUIRE(TickVigies(*f.store, {.all = true}, report).ok());
  CHECK(ticked == std::vector<std::string>{"on"});
  ticked.clear();
  REQUIRE(TickVigies(*f.store, {.refs = {"off"}}, report).ok());
  CHECK(ticked == std::vector<std::string>{"off"});
  CHECK(TickVigies(*f.store, {}, report) ==
        Status::InvalidArgument("name the vigies to tick, or give --all or --selector (one)"));
  CHECK(CheckTickRequest({.all = true, .selector = "x"}).code() == Status::Code::kInvalidArgument);

  Result<RunRecord> dry = TickVigy(*f.store, "on", /*dry_run=*/true);
  REQUIRE(dry.ok());
  CHECK(ListRuns(*f.store, {.ref = "on"})->size() == 1);
}

TEST_CASE("runs filter by vigy, failure and time, and prune keeps the newest") {
  Fixture f;
  MustRegister(*f.store, "ok", "(vigy-noop)");
  MustRegister(*f.store, "bad", "(throw (error \"boom\"))");
  for (int i = 0; i < 3; ++i) {
    REQUIRE(TickVigy(*f.store, "ok").ok());
    REQUIRE(TickVigy(*f.store, "bad").ok());
  }
  CHECK(ListRuns(*f.store, {})->size() == 6);
  CHECK(ListRuns(*f.store, {.limit = 2})->size() == 2);
  Result<std::vector<RunRecord>> failed = ListRuns(*f.store, {.failed_only = true});
  REQUIRE(failed.ok());
  REQUIRE(failed->size() == 3);
  CHECK(failed->front().error.value_or("").find("boom") != std::string::npos);
  CHECK(ListRuns(*f.store, {.since_ms = SystemNowMs() + 60000})->empty());
  CHECK(ListRuns(*f.store, {.ref = "ghost"}).status().code() == Status::Code::kNotFound);
  CHECK(*PruneRuns(*f.store, std::string("ok"), 1) == 2);
  CHECK(ListRuns(*f.store, {.ref = "ok"})->size() == 1);
  CHECK(ListRuns(*f.store, {.ref = "bad"})->size() == 3);
}

TEST_CASE("kv from outside a tick: runtime keys readable, never written") {
  Fixture f;
  MustRegister(*f.store, "web", "(vigy-noop)");
  REQUIRE(TickVigy(*f.store, "web").ok());
  CHECK(SetKv(*f.store, "web", "__tick_count", 9).code() == Status::Code::kInvalidArgument);
  CHECK(RemoveKv(*f.store, "web", "__tick_count").code() == Status::Code::kInvalidArgument);
  CHECK(SetKv(*f.store, "web", "", 1) == Status::InvalidArgument("the kv key is empty"));
  REQUIRE(SetKv(*f.store, "web", "name", "x").ok());
  CHECK(*GetKv(*f.store, "web", "name") == "x");
  CHECK(ListKv(*f.store, "web")->count("__tick_count") == 1);
  REQUIRE(RemoveKv(*f.store, "web", "name").ok());
  CHECK(GetKv(*f.store, "web", "name").status() == Status::Failed("no key 'name' in vigy 'web'"));
  CHECK(RemoveKv(*f.store, "web", "name") == Status::Failed("no key 'name' in vigy 'web'"));
  CHECK(SetKv(*f.store, "ghost", "k", 1).code() == Status::Code::kNotFound);
}

TEST_CASE("check reports every compile error with its line and column") {
  ProgramCheck check = CheckProgram("(vigy-noop)\n  (nope 1)\n(car)", "p.vigy");
  CHECK_FALSE(check.ok());
  REQUIRE(check.errors.size() == 2);
  CHECK(check.errors[0].pos.line == 2);
  CHECK(check.errors[0].pos.col == 4);
  CHECK(check.errors[0].file == "p.vigy");
  CHECK(CheckProgram("(vigy-noop)", "p").ok());
  CHECK(CheckProgram("", "p").empty);
}

TEST_CASE("run evaluates once without a store, against the kv it is given") {
  RunRequest request;
  request.source = "(vigy-set \"n\" (+ 1 (vigy-get \"n\" 0)))";
  request.vigy_name = "counter";
  request.kv["n"] = 41;
  Result<TickOutcome> outcome = RunProgram(request);
  REQUIRE(outcome.ok());
  CHECK(outcome->run.ok());
  CHECK(outcome->run.vigy_name == "counter");
  CHECK(outcome->kv.at("n") == 42);

  request.kv = {{"__tick_count", 1}};
  CHECK(RunProgram(request).status().code() == Status::Code::kInvalidArgument);
  request.kv = {};
  request.source = "(throw (error \"boom\"))";
  outcome = RunProgram(request);
  REQUIRE(outcome.ok());
  CHECK_FALSE(outcome->run.ok());
  request.source = "(nope)";
  std::vector<lisp::Diagnostic> diagnostics;
  CHECK(RunProgram(request, &diagnostics).status() == Status::Failed("<program> does not compile"));
  CHECK(diagnostics.size() == 1);
}

}  // namespace
}  // namespace vigy::core
