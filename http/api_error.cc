#include "http/api_error.h"

namespace vigy::http {

using core::Status;

int HttpStatusOf(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk:
      return 200;
    case Status::Code::kInvalidArgument:
      return 400;
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kConflict:
      return 409;
    case Status::Code::kStoreUnusable:
    case Status::Code::kInterrupted:
      return 503;
    case Status::Code::kFailed:
      break;
  }
  return 500;
}

std::string ErrorBody(std::string_view code, std::string_view message) {
  nlohmann::json body;
  body["error"]["code"] = code;
  body["error"]["message"] = message;
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void SendJson(httplib::Response& res, int http_status, const nlohmann::json& body) {
  res.status = http_status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                  "application/json");
}

void SendError(httplib::Response& res, int http_status, std::string_view code,
               std::string_view message) {
  res.status = http_status;
  res.set_content(ErrorBody(code, message) + "\n", "application/json");
}

void SendStatus(httplib::Response& res, const Status& status) {
  SendError(res, HttpStatusOf(status), core::CodeName(status.code()), status.message());
}

}  // namespace vigy::http
