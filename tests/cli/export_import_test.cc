// End to end: `vigy export` and `vigy import`, moving a store between SQLite
// files and PostgreSQL databases and refusing bad input whole.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli/store_e2e.h"
#include "tests/support/files.h"
#include "tests/support/pg_server.h"

namespace vigy::testing {
namespace {

namespace fs = std::filesystem;

// A store with something of everything: schedules of each kind, labels,
// limits, a handler, a disabled vigy, kv set by hand and by programs,
// declared state with a condition, actions, failed and ok runs, and a vigy
// that never ran.
void FillSource(const Sandbox& s, const std::string& db) {
  auto add = [&](const std::string& name, const std::string& program,
                 std::vector<std::string> extra) {
    s.Write(name + ".vigy", program);
    std::vector<std::string> args{"--db", db, "add", name + ".vigy"};
    args.insert(args.end(), extra.begin(), extra.end());
    Must(s, args);
  };
  add("web", kCounter,
      {"--every", "1m", "--jitter", "5s", "--label", "app=web", "--label", "tier=front",
       "--timeout", "5s", "--max-steps", "100000"});
  add("decl", kDeclaring, {"--cron", "*/5 * * * *", "--handler", "true", "--label", "app=db"});
  add("fail", kFailing, {"--disabled"});
  add("idle", "(vigy-noop)\n", {});
  Must(s, {"--db", db, "kv", "web", "set", "cfg", "{\"a\": [1, 2], \"s\": \"h\\u00e9\"}"});
  Must(s, {"--db", db, "kv", "idle", "set", "seed", "7"});
  for (int i = 0; i < 3; ++i) Must(s, {"--db", db, "tick", "web"});
  Must(s, {"--db", db, "tick", "decl"});
  for (int i = 0; i < 2; ++i) {
    BinaryResult failed = s.Run({"--db", db, "tick", "fail"});
    CHECK(failed.exit_code == 1);
  }
}

const std::vector<std::string> kSourceNames = {"decl", "fail", "idle", "web"};

// What the store at `db` shows of itself: list, show and kv of every vigy,
// and every run.
struct StoreView {
  nlohmann::json list;
  std::map<std::string, nlohmann::json> show;
  std::map<std::string, nlohmann::json> kv;
  nlohmann::json runs;
};

StoreView View(const Sandbox& s, const std::string& db) {
  StoreView view;
  view.list = JsonOut(Must(s, {"--db", db, "list", "--json"}));
  for (const nlohmann::json& vigy : view.list) {
    std::string name = vigy.value("name", "");
    view.show[name] = JsonOut(Must(s, {"--db", db, "show", name, "--json"}));
    view.kv[name] = JsonOut(Must(s, {"--db", db, "kv", name, "list", "--json"}));
  }
  view.runs = JsonOut(Must(s, {"--db", db, "runs", "--limit", "100000", "--json"}));
  return view;
}

std::vector<std::string> Names(const StoreView& view) {
  std::vector<std::string> names;
  for (const nlohmann::json& vigy : view.list) names.push_back(vigy.value("name", ""));
  return names;
}

// The two stores show the same vigies, kv, state and runs.
void CheckSameContent(const StoreView& a, const StoreView& b) {
  CHECK(a.list == b.list);
  for (const auto& [vigy_name, shown] : a.show) {
    const std::string& name = vigy_name;  // a lambda inside CAPTURE cannot name a binding
    CAPTURE(name);
    REQUIRE(b.show.count(name) == 1);
    CHECK(shown == b.show.at(name));
    CHECK(a.kv.at(name) == b.kv.at(name));
  }
  CHECK(a.show.size() == b.show.size());
  CHECK(a.runs == b.runs);
}

// The source's view is what FillSource made (so that comparing with it
// means something).
void CheckIsFilled(StoreView view) {
  CHECK(Names(view) == kSourceNames);
  CHECK(view.runs.size() == 6);
  nlohmann::json web = view.show["web"];
  CHECK(web["vigy"]["labels"] == nlohmann::json{{"app", "web"}, {"tier", "front"}});
  CHECK(web["runtime"]["tick_count"] == 3);
  CHECK(web["kv"]["cfg"]["s"] == "h\xc3\xa9");
  CHECK(web["kv"]["runs"] == 3);
  nlohmann::json decl = view.show["decl"];
  CHECK(decl["state"]["desired"]["replicas"] == 3);
  CHECK(decl["state"]["conditions"].size() == 1);
  CHECK(decl["runs"][0]["actions"].size() == 1);
  CHECK(view.show["fail"]["runtime"]["consecutive_failures"] == 2);
  CHECK(view.show["fail"]["vigy"]["enabled"] == false);
  CHECK(view.kv["idle"] == nlohmann::json{{"seed", 7}});
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

// The export of a filled store, with runs, as text.
std::string FilledExport(const Sandbox& s, const std::string& db) {
  FillSource(s, db);
  return Must(s, {"--db", db, "export", "--runs"}).out;
}

int ModeOf(const fs::path& path) {
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 07777);
}

TEST_CASE("export writes a header, a line per vigy with its runs after it, and an end line") {
  Sandbox s;
  const std::string src = (s.dir() / "src.db").string();
  std::vector<std::string> lines = SplitLines(FilledExport(s, src));
  REQUIRE(lines.size() == 1 + 4 + 6 + 1);
  nlohmann::json header = nlohmann::json::parse(lines[0]);
  CHECK(lines[0].starts_with("{\"vigy_export\":1,"));
  CHECK(header["version"].is_string());
  CHECK(header["exported_at"].get<std::string>().ends_with("Z"));
  // By name: decl, its run; fail, its 2 runs; idle; web, its 3 runs.
  std::vector<std::string> kinds;
  for (size_t i = 1; i + 1 < lines.size(); ++i) {
    nlohmann::json j = nlohmann::json::parse(lines[i]);
    kinds.push_back(j.contains("vigy") ? "vigy:" + j["vigy"]["name"].get<std::string>()
                                       : "run:" + std::to_string(j["run"]["tick"].get<int>()));
  }
  CHECK(kinds == std::vector<std::string>{"vigy:decl", "run:1", "vigy:fail", "run:1", "run:2",
                                          "vigy:idle", "vigy:web", "run:1", "run:2", "run:3"});
  nlohmann::json web = nlohmann::json::parse(lines[7]);
  CHECK(lines[7].starts_with("{\"vigy\":"));
  CHECK(web["vigy"]["program"] == kCounter);
  CHECK(web["vigy"]["schedule"] ==
        nlohmann::json{{"kind", "every"}, {"every_ms", 60000}, {"jitter_ms", 5000}});
  CHECK(web["runtime"]["tick_count"] == 3);
  CHECK(web["state"]["updated_at"].is_string());
  CHECK(web["kv"]["__tick_count"] == 3);                      // the runtime's keys too
  CHECK(nlohmann::json::parse(lines[6])["state"].is_null());  // idle never ticked
  CHECK(nlohmann::json::parse(lines[2])["run"]["actions"][0]["kind"] == "create");
  CHECK(lines.back() == "{\"vigy_export_end\":{\"runs\":6,\"vigies\":4}}");

  // Without --runs, no run lines; with a selector, only the vigies it matches.
  std::vector<std::string> plain = SplitLines(Must(s, {"--db", src, "export"}).out);
  CHECK(plain.size() == 1 + 4 + 1);
  CHECK(plain.back() == "{\"vigy_export_end\":{\"runs\":0,\"vigies\":4}}");
  std::vector<std::string> selected =
      SplitLines(Must(s, {"--db", src, "export", "--runs", "-l", "app=web"}).out);
  REQUIRE(selected.size() == 1 + 1 + 3 + 1);
  CHECK(nlohmann::json::parse(selected[1])["vigy"]["name"] == "web");
}

TEST_CASE("an SQLite store exported and imported into a fresh SQLite store shows the same") {
  Sandbox s;
  const std::string src = (s.dir() / "src.db").string();
  const std::string dst = (s.dir() / "dst.db").string();
  s.Write("backup.jsonl", FilledExport(s, src));
  StoreView before = View(s, src);
  CheckIsFilled(before);

  BinaryResult imported = Must(s, {"--db", dst, "import", "backup.jsonl"});
  CHECK(imported.out == "imported 4 vigies and 6 runs\n");
  CheckSameContent(before, View(s, dst));

  // The counters go on where they were: the next tick of web is tick 4.
  Must(s, {"--db", dst, "tick", "web"});
  nlohmann::json runs = JsonOut(Must(s, {"--db", dst, "runs", "web", "--json"}));
  REQUIRE(runs.size() == 4);
  CHECK(runs[0]["tick"] == 4);
  CHECK(JsonOut(Must(s, {"--db", dst, "kv", "web", "get", "runs"})) == 4);
}

TEST_CASE("import reads standard input, and says what it did with --json") {
  Sandbox s;
  const std::string src = (s.dir() / "src.db").string();
  const std::string dst = (s.dir() / "dst.db").string();
  std::string exported = FilledExport(s, src);
  BinaryResult imported = Must(s, {"--db", dst, "import", "--json"}, exported);
  CHECK(JsonOut(imported) == nlohmann::json{{"imported", kSourceNames},
                                            {"replaced", nlohmann::json::array()},
                                            {"runs", 6}});
  CheckSameContent(View(s, src), View(s, dst));
}

TEST_CASE("a store moves from SQLite to PostgreSQL and back with the same content") {
  Sandbox s;
  PgTestDatabase pg;
  const std::string src = (s.dir() / "src.db").string();
  s.Write("from-sqlite.jsonl", FilledExport(s, src));
  StoreView before = View(s, src);
  CheckIsFilled(before);

  BinaryResult imported = Must(s, {"--db", pg.uri(), "import", "from-sqlite.jsonl"});
  CHECK(imported.out == "imported 4 vigies and 6 runs\n");
  CheckSameContent(before, View(s, pg.uri()));
  // Numbered in the order given, after the runs the database had (none).
  CHECK(pg.QueryInt("SELECT value FROM meta WHERE key = 'run_seq'") == 6);
  CHECK(pg.QueryInt("SELECT count(*) FROM runs WHERE seq BETWEEN 1 AND 6") == 6);
  CHECK(pg.QueryInt("SELECT count(*) FROM runtime WHERE lease_owner IS NOT NULL") == 0);

  // And back: PostgreSQL -> a fresh SQLite file.
  const std::string back = (s.dir() / "back.db").string();
  Must(s, {"--db", pg.uri(), "export", "--runs", "-o", "from-pg.jsonl"});
  Must(s, {"--db", back, "import", "from-pg.jsonl"});
  CheckSameContent(before, View(s, back));

  // Ticks go on in the database where they left off.
  Must(s, {"--db", pg.uri(), "tick", "web"});
  nlohmann::json runs = JsonOut(Must(s, {"--db", pg.uri(), "runs", "web", "--json"}));
  REQUIRE(runs.size() == 4);
  CHECK(runs[0]["tick"] == 4);
  CHECK(pg.QueryInt("SELECT seq FROM runs WHERE tick = 4") == 7);
}

TEST_CASE("a vigy that exists refuses the import, unless --replace") {
  Sandbox s;
  PgTestDatabase pg;
  const std::string src = (s.dir() / "src.db").string();
  s.Write("backup.jsonl", FilledExport(s, src));
  StoreView source = View(s, src);

  for (const std::string& dst : {(s.dir() / "dst.db").string(), pg.uri()}) {
    CAPTURE(dst);
    s.Write("other.vigy", "(vigy-log \"info\" \"other\")\n");
    Must(s, {"--db", dst, "add", "other.vigy", "--name", "web"});
    Must(s, {"--db", dst, "kv", "web", "set", "mine", "1"});
    StoreView before = View(s, dst);

    BinaryResult refused = s.Run({"--db", dst, "import", "backup.jsonl"});
    CHECK(refused.exit_code == 4);
    CHECK(refused.out == "");
    CHECK(refused.err ==
          "vigy: vigy 'web' already exists (use --replace to overwrite it); nothing was "
          "imported\n");
    // Nothing written: not the vigies before web either.
    CheckSameContent(before, View(s, dst));
    CHECK(Names(View(s, dst)) == std::vector<std::string>{"web"});

    BinaryResult replaced = Must(s, {"--db", dst, "import", "backup.jsonl", "--replace"});
    CHECK(replaced.out == "imported 4 vigies (1 replaced) and 6 runs\n");
    CheckSameContent(source, View(s, dst));
    CHECK(s.Run({"--db", dst, "kv", "web", "get", "mine"}).exit_code == 1);
  }
}

// Every way an export can be broken, each with the line named.
struct BadExport {
  std::string what;
  std::string text;
  std::string error;      // what stderr starts with
  std::string also = {};  // and holds
};

std::vector<BadExport> BadExports(const std::vector<std::string>& good) {
  auto with_line = [&](size_t index, const std::string& line) {
    std::vector<std::string> lines = good;
    lines[index] = line;
    return JoinLines(lines);
  };
  auto edited_vigy = [&](size_t index, const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json j = nlohmann::json::parse(good[index]);
    edit(j);
    return with_line(index, j.dump());
  };
  std::vector<std::string> without_end(good.begin(), good.end() - 1);
  std::string cut = JoinLines(good);
  cut.resize(cut.find(good[3]) + good[3].size() / 2);
  return {
      {"bad JSON on line 3", with_line(2, "{\"run\": {\"id\": "), "vigy: line 3: not JSON ("},
      {"an unknown header version",
       with_line(0, "{\"vigy_export\":2,\"version\":\"9.0.0\",\"exported_at\":\"x\"}"),
       "vigy: line 1: unknown export version 2 (this vigy reads version 1)\n"},
      {"no header", JoinLines(std::vector<std::string>(good.begin() + 1, good.end())),
       "vigy: line 1: not a vigy export: the first line must be its header"},
      {"an invalid name on line 7",
       edited_vigy(6,
                   [](nlohmann::json& j) {
                     j["vigy"]["name"] = "id le";
                     j["vigy"]["id"] = core::VigyIdFromName("id le");
                   }),
       "vigy: line 7: vigy name 'id le' has a space at position 3"},
      {"an id that is not the name's",
       edited_vigy(6, [](nlohmann::json& j) { j["vigy"]["id"] = "0123456789abcdef"; }),
       "vigy: line 7: vigy 'idle': id '0123456789abcdef' is not the id of that name"},
      {"a program that does not compile",
       edited_vigy(6, [](nlohmann::json& j) { j["vigy"]["program"] = kNotCompiling; }),
       "vigy: line 7: vigy 'idle': idle does not compile (idle:2:"},
      {"a bad label", edited_vigy(7, [](nlohmann::json& j) { j["vigy"]["labels"]["app"] = "a b"; }),
       "vigy: line 8: vigy 'web': bad label 'app=a b'"},
      {"an interval under 100ms",
       edited_vigy(7, [](nlohmann::json& j) { j["vigy"]["schedule"]["every_ms"] = 50; }),
       "vigy: line 8: vigy 'web': bad --every '50ms': the shortest interval is 100ms"},
      {"a run of another vigy",
       edited_vigy(9, [](nlohmann::json& j) { j["run"]["vigy_name"] = "decl"; }),
       "vigy: line 10: run ", "is a run of vigy 'decl'"},
      {"a run past the tick count",
       edited_vigy(7, [](nlohmann::json& j) { j["runtime"]["tick_count"] = 2; }),
       "vigy: line 11: run ", ": tick 3 is past vigy 'web''s tick count 2\n"},
      {"a vigy twice", with_line(6, good[1]),
       "vigy: line 7: vigy 'decl' is there twice (also on line 2)\n"},
      {"no end line (cut at a line's end)", JoinLines(without_end),
       "vigy: line 12: the export ends before its end line"},
      {"cut in the middle of line 4", cut, "vigy: line 4: not JSON ("},
      {"an end line that counts otherwise",
       with_line(11, "{\"vigy_export_end\":{\"runs\":5,\"vigies\":4}}"),
       "vigy: line 12: the end line counts 4 vigies and 5 runs, but 4 and 6 came before it\n"},
      {"empty input", "", "vigy: line 1: the input is empty: not a vigy export\n"},
  };
}

TEST_CASE("bad input is refused with its line number, exit 2, and nothing written") {
  Sandbox s;
  PgTestDatabase pg;
  const std::string src = (s.dir() / "src.db").string();
  std::vector<std::string> good = SplitLines(FilledExport(s, src));
  REQUIRE(good.size() == 12);

  // An existing store keeps what it had; a missing one is not created.
  const std::string kept = (s.dir() / "kept.db").string();
  s.Write("keep.vigy", "(vigy-noop)\n");
  Must(s, {"--db", kept, "add", "keep.vigy"});
  Must(s, {"--db", pg.uri(), "add", "keep.vigy"});
  StoreView kept_before = View(s, kept);
  StoreView pg_before = View(s, pg.uri());
  const fs::path missing = s.dir() / "missing.db";

  for (const BadExport& bad : BadExports(good)) {
    CAPTURE(bad.what);
    s.Write("bad.jsonl", bad.text);
    for (const std::string& db : {missing.string(), kept, pg.uri()}) {
      CAPTURE(db);
      BinaryResult r = s.Run({"--db", db, "import", "bad.jsonl"});
      CHECK(r.exit_code == 2);
      CHECK(r.out == "");
      CHECK(r.err.starts_with(bad.error));
      CHECK(r.err.find(bad.also) != std::string::npos);
      CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
    CHECK_FALSE(fs::exists(missing));
    CheckSameContent(kept_before, View(s, kept));
    CheckSameContent(pg_before, View(s, pg.uri()));
  }
  // The good export itself goes in (so each refusal above was the edit's).
  s.Write("good.jsonl", JoinLines(good));
  Must(s, {"--db", missing.string(), "import", "good.jsonl"});
  CheckSameContent(View(s, src), View(s, missing.string()));
}

TEST_CASE("export -o writes the file 0600, whole, and a failed export leaves it as it was") {
  Sandbox s;
  const std::string src = (s.dir() / "src.db").string();
  std::string to_stdout = FilledExport(s, src);
  BinaryResult r = Must(s, {"--db", src, "export", "--runs", "-o", "backup.jsonl"});
  CHECK(r.out == "exported 4 vigies and 6 runs to backup.jsonl\n");
  const fs::path backup = s.dir() / "backup.jsonl";
  CHECK(ModeOf(backup) == 0600);
  // The same lines as on stdout, but for the time in the header.
  std::vector<std::string> in_file = SplitLines(ReadFile(backup.string()));
  std::vector<std::string> on_stdout = SplitLines(to_stdout);
  REQUIRE(in_file.size() == on_stdout.size());
  CHECK(std::vector<std::string>(in_file.begin() + 1, in_file.end()) ==
        std::vector<std::string>(on_stdout.begin() + 1, on_stdout.end()));

  // An existing file is replaced, and made 0600.
  s.Write("old.jsonl", "old\n");
  fs::permissions(s.dir() / "old.jsonl", fs::perms(0644));
  Must(s, {"--db", src, "export", "-q", "--output", "old.jsonl"});
  CHECK(ModeOf(s.dir() / "old.jsonl") == 0600);
  CHECK(ReadFile((s.dir() / "old.jsonl").string()).starts_with("{\"vigy_export\":1,"));

  // A failing export (the store is not a store) leaves the file alone and
  // nothing beside it.
  s.Write("notadb.txt", "this is not a database\n");
  fs::permissions(s.dir() / "notadb.txt", fs::perms(0600));
  s.Write("kept.jsonl", "kept\n");
  BinaryResult failed = s.Run({"--db", "notadb.txt", "export", "-o", "kept.jsonl"});
  CHECK(failed.exit_code == 5);
  CHECK(ReadFile((s.dir() / "kept.jsonl").string()) == "kept\n");
  for (const fs::directory_entry& entry : fs::directory_iterator(s.dir())) {
    CHECK_FALSE(entry.path().filename().string().starts_with(".vigy-export-"));
  }
  // Not over a directory or a device.
  fs::create_directories(s.dir() / "dir");
  BinaryResult dir = s.Run({"--db", src, "export", "-o", "dir"});
  CHECK(dir.exit_code == 2);
  CHECK(dir.err == "vigy: cannot write 'dir': is a directory\n");
  // Nor over the store itself.
  BinaryResult itself = s.Run({"--db", src, "export", "-o", "src.db"});
  CHECK(itself.exit_code == 2);
  CHECK(itself.err == "vigy: cannot write 'src.db': it is the store itself, or part of it\n");
  CHECK(Names(View(s, src)) == kSourceNames);
  BinaryResult device = s.Run({"--db", src, "export", "-o", "/dev/null"});
  CHECK(device.exit_code == 2);
  CHECK(device.err.starts_with("vigy: cannot write '/dev/null': not a regular file"));
}

TEST_CASE("a store that does not exist exports as empty, and imports as empty") {
  Sandbox s;
  const std::string none = (s.dir() / "none.db").string();
  std::vector<std::string> lines = SplitLines(Must(s, {"--db", none, "export"}).out);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1] == "{\"vigy_export_end\":{\"runs\":0,\"vigies\":0}}");
  CHECK_FALSE(fs::exists(none));
  s.Write("empty.jsonl", JoinLines(lines));
  const std::string dst = (s.dir() / "dst.db").string();
  CHECK(Must(s, {"--db", dst, "import", "empty.jsonl"}).out == "imported 0 vigies and 0 runs\n");
  CHECK(JsonOut(Must(s, {"--db", dst, "list", "--json"})) == nlohmann::json::array());
}

}  // namespace
}  // namespace vigy::testing
