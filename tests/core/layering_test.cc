// core/ speaks to stores only through its port (core/store.h): no file in it
// may include a store implementation from storage/. The build links the other
// way round (storage depends on core), and this test names the file and line
// that breaks the rule before the link fails in a less helpful way.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace vigy::core {
namespace {

// Every `#include` of a storage/ header in the sources of `folder`, as
// "file:line: text".
std::vector<std::string> StorageIncludes(const std::filesystem::path& folder, int* files_read) {
  static const std::regex kStorageInclude(R"(^\s*#\s*include\s*["<]storage/)");
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".cc") continue;
    ++*files_read;
    std::ifstream in(entry.path());
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      if (std::regex_search(line, kStorageInclude)) {
        found.push_back(entry.path().filename().string() + ":" + std::to_string(number) + ": " +
                        line);
      }
    }
  }
  return found;
}

TEST_CASE("no file in core includes a header from storage") {
  int files_read = 0;
  std::vector<std::string> found =
      StorageIncludes(std::filesystem::path(VIGY_SOURCE_DIR) / "core", &files_read);
  CHECK(files_read > 20);  // the folder was really read
  for (const std::string& include : found) FAIL_CHECK("core includes storage: ", include);
  CHECK(found.empty());
}

TEST_CASE("the storage include check recognises the forms an include can take") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vigy-layering-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "a.h") << "#include \"storage/sqlite_store.h\"\n";
    std::ofstream(dir / "b.cc") << "// fine\n  #  include <storage/schema.h>\n";
    std::ofstream(dir / "c.cc") << "#include \"core/store.h\"\n// #include \"storage/x.h\"\n";
  }
  int files_read = 0;
  std::vector<std::string> found = StorageIncludes(dir, &files_read);
  std::filesystem::remove_all(dir);
  CHECK(files_read == 3);
  CHECK(found.size() == 2);
}

}  // namespace
}  // namespace vigy::core
