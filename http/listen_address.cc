#include "http/listen_address.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <charconv>

namespace vigy::http {
namespace {

using core::Status;

constexpr std::string_view kDefaultHost = "127.0.0.1";

}  // namespace

bool ListenAddress::loopback() const {
  if (host == "localhost" || host == "::1") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return false;
}

std::string ListenAddress::ToString() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

core::Result<ListenAddress> ParseListenAddress(const std::string& text) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format("bad --http address '{}': {}", text, why));
  };
  ListenAddress address;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos) return bad("missing ']' after the IPv6 address");
    address.host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':') return bad("expected [IPV6]:PORT");
    port_text = text.substr(close + 2);
  } else if (size_t colon = text.rfind(':'); colon != std::string::npos) {
    address.host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (address.host.find(':') != std::string::npos) {
      return bad("write an IPv6 address in brackets: [::1]:PORT");
    }
  } else {
    port_text = text;
  }
  if (address.host.empty()) address.host = std::string(kDefaultHost);
  int port = -1;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port < 0 || port > 65535) {
    return bad("the port must be a number from 0 to 65535");
  }
  address.port = port;
  in_addr v4{};
  in6_addr v6{};
  if (address.host != "localhost" && inet_pton(AF_INET, address.host.c_str(), &v4) != 1 &&
      inet_pton(AF_INET6, address.host.c_str(), &v6) != 1) {
    return bad("the host must be an IP address or localhost");
  }
  return address;
}

}  // namespace vigy::http
