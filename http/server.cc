#include "http/server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "core/clock.h"
#include "http/access_token.h"
#include "http/api_context.h"
#include "http/api_error.h"
#include "http/connection_queue.h"

namespace vigy::http {
namespace {

using core::Status;
using httplib::Server;

constexpr int kWriteTimeoutS = 10;
constexpr size_t kKeepAliveMaxRequests = 1000;

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// Why `address` cannot be bound, from a bind of our own (httplib does not say).
Status BindError(const ListenAddress& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address.port);
  int error = getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found);
  if (error != 0) {
    return Status::InvalidArgument(
        fmt::format("cannot listen on {}: {}", address.ToString(), gai_strerror(error)));
  }
  int saved = 0;
  int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (bind(fd, found->ai_addr, found->ai_addrlen) != 0) saved = errno;
    close(fd);
  } else {
    saved = errno;
  }
  freeaddrinfo(found);
  std::string why = saved != 0 ? std::strerror(saved) : "the address cannot be bound";
  std::string message = fmt::format("cannot listen on {}: {}", address.ToString(), why);
  if (saved == EADDRINUSE) return Status::Conflict(message);
  return Status::InvalidArgument(message);
}

// The bearer token in an Authorization header, or empty.
std::string BearerToken(const httplib::Request& req) {
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size()) return "";
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return "";
    }
  }
  return header.substr(kScheme.size());
}

// A request with neither Content-Length nor Transfer-Encoding has no body
// (RFC 9112, 6.3), as `curl -X POST URL` sends it; cpp-httplib 0.11 would
// instead read until the connection closes and answer 400 when the read
// times out. Saying so in the request's headers, before the body is read,
// gives such a request its empty body at once.
void NoLengthMeansNoBody(const httplib::Request& req) {
  if (req.has_header("Content-Length") || req.has_header("Transfer-Encoding")) return;
  // The request is the server's own, non-const object, passed here as const.
  const_cast<httplib::Request&>(req).headers.emplace("Content-Length", "0");
}

// Who may make `req`: anyone for the probes, the page and /metrics; a
// holder of the token for /v1 (or of a ticket, for the event stream).
Server::HandlerResponse Authorize(ApiContext& context, const httplib::Request& req,
                                  httplib::Response& res) {
  if (ConnectionQueue::Refusing()) {
    res.set_header("Connection", "close");
    res.set_header("Retry-After", "1");
    SendError(res, 503, "unavailable", "too many connections; try again later");
    return Server::HandlerResponse::Handled;
  }
  if (req.path != "/v1" && !StartsWith(req.path, "/v1/")) return Server::HandlerResponse::Unhandled;
  const std::string given = BearerToken(req);
  if (!given.empty() && TokensEqual(given, context.options.token)) {
    return Server::HandlerResponse::Unhandled;
  }
  if (given.empty() && req.path == "/v1/events" && req.has_param("ticket") &&
      context.tickets.Valid(req.get_param_value("ticket"), core::SystemNowMs())) {
    return Server::HandlerResponse::Unhandled;
  }
  res.set_header("WWW-Authenticate", "Bearer realm=\"vigy\"");
  SendError(res, 401, "unauthorized",
            given.empty() ? "this needs 'Authorization: Bearer TOKEN'; serve logs the path of "
                            "the file that holds the token"
                          : "wrong token");
  return Server::HandlerResponse::Handled;
}

// A JSON body for the errors httplib answers itself (no route, body too
// large, a request it cannot parse), and 405 for a known path.
Server::HandlerResponse FillError(const Router& router, const httplib::Request& req,
                                  httplib::Response& res) {
  if (!res.body.empty()) return Server::HandlerResponse::Unhandled;
  if (res.status == 404) {
    std::vector<std::string> methods = router.MethodsFor(req.path);
    if (!methods.empty()) {
      std::string allow;
      for (const std::string& method : methods) allow += (allow.empty() ? "" : ", ") + method;
      res.set_header("Allow", allow);
      SendError(res, 405, "method_not_allowed",
                fmt::format("{} does not take {}; it takes {}", req.path, req.method, allow));
      return Server::HandlerResponse::Handled;
    }
    SendError(res, 404, "not_found", fmt::format("no such path '{}'", req.path));
    return Server::HandlerResponse::Handled;
  }
  std::string_view code = "bad_request";
  std::string message = "the request could not be read";
  if (res.status == 413) {
    code = "payload_too_large";
    message = "the request body is too large";
  } else if (res.status == 414) {
    code = "uri_too_long";
    message = "the request line is too long";
  } else if (res.status == 431) {
    code = "headers_too_large";
    message = "the request headers are too large";
  } else if (res.status >= 500) {
    code = "internal";
    message = "internal error";
  }
  SendError(res, res.status, code, message);
  return Server::HandlerResponse::Handled;
}

}  // namespace

struct HttpServer::Impl {
  explicit Impl(HttpServerOptions options) : context(std::move(options)), router(server) {}

  ApiContext context;
  Server server;
  Router router;
  std::thread listener;
  int port = 0;
  bool stopped = false;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

int HttpServer::port() const { return impl_->port; }

std::vector<std::string> HttpServer::Routes() const { return impl_->router.Routes(); }

void HttpServer::SetSchedulerRunning(bool running) { impl_->context.scheduler_running = running; }

void HttpServer::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->context.hub.Stop();  // ends the event streams
  impl_->server.stop();
  if (impl_->listener.joinable()) impl_->listener.join();
}

core::Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  ApiContext& context = impl->context;
  const HttpServerOptions& opts = context.options;
  context.started_at_ms = core::SystemNowMs();
  if (Status s = context.hub.Start(); !s.ok()) return s;

  Server& server = impl->server;
  const size_t workers = opts.max_connections;
  server.new_task_queue = [workers] { return new ConnectionQueue(workers, workers); };
  // SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, which would
  // let a second serve share the port instead of failing to bind it.
  server.set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_payload_max_length(opts.max_body_bytes);
  server.set_read_timeout(opts.read_timeout_s, 0);
  server.set_write_timeout(kWriteTimeoutS, 0);
  server.set_keep_alive_timeout(opts.idle_timeout_s);
  server.set_keep_alive_max_count(kKeepAliveMaxRequests);
  server.set_default_headers(
      {{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "no-store"}});
  server.set_pre_routing_handler([&context](const httplib::Request& req, httplib::Response& res) {
    NoLengthMeansNoBody(req);
    return Authorize(context, req, res);
  });
  Router& router = impl->router;
  server.set_error_handler(
      Server::HandlerWithResponse([&router](const httplib::Request& req, httplib::Response& res) {
        return FillError(router, req, res);
      }));
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, const std::exception_ptr&) {
        SendError(res, 500, "internal", "internal error");
      });
  AddProbeRoutes(router, context);
  AddEventRoutes(router, context);
  AddVigyRoutes(router, context);

  const ListenAddress& address = opts.address;
  if (address.port == 0) {
    impl->port = server.bind_to_any_port(address.host);
    if (impl->port < 0) return BindError(address);
  } else {
    if (!server.bind_to_port(address.host, address.port)) return BindError(address);
    impl->port = address.port;
  }
  // Returns once the listener runs: cpp-httplib's stop() does nothing before
  // then, so a Stop() right after Start() would otherwise wait forever.
  auto listening_done = std::make_shared<std::atomic<bool>>(false);
  impl->listener = std::thread([&server, listening_done] {
    server.listen_after_bind();
    *listening_done = true;
  });
  while (!server.is_running() && !*listening_done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

}  // namespace vigy::http
