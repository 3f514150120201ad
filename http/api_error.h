// How the HTTP surface answers: JSON bodies, and errors as
// {"error": {"code", "message"}} with the HTTP status that matches the
// core::Status code (the same refusals the command line makes, with the same
// messages).
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/status.h"

namespace vigy::http {

// 400 invalid argument, 404 not found, 409 conflict, 503 store unusable or
// interrupted, 500 failed.
int HttpStatusOf(const core::Status& status);

// The body {"error": {"code": code, "message": message}}.
std::string ErrorBody(std::string_view code, std::string_view message);

void SendJson(httplib::Response& res, int http_status, const nlohmann::json& body);
void SendError(httplib::Response& res, int http_status, std::string_view code,
               std::string_view message);
void SendStatus(httplib::Response& res, const core::Status& status);

}  // namespace vigy::http
