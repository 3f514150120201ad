// Files built into the binary by CMakeLists.txt, so that serve needs nothing
// beside it: the OpenAPI document (http/openapi.json) and the status page
// (http/status_page.html).
#pragma once

#include <string_view>

namespace vigy::http {

std::string_view OpenApiDocument();
std::string_view StatusPage();

}  // namespace vigy::http
