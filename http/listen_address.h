// Where `vigy serve --http ADDR` listens. ADDR is HOST:PORT, [IPV6]:PORT, or
// a bare PORT or :PORT, which mean 127.0.0.1:PORT: loopback unless told
// otherwise.
#pragma once

#include <string>

#include "core/status.h"

namespace vigy::http {

struct ListenAddress {
  std::string host;  // as given, without brackets; "127.0.0.1" when omitted
  int port = 0;      // 0: any free port (the server says which)

  // Whether only this host can connect: 127.0.0.0/8, ::1 or "localhost".
  bool loopback() const;
  // HOST:PORT, with brackets around an IPv6 host.
  std::string ToString() const;
};

// kInvalidArgument naming the problem for anything else.
core::Result<ListenAddress> ParseListenAddress(const std::string& text);

}  // namespace vigy::http
