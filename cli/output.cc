#include "cli/output.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>

#include "cli/one_line.h"

namespace vigy::cli {
namespace {

std::string_view EscapeFor(Style style) {
  switch (style) {
    case Style::kPlain:
      return "";
    case Style::kBold:
      return "\x1b[1m";
    case Style::kDim:
      return "\x1b[2m";
    case Style::kRed:
      return "\x1b[31m";
    case Style::kGreen:
      return "\x1b[32m";
    case Style::kYellow:
      return "\x1b[33m";
    case Style::kCyan:
      return "\x1b[36m";
  }
  return "";
}

std::string Wrap(bool color, Style style, std::string_view text) {
  std::string_view escape = EscapeFor(style);
  if (!color || escape.empty()) return std::string(text);
  return fmt::format("{}{}\x1b[0m", escape, text);
}

void Write(std::FILE* stream, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stream);
}

}  // namespace

bool NoColorRequested() {
  const char* value = std::getenv("NO_COLOR");
  if (value != nullptr && value[0] != '\0') return true;
  const char* term = std::getenv("TERM");
  return term != nullptr && std::string_view(term) == "dumb";
}

Output::Output(std::FILE* out, std::FILE* err, bool color_out, bool color_err)
    : out_(out), err_(err), color_out_(color_out), color_err_(color_err) {}

Output Output::ForProcess(bool no_color) {
  bool allowed = !no_color && !NoColorRequested();
  return Output(stdout, stderr, allowed && isatty(STDOUT_FILENO) == 1,
                allowed && isatty(STDERR_FILENO) == 1);
}

void Output::Print(std::string_view text) { Write(out_, text); }

void Output::PrintJson(const nlohmann::json& value) {
  std::string text = value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  Write(out_, text);
}

void Output::PrintError(std::string_view text) {
  std::fflush(out_);
  Write(err_, text);
}

// One line whatever the message quotes: newlines and control characters in it
// are escaped (see one_line.h).
void Output::Error(std::string_view message) {
  PrintError(fmt::format("{}: {}\n", PaintError(Style::kBold, "vigy"), OneLine(message)));
}

std::string Output::Paint(Style style, std::string_view text) const {
  return Wrap(color_out_, style, text);
}

std::string Output::PaintError(Style style, std::string_view text) const {
  return Wrap(color_err_, style, text);
}

void Output::Flush() {
  std::fflush(out_);
  std::fflush(err_);
}

}  // namespace vigy::cli
