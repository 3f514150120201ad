// Routes as the OpenAPI document writes them ("/v1/vigies/{id}/kv/{key}"),
// registered with the httplib server and remembered, so that a wrong method
// on a known path is answered 405 with Allow, and tests can list them.
#pragma once

#include <httplib.h>

#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace vigy::http {

class Router {
 public:
  using Handler = httplib::Server::Handler;

  explicit Router(httplib::Server& server) : server_(server) {}

  // `path` is a template: each {name} matches one path segment, read in the
  // handler as req.matches[1], [2], ... in order.
  void Add(std::string_view method, std::string_view path, Handler handler);

  // The methods with a route matching the concrete `path`; empty for none.
  std::vector<std::string> MethodsFor(const std::string& path) const;

  // Every route as "METHOD /template", in the order added.
  std::vector<std::string> Routes() const;

 private:
  struct Route {
    std::string method;
    std::string path;
    std::regex pattern;
  };

  httplib::Server& server_;
  std::vector<Route> routes_;
};

}  // namespace vigy::http
