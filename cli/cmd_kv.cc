// vigy kv VIGY [get K | set K JSON | rm K | list]: read or seed a vigy's kv.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/arg_parsers.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/store_access.h"
#include "cli/vigy_printer.h"
#include "core/ids.h"
#include "core/model_json.h"
#include "core/ops_kv.h"
#include "core/ops_programs.h"

namespace vigy::cli {
namespace {

using core::Status;

enum class KvAction { kList, kGet, kSet, kRm };

struct KvRequest {
  KvAction action = KvAction::kList;
  std::string key;
  nlohmann::json value;  // kSet
};

Status Usage(std::string_view problem) {
  return Status::InvalidArgument(
      fmt::format("{} (usage: vigy kv VIGY [get KEY | set KEY JSON | rm KEY | list])", problem));
}

core::Result<KvRequest> ParseRequest(const std::vector<std::string>& words) {
  KvRequest request;
  if (words.empty()) return request;
  const std::string& verb = words[0];
  size_t want = verb == "list" ? 1 : verb == "get" || verb == "rm" ? 2 : verb == "set" ? 3 : 0;
  if (want == 0) return Usage(fmt::format("unknown kv action '{}'", verb));
  if (words.size() != want) {
    return Usage(fmt::format("'{}' takes {} argument{}, got {}", verb, want - 1,
                             want == 2 ? "" : "s", words.size() - 1));
  }
  if (verb == "list") return request;
  request.key = words[1];
  if (verb == "get") {
    request.action = KvAction::kGet;
    if (Status s = core::ValidateKvKey(request.key); !s.ok()) return s;
    return request;
  }
  if (Status s = core::ValidateWritableKvKey(request.key); !s.ok()) return s;
  if (verb == "rm") {
    request.action = KvAction::kRm;
    return request;
  }
  request.action = KvAction::kSet;
  auto value = ParseJsonArgument(fmt::format("bad value for kv key '{}'", request.key), words[2]);
  if (!value.ok()) return value.status();
  request.value = std::move(value).value();
  return request;
}

Status List(const Invocation& inv, const core::Kv& kv) {
  if (inv.global.json) {
    inv.out.PrintJson(core::KvToJson(kv, /*include_reserved=*/true));
    return Status::Ok();
  }
  std::string text;
  for (const auto& [key, value] : kv) {
    if (key.starts_with("__") && inv.global.verbosity <= 0) continue;
    text += fmt::format("{} = {}\n", key, CompactJson(value));
  }
  inv.out.Print(text);
  return Status::Ok();
}

}  // namespace

void SetupKv(CLI::App& sub, KvOptions& options) {
  sub.add_option("VIGY", options.vigy, "the vigy: its name, id or a unique id prefix")
      ->required()
      ->type_name("");
  sub.add_option("ACTION", options.action, "get KEY | set KEY JSON | rm KEY | list (the default)")
      ->type_name("");
  sub.add_option("KEY", options.key, "the key")->type_name("");
  sub.add_option("JSON", options.value, "the value to set, as JSON")->type_name("");
  sub.footer(
      "list prints 'key = json' lines (the runtime's \"__\" keys too with -v; with --json, one\n"
      "object with every key). get prints the value as JSON. set stores a JSON value: strings\n"
      "need quotes (vigy kv web set name '\"x\"'); bad JSON is exit 2. Keys starting with \"__\"\n"
      "belong to the runtime: they can be read but not set or removed (exit 2). get or rm of a\n"
      "key that is not there exits 1; a VIGY that names no vigy exits 3.");
}

Status RunKv(const Invocation& inv, const KvOptions& options) {
  std::vector<std::string> words;
  for (const auto* word : {&options.action, &options.key, &options.value}) {
    if (*word) words.push_back(**word);
  }
  core::Result<KvRequest> request = ParseRequest(words);
  if (!request.ok()) return request.status();
  auto store = OpenStore(inv.global, core::OpenMode::kExisting);
  if (!store.ok()) return store.status();
  core::Store& kv_store = **store;
  switch (request->action) {
    case KvAction::kList: {
      auto kv = core::ListKv(kv_store, options.vigy);
      if (!kv.ok()) return kv.status();
      return List(inv, *kv);
    }
    case KvAction::kGet: {
      auto value = core::GetKv(kv_store, options.vigy, request->key);
      if (!value.ok()) return value.status();
      if (inv.global.json) {
        inv.out.PrintJson(*value);
      } else {
        inv.out.Print(CompactJson(*value) + "\n");
      }
      return Status::Ok();
    }
    case KvAction::kSet:
      return core::SetKv(kv_store, options.vigy, request->key, request->value);
    case KvAction::kRm:
      return core::RemoveKv(kv_store, options.vigy, request->key);
  }
  return Status::Ok();
}

}  // namespace vigy::cli
