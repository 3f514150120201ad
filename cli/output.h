// Printing for the command line: data on stdout, problems on stderr, colour
// only where it helps (a terminal, unless --no-color or NO_COLOR says no), and
// JSON in one stable shape. Commands print through this so those rules live
// in one place.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace vigy::cli {

enum class Style { kPlain, kBold, kDim, kRed, kGreen, kYellow, kCyan };

class Output {
 public:
  // Colour is applied to a stream only when its flag is set.
  Output(std::FILE* out, std::FILE* err, bool color_out, bool color_err);

  // Colour for a stream that is a terminal, unless `no_color` (--no-color) or
  // NoColorRequested().
  static Output ForProcess(bool no_color);

  // Writes `text` to stdout as is.
  void Print(std::string_view text);
  // `value` as indented JSON and a newline. Invalid UTF-8 in strings is
  // replaced rather than failing the command.
  void PrintJson(const nlohmann::json& value);
  // Writes `text` to stderr as is (stdout is flushed first, so the two stay
  // in order on a shared terminal).
  void PrintError(std::string_view text);
  // The one-line error every failing command ends with: "vigy: <message>".
  void Error(std::string_view message);

  // `text` wrapped in the escape codes for `style` when the stream is coloured.
  std::string Paint(Style style, std::string_view text) const;
  std::string PaintError(Style style, std::string_view text) const;

  void Flush();

 private:
  std::FILE* out_;
  std::FILE* err_;
  bool color_out_;
  bool color_err_;
};

// Whether the environment asks for no colour: NO_COLOR set to anything
// non-empty, or TERM=dumb (a terminal that cannot show it).
bool NoColorRequested();

}  // namespace vigy::cli
