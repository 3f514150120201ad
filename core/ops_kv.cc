#include "core/ops_kv.h"

#include <fmt/format.h>

#include "core/ids.h"
#include "core/ops_programs.h"
#include "core/ops_vigies.h"

namespace vigy::core {
namespace {

Status NoKey(std::string_view key, const Vigy& vigy) {
  return Status::Failed(fmt::format("no key '{}' in vigy '{}'", key, vigy.name));
}

}  // namespace

Result<Kv> ListKv(Store& store, std::string_view ref) {
  Result<Vigy> vigy = FindVigy(store, ref);
  if (!vigy.ok()) return vigy.status();
  return store.KvList(vigy->id);
}

Result<nlohmann::json> GetKv(Store& store, std::string_view ref, std::string_view key) {
  if (Status s = ValidateKvKey(key); !s.ok()) return s;
  Result<Vigy> vigy = FindVigy(store, ref);
  if (!vigy.ok()) return vigy.status();
  auto value = store.KvGet(vigy->id, key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return NoKey(key, *vigy);
  return std::move(**value);
}

Status SetKv(Store& store, std::string_view ref, std::string_view key,
             const nlohmann::json& value) {
  if (Status s = ValidateWritableKvKey(key); !s.ok()) return s;
  Result<Vigy> vigy = FindVigy(store, ref);
  if (!vigy.ok()) return vigy.status();
  return store.KvSet(vigy->id, key, value);
}

Status RemoveKv(Store& store, std::string_view ref, std::string_view key) {
  if (Status s = ValidateWritableKvKey(key); !s.ok()) return s;
  Result<Vigy> vigy = FindVigy(store, ref);
  if (!vigy.ok()) return vigy.status();
  auto existed = store.KvDelete(vigy->id, key);
  if (!existed.ok()) return existed.status();
  return *existed ? Status::Ok() : NoKey(key, *vigy);
}

}  // namespace vigy::core
