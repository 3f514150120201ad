// Text that must stay on one line (an error, a log line, a message quoted in
// a run) whatever it quotes: newlines and control characters are escaped,
// so a program's or a command's text can neither break a line in two nor
// send escape sequences to a terminal.
#pragma once

#include <string>
#include <string_view>

namespace vigy::cli {

// `text` with \n, \r and \t written as those two characters, other ASCII
// control characters and DEL as \xHH, and the C1 controls (U+0080 to U+009F)
// as \uHHHH. Everything else, including other UTF-8 and invalid bytes, is
// kept as is.
std::string OneLine(std::string_view text);

}  // namespace vigy::cli
