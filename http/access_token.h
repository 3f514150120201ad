// The bearer token every /v1 request must carry. It comes from a file that
// only its owner may read: the one --http-token-file names, or one serve
// creates beside the store at its first start (STORE.http-token, 0600) and
// reuses afterwards. The token is never logged; its file's path is.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace vigy::http {

struct AccessToken {
  std::string token;
  std::string path;      // the file it was read from
  bool created = false;  // the file was written just now
};

// The token in `path` (surrounding whitespace dropped). kInvalidArgument
// naming the file when it cannot be read, is not a regular file, can be read
// or written by group or others (the message says which chmod fixes it), or
// holds a token shorter than 16 characters or with characters outside
// printable ASCII.
core::Result<AccessToken> ReadAccessToken(const std::string& path);

// The token beside the store at `store_path` (STORE.http-token): read as
// ReadAccessToken does when the file exists, else created with a fresh random
// token (32 bytes from getrandom, as 64 hex digits), mode 0600, never
// replacing a file made meanwhile. kStoreUnusable when it cannot be written.
core::Result<AccessToken> EnsureAccessToken(const std::string& store_path);

// Where EnsureAccessToken keeps the token of the store at `store_path`.
std::string DefaultTokenPath(const std::string& store_path);

// Whether `given` equals `expected`, in time that does not depend on where
// they first differ.
bool TokensEqual(std::string_view given, std::string_view expected);

// 32 random bytes as 64 lowercase hex digits, from getrandom(2).
core::Result<std::string> RandomHex32();

}  // namespace vigy::http
