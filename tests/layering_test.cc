// The layering of docs/ARCHITECTURE.md, checked in the sources: every
// #include of every source file is allowed by the rules of its folder.
//  - lisp/ includes only lisp/; core/ includes core/ and lisp/ (never
//    storage/); storage/ includes storage/ and core/; http/ anything but cli/.
//  - Only storage/ includes SQLite (<sqlite3.h>) or libpq (<libpq-fe.h>,
//    <postgresql/...>); only cli/ includes CLI11 (<CLI/...>).
//  - No include climbs out of its folder with "..".
// A folder not listed below gets the library rules only.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/files.h"

namespace vigy::testing {
namespace {

namespace fs = std::filesystem;

// The project folders whose sources may be included by each folder.
const std::map<std::string, std::set<std::string>> kMayInclude = {
    {"lisp", {"lisp"}},
    {"core", {"core", "lisp"}},
    {"storage", {"storage", "core", "lisp"}},
    {"http", {"http", "core", "lisp", "storage"}},
    {"cli", {"cli", "core", "lisp", "storage", "http"}},
};

// Folders that are not part of the shipped program.
const std::set<std::string> kNotLayers = {"tests", "bench", "build", "docs", "examples"};

struct Include {
  std::string file;  // relative to the source root
  int line = 0;
  bool angled = false;
  std::string target;  // what is between the quotes or brackets
};

// The #include directives of `text`.
std::vector<Include> IncludesOf(const std::string& file, const std::string& text) {
  std::vector<Include> found;
  std::istringstream in(text);
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    std::string_view rest(line);
    rest.remove_prefix(std::min(rest.find_first_not_of(" \t"), rest.size()));
    if (!rest.starts_with("#")) continue;
    rest.remove_prefix(1);
    rest.remove_prefix(std::min(rest.find_first_not_of(" \t"), rest.size()));
    if (!rest.starts_with("include")) continue;
    rest.remove_prefix(7);
    rest.remove_prefix(std::min(rest.find_first_not_of(" \t"), rest.size()));
    if (rest.empty() || (rest[0] != '"' && rest[0] != '<')) continue;
    const char close = rest[0] == '"' ? '"' : '>';
    size_t end = rest.find(close, 1);
    if (end == std::string_view::npos) continue;
    found.push_back(Include{file, number, rest[0] == '<', std::string(rest.substr(1, end - 1))});
  }
  return found;
}

// Every C++ source and header under the source root's layer folders.
std::vector<std::string> SourceFiles(const fs::path& root) {
  std::vector<std::string> files;
  for (const auto& folder : fs::directory_iterator(root)) {
    const std::string name = folder.path().filename().string();
    if (!folder.is_directory() || name.starts_with(".") || kNotLayers.contains(name) ||
        name.starts_with("build")) {
      continue;
    }
    for (const auto& entry : fs::recursive_directory_iterator(folder.path())) {
      const std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && (ext == ".cc" || ext == ".h")) {
        files.push_back(fs::relative(entry.path(), root).generic_string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string FolderOf(const std::string& path) { return path.substr(0, path.find('/')); }

// Why `include` breaks the layering, or "" when it does not.
std::string Violation(const Include& include) {
  const std::string from = FolderOf(include.file);
  const std::string& target = include.target;
  if (include.angled) {
    if ((target == "sqlite3.h" || target == "libpq-fe.h" || target.starts_with("postgresql/")) &&
        from != "storage") {
      return "only storage/ includes SQLite or libpq";
    }
    if (target.starts_with("CLI/") && from != "cli") return "only cli/ includes CLI11";
    return "";
  }
  if (target.find("..") != std::string::npos) return "an include does not climb with ..";
  auto rules = kMayInclude.find(from);
  if (rules == kMayInclude.end()) return "";
  const std::string to = FolderOf(target);
  if (target.find('/') == std::string::npos) {
    return "a project include names its folder (\"" + from + "/...\")";
  }
  if (!rules->second.contains(to)) return from + "/ may not include " + to + "/";
  return "";
}

TEST_CASE("the layering rules catch includes across layers and allow the rest") {
  auto check = [](const char* file, const char* text) {
    std::vector<Include> includes = IncludesOf(file, text);
    REQUIRE(includes.size() == 1);
    return Violation(includes[0]);
  };
  CHECK(check("core/tick.cc", "#include \"storage/sqlite_store.h\"") ==
        "core/ may not include storage/");
  CHECK(check("lisp/eval.cc", "  #  include \"core/model.h\" // x") ==
        "lisp/ may not include core/");
  CHECK(check("core/tick.cc", "#include <sqlite3.h>") == "only storage/ includes SQLite or libpq");
  CHECK(check("http/server.cc", "#include <libpq-fe.h>") ==
        "only storage/ includes SQLite or libpq");
  CHECK(check("core/x.cc", "#include <CLI/CLI.hpp>") == "only cli/ includes CLI11");
  CHECK(check("http/router.cc", "#include \"cli/app.h\"") == "http/ may not include cli/");
  CHECK(check("cli/app.cc", "#include \"../storage/x.h\"") == "an include does not climb with ..");
  CHECK(check("cli/app.cc", "#include \"app.h\"") ==
        "a project include names its folder (\"cli/...\")");
  CHECK(check("storage/sqlite_db.cc", "#include <sqlite3.h>") == "");
  CHECK(check("cli/app.cc", "#include <CLI/CLI.hpp>") == "");
  CHECK(check("cli/cmd_tick.cc", "#include \"storage/sqlite_store.h\"") == "");
  CHECK(check("core/tick.cc", "#include \"lisp/interp.h\"") == "");
  CHECK(IncludesOf("core/x.cc", "// #include \"storage/a.h\"\nint include;\n").empty());
}

TEST_CASE("no source file includes across the layering") {
  const fs::path root = VIGY_SOURCE_DIR;
  std::vector<std::string> files = SourceFiles(root);
  REQUIRE(files.size() > 50);  // the tree was found
  for (const std::string& file : files) {
    for (const Include& include : IncludesOf(file, ReadFile((root / file).string()))) {
      std::string why = Violation(include);
      if (why.empty()) continue;
      FAIL_CHECK(file << ":" << include.line << ": #include " << (include.angled ? "<" : "\"")
                      << include.target << (include.angled ? ">" : "\"") << ": " << why);
    }
  }
}

}  // namespace
}  // namespace vigy::testing
