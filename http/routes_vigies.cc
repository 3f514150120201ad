// REST v1: the vigies, their state, kv and runs. Each handler reads the
// request, calls the one core operation the command line calls too, and
// writes its result as JSON; a refusal is the operation's own message. The
// store is reached only through a connection borrowed from the pool.
#include <fmt/format.h>

#include <charconv>

#include "core/clock.h"
#include "core/duration.h"
#include "core/model_json.h"
#include "core/operations.h"
#include "http/api_context.h"
#include "http/api_error.h"
#include "http/rest_json.h"
#include "lisp/json.h"

namespace vigy::http {
namespace {

using core::Status;
using httplib::Request;
using httplib::Response;
using nlohmann::json;

// A store connection for the handler; unset once the error is sent.
std::optional<StorePool::Borrowed> Borrow(ApiContext& context, Response& res) {
  auto borrowed = context.pool.Borrow();
  if (!borrowed.ok()) {
    SendStatus(res, borrowed.status());
    return std::nullopt;
  }
  return std::move(borrowed).value();
}

// The request body as one JSON document, read within the JSON bounds
// (lisp/json.h); unset once the error is sent: 415 for a content type other
// than JSON, 400 for anything that is not one JSON document.
std::optional<json> BodyOf(const Request& req, Response& res) {
  const std::string type = req.get_header_value("Content-Type");
  if (!type.empty() && type.rfind("application/json", 0) != 0) {
    SendError(
        res, 415, "unsupported_media_type",
        fmt::format("the body must be JSON (Content-Type: application/json), not '{}'", type));
    return std::nullopt;
  }
  json body;
  std::string why;
  if (req.body.empty()) {
    SendError(res, 400, "invalid_argument", "the body is empty; it must be JSON");
    return std::nullopt;
  }
  if (!lisp::ParseJson(req.body, &body, &why)) {
    SendError(res, 400, "invalid_argument", fmt::format("the body is not JSON: {}", why));
    return std::nullopt;
  }
  return body;
}

// A query parameter as a whole number of at least 1.
core::Result<std::optional<int64_t>> CountParam(const Request& req, const char* name) {
  if (!req.has_param(name)) return std::optional<int64_t>();
  const std::string text = req.get_param_value(name);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 1) {
    return Status::InvalidArgument(
        fmt::format("bad {} '{}': expected a whole number of at least 1", name, text));
  }
  return std::optional<int64_t>(value);
}

core::Result<bool> BoolParam(const Request& req, const char* name) {
  if (!req.has_param(name)) return false;
  const std::string text = req.get_param_value(name);
  if (text == "true" || text == "1" || text.empty()) return true;
  if (text == "false" || text == "0") return false;
  return Status::InvalidArgument(fmt::format("bad {} '{}': expected true or false", name, text));
}

// The vigy `ref` names, in full, as the API shows it.
core::Result<json> VigyNow(core::Store& store, std::string_view ref) {
  auto detail = core::ShowVigy(store, ref, 1);
  if (!detail.ok()) return detail.status();
  return RestVigyJson(*detail);
}

void SendVigy(core::Store& store, Response& res, std::string_view ref, int http_status) {
  auto shown = VigyNow(store, ref);
  if (!shown.ok()) return SendStatus(res, shown.status());
  SendJson(res, http_status, *shown);
}

// A register or update refused: a program that does not compile (or is
// empty) is 400 with every error's line:col; anything else by its status.
void SendRefusal(Response& res, const Status& status,
                 const std::vector<lisp::Diagnostic>& diagnostics) {
  if (status.code() != Status::Code::kFailed) return SendStatus(res, status);
  SendJson(res, 400, ProgramRefusalJson(status, diagnostics));
}

// A kv key that is not there is 404 here, as a missing vigy is.
void SendKvStatus(Response& res, const Status& status) {
  if (status.code() == Status::Code::kFailed) {
    return SendError(res, 404, "not_found", status.message());
  }
  SendStatus(res, status);
}

void AddVigyCollection(Router& router, ApiContext& context) {
  router.Add("GET", "/v1/vigies", [&context](const Request& req, Response& res) {
    // The original API lists vigies with their programs.
    core::ListRequest request{.with_programs = true};
    if (req.has_param("label_selector")) request.selector = req.get_param_value("label_selector");
    auto limit = CountParam(req, "limit");
    if (!limit.ok()) return SendStatus(res, limit.status());
    request.limit = *limit;
    if (Status s = core::CheckListRequest(request); !s.ok()) return SendStatus(res, s);
    BulkReadGate::Turn turn = context.bulk_reads.Enter();
    auto store = Borrow(context, res);
    if (!store) return;
    auto list = core::ListVigies(**store, request);
    if (!list.ok()) return SendStatus(res, list.status());
    json out = json::array();
    for (const core::VigyListing& listing : list->vigies) {
      out.push_back(RestVigyJson(listing.vigy, listing.runtime, listing.last_run));
    }
    SendJson(res, 200, out);
  });

  router.Add("POST", "/v1/vigies", [&context](const Request& req, Response& res) {
    std::optional<json> body = BodyOf(req, res);
    if (!body) return;
    auto request = ReadRegisterBody(*body);
    if (!request.ok()) return SendStatus(res, request.status());
    auto store = Borrow(context, res);
    if (!store) return;
    std::vector<lisp::Diagnostic> diagnostics;
    auto registered = core::RegisterVigy(**store, *request, &diagnostics);
    if (!registered.ok()) return SendRefusal(res, registered.status(), diagnostics);
    SendVigy(**store, res, registered->vigy.id, 201);
  });
}

void AddVigyItem(Router& router, ApiContext& context) {
  router.Add("GET", "/v1/vigies/{id}", [&context](const Request& req, Response& res) {
    auto store = Borrow(context, res);
    if (!store) return;
    SendVigy(**store, res, req.matches[1].str(), 200);
  });

  router.Add("PATCH", "/v1/vigies/{id}", [&context](const Request& req, Response& res) {
    std::optional<json> body = BodyOf(req, res);
    if (!body) return;
    auto store = Borrow(context, res);
    if (!store) return;
    auto current = core::FindVigy(**store, req.matches[1].str());
    if (!current.ok()) return SendStatus(res, current.status());
    auto request = ReadUpdateBody(*body, *current);
    if (!request.ok()) return SendStatus(res, request.status());
    std::vector<lisp::Diagnostic> diagnostics;
    auto updated = core::UpdateVigy(**store, *request, &diagnostics);
    if (!updated.ok()) return SendRefusal(res, updated.status(), diagnostics);
    SendVigy(**store, res, updated->vigy.id, 200);
  });

  router.Add("DELETE", "/v1/vigies/{id}", [&context](const Request& req, Response& res) {
    auto store = Borrow(context, res);
    if (!store) return;
    auto deleted = core::DeleteVigies(**store, {req.matches[1].str()});
    if (!deleted.ok()) return SendStatus(res, deleted.status());
    res.status = 204;
  });

  router.Add("GET", "/v1/vigies/{id}/state", [&context](const Request& req, Response& res) {
    auto store = Borrow(context, res);
    if (!store) return;
    auto detail = core::ShowVigy(**store, req.matches[1].str(), 1);
    if (!detail.ok()) return SendStatus(res, detail.status());
    SendJson(res, 200, RestStateJson(*detail, core::SystemNowMs()));
  });

  router.Add("POST", "/v1/vigies/{id}/tick", [&context](const Request& req, Response& res) {
    auto store = Borrow(context, res);
    if (!store) return;
    auto run = core::TickVigy(**store, req.matches[1].str());
    if (!run.ok()) return SendStatus(res, run.status());
    SendJson(res, 200, core::ToJson(*run));
  });

  for (bool enable : {true, false}) {
    router.Add("POST", enable ? "/v1/vigies/{id}/enable" : "/v1/vigies/{id}/disable",
               [&context, enable](const Request& req, Response& res) {
                 auto store = Borrow(context, res);
                 if (!store) return;
                 auto changed = core::SetVigiesEnabled(**store, {req.matches[1].str()}, enable);
                 if (!changed.ok()) return SendStatus(res, changed.status());
                 SendVigy(**store, res, changed->front().vigy.id, 200);
               });
  }
}

// The run history, of every vigy or of one, with the filters of `vigy runs`.
void SendRuns(ApiContext& context, const Request& req, Response& res,
              std::optional<std::string> ref) {
  core::RunsRequest request;
  request.ref = std::move(ref);
  if (!request.ref && req.has_param("vigy")) request.ref = req.get_param_value("vigy");
  auto limit = CountParam(req, "limit");
  if (!limit.ok()) return SendStatus(res, limit.status());
  if (*limit) request.limit = **limit;
  auto failed = BoolParam(req, "failed");
  if (!failed.ok()) return SendStatus(res, failed.status());
  request.failed_only = *failed;
  if (req.has_param("since")) {
    auto since = core::ParseSince("since", req.get_param_value("since"), core::SystemNowMs());
    if (!since.ok()) return SendStatus(res, since.status());
    request.since_ms = *since;
  }
  BulkReadGate::Turn turn = context.bulk_reads.Enter();
  auto store = Borrow(context, res);
  if (!store) return;
  auto runs = core::ListRuns(**store, request);
  if (!runs.ok()) return SendStatus(res, runs.status());
  json out = json::array();
  for (const core::RunRecord& run : *runs) out.push_back(core::ToJson(run));
  SendJson(res, 200, out);
}

void AddRunRoutes(Router& router, ApiContext& context) {
  router.Add("GET", "/v1/runs", [&context](const Request& req, Response& res) {
    SendRuns(context, req, res, std::nullopt);
  });
  router.Add("GET", "/v1/vigies/{id}/runs", [&context](const Request& req, Response& res) {
    SendRuns(context, req, res, req.matches[1].str());
  });
}

void AddKvRoutes(Router& router, ApiContext& context) {
  router.Add("GET", "/v1/vigies/{id}/kv", [&context](const Request& req, Response& res) {
    BulkReadGate::Turn turn = context.bulk_reads.Enter();
    auto store = Borrow(context, res);
    if (!store) return;
    auto kv = core::ListKv(**store, req.matches[1].str());
    if (!kv.ok()) return SendStatus(res, kv.status());
    SendJson(res, 200, core::KvToJson(*kv));
  });

  router.Add("GET", "/v1/vigies/{id}/kv/{key}", [&context](const Request& req, Response& res) {
    auto store = Borrow(context, res);
    if (!store) return;
    auto value = core::GetKv(**store, req.matches[1].str(), req.matches[2].str());
    if (!value.ok()) return SendKvStatus(res, value.status());
    SendJson(res, 200, *value);
  });

  router.Add("PUT", "/v1/vigies/{id}/kv/{key}", [&context](const Request& req, Response& res) {
    std::optional<json> body = BodyOf(req, res);
    if (!body) return;
    auto store = Borrow(context, res);
    if (!store) return;
    Status set = core::SetKv(**store, req.matches[1].str(), req.matches[2].str(), *body);
    if (!set.ok()) return SendStatus(res, set);
    SendJson(res, 200, *body);
  });

  router.Add("DELETE", "/v1/vigies/{id}/kv/{key}", [&context](const Request& req, Response& res) {
    auto store = Borrow(context, res);
    if (!store) return;
    Status removed = core::RemoveKv(**store, req.matches[1].str(), req.matches[2].str());
    if (!removed.ok()) return SendKvStatus(res, removed);
    res.status = 204;
  });
}

}  // namespace

void AddVigyRoutes(Router& router, ApiContext& context) {
  AddVigyCollection(router, context);
  AddVigyItem(router, context);
  AddRunRoutes(router, context);
  AddKvRoutes(router, context);
}

}  // namespace vigy::http
