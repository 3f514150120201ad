#include "tests/support/vigy_binary.h"

#include <memory>
#include <thread>

#include "tests/support/files.h"
#include "tests/support/store_kind.h"
#include "tests/support/store_sql.h"

namespace vigy::testing {

Sandbox::Sandbox() : dir_("vigy-e2e") {
  if (StoreKindUnderTest() == StoreKind::kPostgresql)
    database_ = std::make_unique<PgTestDatabase>();
}

Sandbox::~Sandbox() = default;

std::string Sandbox::store_location() const {
  return database_ != nullptr ? database_->uri() : (dir() / "vigy.db").string();
}

bool Sandbox::store_exists() const {
  if (database_ == nullptr) return std::filesystem::exists(dir() / "vigy.db");
  const std::vector<PgTextRow> rows = PgQueryRows(
      database_->uri(), "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema()");
  return !rows.empty();
}

void CheckStoreUnderTest(const Sandbox& sandbox, int64_t vigies) {
  const bool postgresql = StoreKindUnderTest() == StoreKind::kPostgresql;
  CHECK(sandbox.holds_postgresql_store() == postgresql);
  CHECK(std::filesystem::exists(sandbox.dir() / "vigy.db") == !postgresql);
  const StoreSql store(sandbox.store_location());
  CHECK(store.postgresql() == postgresql);
  CHECK(store.QueryInt("SELECT count(*) FROM vigies") == vigies);
  MESSAGE("store-under-test=", std::string(postgresql ? "postgresql" : "sqlite"));
}

std::vector<std::string> Sandbox::Environment() const {
  std::vector<std::string> env;
  for (std::string& entry : CurrentEnvironment()) {
    if (entry.starts_with("NO_COLOR=") || entry.starts_with("VIGY_DB=")) continue;
    env.push_back(std::move(entry));
  }
  env.push_back("VIGY_DB=" + store_location());
  return env;
}

ProcessSpec Sandbox::Spec(const std::vector<std::string>& args) const {
  ProcessSpec spec;
  spec.argv = {VIGY_BINARY};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.environment = Environment();
  spec.cwd = dir().string();
  return spec;
}

BinaryResult Sandbox::Run(const std::vector<std::string>& args, std::string_view stdin_text,
                          std::chrono::seconds timeout) const {
  ProcessSpec spec = Spec(args);
  spec.stdin_path = dir_.Write(".stdin", stdin_text);
  spec.stdout_path = dir_.File(".stdout");
  spec.stderr_path = dir_.File(".stderr");
  ProcessResult ran = RunProcess(spec, timeout);
  return BinaryResult{ran.exit_code, std::move(ran.out), std::move(ran.err)};
}

BinaryResult RunVigy(const std::vector<std::string>& args, std::string_view stdin_text,
                     std::initializer_list<std::pair<std::string, std::string>> files) {
  Sandbox sandbox;
  for (const auto& [name, text] : files) sandbox.Write(name, text);
  return sandbox.Run(args, stdin_text);
}

ProcessSpec BackgroundVigy::WithOutputs(ProcessSpec spec, std::string out, std::string err) {
  spec.stdout_path = std::move(out);
  spec.stderr_path = std::move(err);
  return spec;
}

BackgroundVigy::BackgroundVigy(const Sandbox& sandbox, const std::vector<std::string>& args,
                               const std::string& tag)
    : out_path_((sandbox.dir() / ("." + tag + "-out")).string()),
      err_path_((sandbox.dir() / ("." + tag + "-err")).string()),
      process_(WithOutputs(sandbox.Spec(args), out_path_, err_path_)) {}

std::string BackgroundVigy::Out() const { return ReadFile(out_path_); }
std::string BackgroundVigy::Err() const { return ReadFile(err_path_); }

bool BackgroundVigy::WaitUntil(const std::function<bool()>& condition,
                               std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::vector<BinaryResult> RunTogether(const Sandbox& sandbox, const std::vector<std::string>& args,
                                      int count) {
  StartGate gate;
  std::vector<ProcessSpec> specs;
  std::vector<std::unique_ptr<Process>> processes;
  for (int i = 0; i < count; ++i) {
    ProcessSpec spec = sandbox.Spec(args);
    spec.stdout_path = (sandbox.dir() / (".together-out-" + std::to_string(i))).string();
    spec.stderr_path = (sandbox.dir() / (".together-err-" + std::to_string(i))).string();
    processes.push_back(std::make_unique<Process>(spec, &gate));
    specs.push_back(std::move(spec));
  }
  gate.Release();
  std::vector<BinaryResult> results;
  for (int i = 0; i < count; ++i) {
    BinaryResult r;
    r.exit_code = processes[i]->WaitOrKill(std::chrono::seconds(60));
    r.out = ReadFile(specs[i].stdout_path);
    r.err = ReadFile(specs[i].stderr_path);
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace vigy::testing
