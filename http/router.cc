#include "http/router.h"

#include <stdexcept>

namespace vigy::http {
namespace {

// The template as a regex: {name} becomes one segment, the rest is literal.
std::string PatternOf(std::string_view path) {
  std::string pattern;
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '{') {
      size_t close = path.find('}', i);
      if (close == std::string_view::npos) throw std::logic_error("bad route template");
      pattern += "([^/]+)";
      i = close;
    } else if (std::string_view(".+*?^$()[]|\\").find(c) != std::string_view::npos) {
      pattern += '\\';
      pattern += c;
    } else {
      pattern += c;
    }
  }
  return pattern;
}

}  // namespace

void Router::Add(std::string_view method, std::string_view path, Handler handler) {
  std::string pattern = PatternOf(path);
  routes_.push_back(Route{std::string(method), std::string(path), std::regex(pattern)});
  if (method == "GET") {
    server_.Get(pattern, std::move(handler));
  } else if (method == "POST") {
    server_.Post(pattern, std::move(handler));
  } else if (method == "PUT") {
    server_.Put(pattern, std::move(handler));
  } else if (method == "PATCH") {
    server_.Patch(pattern, std::move(handler));
  } else if (method == "DELETE") {
    server_.Delete(pattern, std::move(handler));
  } else {
    throw std::logic_error("unsupported method");
  }
}

std::vector<std::string> Router::MethodsFor(const std::string& path) const {
  std::vector<std::string> methods;
  for (const Route& route : routes_) {
    if (std::regex_match(path, route.pattern)) methods.push_back(route.method);
  }
  return methods;
}

std::vector<std::string> Router::Routes() const {
  std::vector<std::string> routes;
  for (const Route& route : routes_) routes.push_back(route.method + " " + route.path);
  return routes;
}

}  // namespace vigy::http
