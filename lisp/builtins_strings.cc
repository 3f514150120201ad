// String builtins. Strings are immutable UTF-8; every function that takes or
// returns a position counts characters (code points), not bytes. Case mapping
// and trimming know ASCII only.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>

#include "lisp/builtin_args.h"
#include "lisp/builtins.h"
#include "lisp/machine.h"
#include "lisp/printer.h"
#include "lisp/utf8.h"

namespace vigy::lisp {
namespace {

Value NewText(Machine& m, std::string_view text) { return MakeString(m.arena(), text); }

// ---- building strings ----

Value Str(Machine& m, Args args) {
  if (args.size() == 1 && args[0].is_string()) return args[0];
  std::string out;
  for (Value v : args) AppendDisplay(out, v);
  return NewText(m, out);
}

Value StringAppend(Machine& m, Args args) {
  std::string out;
  for (Value v : args) out += ArgString(m, v);
  return NewText(m, out);
}

// (string-join list [sep]): the display forms of the elements, separated.
Value StringJoin(Machine& m, Args args) {
  Value list = ArgList(m, args[0]);
  std::string_view sep = args.size() > 1 ? ArgString(m, args[1], "string separator") : "";
  std::string out;
  size_t count = 0;
  for (Value v = list; v.is_cons(); v = v.c->cdr, ++count) {
    if (count > 0) out += sep;
    AppendDisplay(out, v.c->car);
  }
  m.Charge(count);
  return NewText(m, out);
}

// ---- measuring and slicing ----

Value StringLength(Machine& m, Args args) { return Value::Int(ArgStringObj(m, args[0])->chars); }

[[noreturn]] void IndexOutOfRange(Machine& m, int64_t index, uint32_t length) {
  m.Fail("index",
         fmt::format("index {} out of range in '{}' (length {})", index, m.builtin_name(), length));
}

// (substring s start [end]): characters [start, end); end defaults to the length.
Value Substring(Machine& m, Args args) {
  const String* s = ArgStringObj(m, args[0]);
  int64_t start = ArgInt(m, args[1]);
  int64_t end = args.size() > 2 ? ArgInt(m, args[2]) : s->chars;
  if (start < 0 || start > s->chars) IndexOutOfRange(m, start, s->chars);
  if (end < 0 || end > s->chars) IndexOutOfRange(m, end, s->chars);
  if (start > end) {
    m.Fail("index", fmt::format("start {} is after end {} in 'substring'", start, end));
  }
  std::string_view text = s->view();
  if (s->ascii()) return NewText(m, text.substr(start, end - start));
  size_t from = Utf8Offset(text, start);
  size_t to = from + Utf8Offset(text.substr(from), end - start);
  return NewText(m, text.substr(from, to - from));
}

// ---- searching ----

Value StringContains(Machine& m, Args args) {
  std::string_view s = ArgString(m, args[0]);
  return Value::Bool(s.find(ArgString(m, args[1])) != std::string_view::npos);
}

Value StringStartsWith(Machine& m, Args args) {
  std::string_view s = ArgString(m, args[0]);
  return Value::Bool(s.starts_with(ArgString(m, args[1])));
}

Value StringEndsWith(Machine& m, Args args) {
  std::string_view s = ArgString(m, args[0]);
  return Value::Bool(s.ends_with(ArgString(m, args[1])));
}

// (string-split s sep): the pieces between occurrences of sep, empty ones
// included; an empty sep splits into characters. The empty string gives ("").
Value StringSplit(Machine& m, Args args) {
  std::string_view s = ArgString(m, args[0]);
  std::string_view sep = ArgString(m, args[1], "string separator");
  ListBuilder pieces(m.arena());
  size_t count = 0;
  if (sep.empty()) {
    for (size_t pos = 0; pos < s.size(); ++count) {
      size_t n = Utf8CharLength(s, pos);
      pieces.Add(NewText(m, s.substr(pos, n)));
      pos += n;
    }
  } else {
    size_t start = 0;
    for (;; ++count) {
      size_t at = s.find(sep, start);
      pieces.Add(NewText(m, s.substr(start, at - start)));
      if (at == std::string_view::npos) break;
      start = at + sep.size();
    }
  }
  m.Charge(count);
  return pieces.Finish();
}

// (string-replace s old new): every occurrence, left to right, without
// rescanning replaced text. An empty `old` leaves s unchanged.
Value StringReplace(Machine& m, Args args) {
  std::string_view s = ArgString(m, args[0]);
  std::string_view from = ArgString(m, args[1]);
  std::string_view to = ArgString(m, args[2]);
  if (from.empty() || s.find(from) == std::string_view::npos) return args[0];
  std::string out;
  size_t start = 0;
  size_t count = 0;
  for (size_t at; (at = s.find(from, start)) != std::string_view::npos; ++count) {
    out.append(s.substr(start, at - start));
    out.append(to);
    start = at + from.size();
  }
  out.append(s.substr(start));
  m.Charge(count);
  return NewText(m, out);
}

// ---- transforming ----

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

Value StringTrim(Machine& m, Args args) {
  std::string_view s = ArgString(m, args[0]);
  size_t begin = 0;
  size_t end = s.size();
  while (begin < end && IsSpace(s[begin])) ++begin;
  while (end > begin && IsSpace(s[end - 1])) --end;
  if (begin == 0 && end == s.size()) return args[0];
  return NewText(m, s.substr(begin, end - begin));
}

template <char (*map_char)(char)>
Value MapAscii(Machine& m, Args args) {
  std::string out(ArgString(m, args[0]));
  std::transform(out.begin(), out.end(), out.begin(), map_char);
  return NewText(m, out);
}

char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// ---- conversions ----

Value NumberToString(Machine& m, Args args) {
  Value v = args[0];
  if (!v.is_number()) m.TypeMismatch("number", v);
  return NewText(m, Display(v));
}

// Integer syntax first (an optional sign and digits, within int64), then
// decimal float syntax. Anything else — including "inf", "nan", hex and
// surrounding spaces — is not a number.
Value ParseNumber(std::string_view text) {
  std::string_view digits = text;
  if (digits.starts_with('+')) {
    digits.remove_prefix(1);
    if (digits.starts_with('-')) return Value::Nil();
  }
  if (digits.empty()) return Value::Nil();
  const char* end = digits.data() + digits.size();
  int64_t i;
  auto [int_end, int_error] = std::from_chars(digits.data(), end, i);
  if (int_error == std::errc() && int_end == end) return Value::Int(i);
  bool has_digit = false;
  for (char c : digits) {
    if (c >= '0' && c <= '9') {
      has_digit = true;
    } else if (c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') {
      return Value::Nil();
    }
  }
  if (!has_digit) return Value::Nil();
  double f;
  auto [float_end, float_error] = std::from_chars(digits.data(), end, f);
  if (float_error != std::errc() || float_end != end) return Value::Nil();
  return Value::Float(f);
}

Value StringToNumber(Machine& m, Args args) { return ParseNumber(ArgString(m, args[0])); }

Value SymbolToString(Machine& m, Args args) { return NewText(m, ArgSymbol(m, args[0])->name()); }

Value StringToSymbol(Machine& m, Args args) { return MakeSymbol(m.arena(), ArgString(m, args[0])); }

Value KeywordToString(Machine& m, Args args) { return NewText(m, ArgKeyword(m, args[0])->name()); }

// ---- format ----

// (format template args…): ~a inserts the next argument's display form, ~s its
// readable form, ~% a newline, ~~ a tilde. Extra arguments are ignored.
Value Format(Machine& m, Args args) {
  std::string_view tmpl = ArgString(m, args[0], "format string");
  size_t next = 1;
  std::string out;
  for (size_t k = 0; k < tmpl.size(); ++k) {
    if (tmpl[k] != '~') {
      out += tmpl[k];
      continue;
    }
    if (++k == tmpl.size()) m.Fail("format", "format string ends with a lone '~' in 'format'");
    char directive = tmpl[k];
    if (directive == '%') {
      out += '\n';
    } else if (directive == '~') {
      out += '~';
    } else if (directive == 'a' || directive == 's' || directive == 'A' || directive == 'S') {
      if (next == args.size()) {
        m.Fail("format", fmt::format("too few arguments in 'format': \"{}\" needs more than {}",
                                     tmpl, args.size() - 1));
      }
      if (directive == 'a' || directive == 'A') {
        AppendDisplay(out, args[next++]);
      } else {
        AppendRepr(out, args[next++]);
      }
    } else {
      m.Fail("format", fmt::format("unknown directive '~{}' in 'format'", directive));
    }
  }
  return NewText(m, out);
}

const BuiltinSpec kStrings[] = {
    {"str", 0, kVariadic, Str},
    {"string-length", 1, 1, StringLength},
    {"substring", 2, 3, Substring},
    {"string-append", 0, kVariadic, StringAppend},
    {"string-split", 2, 2, StringSplit},
    {"string-join", 1, 2, StringJoin},
    {"string-contains?", 2, 2, StringContains},
    {"string-starts-with?", 2, 2, StringStartsWith},
    {"string-ends-with?", 2, 2, StringEndsWith},
    {"string-trim", 1, 1, StringTrim},
    {"string-upcase", 1, 1, MapAscii<Upper>},
    {"string-downcase", 1, 1, MapAscii<Lower>},
    {"string-replace", 3, 3, StringReplace},
    {"number->string", 1, 1, NumberToString},
    {"string->number", 1, 1, StringToNumber},
    {"symbol->string", 1, 1, SymbolToString},
    {"string->symbol", 1, 1, StringToSymbol},
    {"keyword->string", 1, 1, KeywordToString},
    {"format", 1, kVariadic, Format},
};

}  // namespace

std::span<const BuiltinSpec> StringBuiltins() { return kStrings; }

}  // namespace vigy::lisp
