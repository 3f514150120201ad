#include "core/ids.h"

#include <fmt/format.h>

#include <atomic>
#include <random>

#include "lisp/utf8.h"

namespace vigy::core {
namespace {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

// Spreads every input bit over the whole word (a murmur-style finalizer), so
// ids of similar names share no visible prefix.
uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// The character as a user would want it shown in an error message.
std::string Shown(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) return fmt::format("'{}'", c);
  if (c == ' ') return "a space";
  return fmt::format("byte 0x{:02x}", u);
}

uint32_t RandomCounterStart() {
  std::random_device device;
  // Start low enough that the counter cannot wrap in a process's lifetime.
  return device() & 0x3fffffffU;
}

}  // namespace

uint64_t StableHash64(std::string_view bytes, uint64_t seed) {
  uint64_t h = kFnvOffset ^ Mix(seed);
  for (unsigned char c : bytes) {
    h ^= c;
    h *= kFnvPrime;
  }
  return Mix(h ^ bytes.size());
}

std::string VigyIdFromName(std::string_view name) {
  return fmt::format("{:016x}", StableHash64(name, 0x7669677969640000ULL));
}

std::string Revision(std::string_view program_text) {
  return fmt::format("{:012x}", StableHash64(program_text, 0x7265766973696f6eULL) >> 16);
}

std::string NewRunId(int64_t epoch_ms) {
  static std::atomic<uint32_t> counter{RandomCounterStart()};
  uint32_t n = counter.fetch_add(1, std::memory_order_relaxed);
  uint64_t ms = epoch_ms < 0 ? 0 : static_cast<uint64_t>(epoch_ms) & 0xffffffffffffULL;
  return fmt::format("{:012x}{:08x}", ms, n);
}

Status ValidateVigyName(std::string_view name) {
  if (name.empty())
    return Status::InvalidArgument("vigy name is empty (use 1-64 of A-Z a-z 0-9 . _ -)");
  if (name.size() > 64) {
    return Status::InvalidArgument(fmt::format(
        "vigy name '{}...' is {} characters long (at most 64)", name.substr(0, 20), name.size()));
  }
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i])) {
      return Status::InvalidArgument(
          fmt::format("vigy name '{}' has {} at position {} (use only A-Z a-z 0-9 . _ -)", name,
                      Shown(name[i]), i + 1));
    }
  }
  return Status::Ok();
}

Status ValidateLabelKey(std::string_view key) {
  if (key.empty())
    return Status::InvalidArgument("label key is empty (use 1-253 of A-Z a-z 0-9 . _ / -)");
  if (key.size() > 253) {
    return Status::InvalidArgument(fmt::format(
        "label key '{}...' is {} characters long (at most 253)", key.substr(0, 20), key.size()));
  }
  for (size_t i = 0; i < key.size(); ++i) {
    if (!IsNameChar(key[i]) && key[i] != '/') {
      return Status::InvalidArgument(
          fmt::format("label key '{}' has {} at position {} (use only A-Z a-z 0-9 . _ / -)", key,
                      Shown(key[i]), i + 1));
    }
  }
  return Status::Ok();
}

Status ValidateKvKey(std::string_view key) {
  if (key.empty()) return Status::InvalidArgument("the kv key is empty");
  if (key.size() > kMaxKvKeyBytes) {
    return Status::InvalidArgument(fmt::format("kv key '{}...' is {} bytes long (at most {})",
                                               key.substr(0, 20), key.size(), kMaxKvKeyBytes));
  }
  for (size_t i = 0; i < key.size(); ++i) {
    unsigned char u = static_cast<unsigned char>(key[i]);
    if (u < 0x20 || u == 0x7f) {
      return Status::InvalidArgument(
          fmt::format("kv key has {} at byte {} (control characters are not allowed in keys)",
                      Shown(key[i]), i + 1));
    }
  }
  if (size_t bad = lisp::FirstInvalidUtf8(key); bad < key.size()) {
    return Status::InvalidArgument(
        fmt::format("kv key has {} at byte {} (keys are UTF-8 text)", Shown(key[bad]), bad + 1));
  }
  return Status::Ok();
}

}  // namespace vigy::core
