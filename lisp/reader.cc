#include "lisp/reader.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>

#include "lisp/utf8.h"

namespace vigy::lisp {
namespace {

struct ReadFailure {
  SourcePos pos;
  std::string message;
};

bool IsDelimiter(char ch) {
  switch (ch) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case '\f':
    case '\v':
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
    case '"':
    case ';':
    case '\'':
    case '`':
    case ',':
      return true;
    default:
      return false;
  }
}

bool IsDigit(char ch) { return ch >= '0' && ch <= '9'; }

// integer: [+-]?digit+
bool LooksLikeInteger(std::string_view t) {
  size_t i = (t[0] == '+' || t[0] == '-') ? 1 : 0;
  if (i == t.size()) return false;
  for (; i < t.size(); ++i) {
    if (!IsDigit(t[i])) return false;
  }
  return true;
}

// float: [+-]? (digit+ '.' digit* | '.' digit+ | digit+) (e [+-]? digit+)?, with a '.' or exponent
bool LooksLikeFloat(std::string_view t) {
  size_t i = (t[0] == '+' || t[0] == '-') ? 1 : 0;
  size_t int_digits = 0, frac_digits = 0;
  while (i < t.size() && IsDigit(t[i])) ++i, ++int_digits;
  bool dot = i < t.size() && t[i] == '.';
  if (dot) {
    ++i;
    while (i < t.size() && IsDigit(t[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  bool exponent = i < t.size() && (t[i] == 'e' || t[i] == 'E');
  if (exponent) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < t.size() && IsDigit(t[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == t.size() && (dot || exponent);
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Reader {
 public:
  Reader(Arena& arena, std::string_view src, ReadOutput* out)
      : arena_(arena), src_(src), out_(out) {}

  // program: BOM? form*
  void ReadProgram() {
    // A byte-order mark some editors write at the start is not part of the
    // program; anywhere else it is an error below.
    if (src_.starts_with(kByteOrderMark)) i_ = kByteOrderMark.size();
    size_t invalid = FirstInvalidUtf8(src_);
    if (invalid < src_.size()) {
      while (i_ < invalid) Advance();
      Fail(Pos(), fmt::format("invalid UTF-8 (byte 0x{:02x}): programs are UTF-8 text",
                              static_cast<unsigned char>(src_[invalid])));
    }
    CheckCharacters();
    while (true) {
      SkipAtmosphere();
      if (AtEnd()) return;
      SourcePos pos = Pos();
      out_->forms.push_back(ReadForm(0));
      out_->form_positions.push_back(pos);
    }
  }

 private:
  static constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

  // Programs are text: no NUL or other control character (but tab, newline,
  // carriage return, form feed and vertical tab) and no byte-order mark past
  // the start, anywhere, even in strings and comments (write "\\u001b" for
  // an escape character in a string). Fails at the first one.
  void CheckCharacters() {
    const size_t start = i_;
    for (size_t k = i_; k < src_.size(); ++k) {
      unsigned char u = static_cast<unsigned char>(src_[k]);
      bool control =
          (u < 0x20 && u != '\t' && u != '\n' && u != '\r' && u != '\f' && u != '\v') || u == 0x7f;
      bool bom = u == 0xEF && src_.substr(k, 3) == kByteOrderMark;
      if (!control && !bom) continue;
      while (i_ < k) Advance();
      if (bom) Fail(Pos(), "a byte-order mark (U+FEFF) inside the program");
      Fail(Pos(), fmt::format("control character U+{:04X} ({}): programs are text", u,
                              u == 0      ? "NUL"
                              : u == 0x1b ? "ESC"
                              : u == 0x7f ? "DEL"
                                          : "C0"));
    }
    i_ = start;
    line_ = 1;
    col_ = 1;
  }

  bool AtEnd() const { return i_ >= src_.size(); }
  char Peek() const { return src_[i_]; }
  SourcePos Pos() const { return {line_, col_}; }

  void Advance() {
    char ch = src_[i_++];
    if (ch == '\n') {
      ++line_;
      col_ = 1;
    } else if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) {
      ++col_;
    } else {
      // A continuation byte belongs to the character already counted.
    }
  }

  [[noreturn]] void Fail(SourcePos pos, std::string message) {
    throw ReadFailure{pos, std::move(message)};
  }

  // whitespace and ; comments
  void SkipAtmosphere() {
    while (!AtEnd()) {
      char ch = Peek();
      if (ch == ';') {
        while (!AtEnd() && Peek() != '\n') Advance();
      } else if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v') {
        Advance();
      } else {
        return;
      }
    }
  }

  // form: list | quoted | string | atom
  Value ReadForm(int depth) {
    SourcePos pos = Pos();
    char ch = Peek();
    switch (ch) {
      case '(':
        return ReadList(depth);
      case ')':
        Fail(pos, "unmatched ')'");
      case '[':
      case ']':
      case '{':
      case '}':
        Fail(pos, fmt::format("unexpected '{}' (lists are written with parentheses)", ch));
      case '"':
        return ReadString();
      case '\'':
        return ReadQuoted("quote", 1, depth);
      case '`':
        return ReadQuoted("quasiquote", 1, depth);
      case ',':
        if (i_ + 1 < src_.size() && src_[i_ + 1] == '@') {
          return ReadQuoted("unquote-splice", 2, depth);
        }
        return ReadQuoted("unquote", 1, depth);
      default:
        return ReadAtom();
    }
  }

  // The list opened at `depth` is nested depth + 1 deep.
  void CheckNesting(int depth) {
    if (depth >= kMaxReadDepth) {
      Fail(Pos(), fmt::format("forms nested deeper than {}", kMaxReadDepth));
    }
  }

  // list: '(' form* ')'
  Value ReadList(int depth) {
    CheckNesting(depth);
    SourcePos open = Pos();
    Advance();
    ListBuilder items(arena_);
    while (true) {
      SkipAtmosphere();
      if (AtEnd()) {
        Fail(open, fmt::format("unclosed '(' opened at {}:{}", open.line, open.col));
      }
      if (Peek() == ')') {
        Advance();
        break;
      }
      items.Add(ReadForm(depth + 1));
    }
    Value list = items.Finish();
    if (list.is_cons()) out_->positions[list.c] = open;
    return list;
  }

  // quoted: ('\'' | '`' | ',' | ',@') form
  Value ReadQuoted(std::string_view name, int prefix_len, int depth) {
    CheckNesting(depth);
    SourcePos pos = Pos();
    std::string_view prefix = src_.substr(i_, prefix_len);
    for (int k = 0; k < prefix_len; ++k) Advance();
    SkipAtmosphere();
    if (AtEnd() || Peek() == ')') {
      Fail(pos, fmt::format("{} ({}) must be followed by a form", name, prefix));
    }
    Value head = MakeSymbol(arena_, name);
    out_->positions[head.sym] = pos;
    Value quoted = ReadForm(depth + 1);
    Value list = MakeCons(arena_, head, MakeCons(arena_, quoted, Value::Empty()));
    out_->positions[list.c] = pos;
    return list;
  }

  // string: '"' (char | escape)* '"'
  Value ReadString() {
    SourcePos open = Pos();
    Advance();
    std::string text;
    while (true) {
      if (AtEnd()) Fail(open, "unterminated string");
      char ch = Peek();
      if (ch == '"') {
        Advance();
        break;
      }
      if (ch != '\\') {
        text += ch;
        Advance();
        continue;
      }
      SourcePos escape = Pos();
      Advance();
      if (AtEnd()) Fail(open, "unterminated string");
      char e = Peek();
      Advance();
      switch (e) {
        case 'n':
          text += '\n';
          break;
        case 't':
          text += '\t';
          break;
        case 'r':
          text += '\r';
          break;
        case '"':
          text += '"';
          break;
        case '\\':
          text += '\\';
          break;
        case 'u':
          AppendUtf8(text, ReadUnicodeEscape(escape));
          break;
        default:
          Fail(escape, fmt::format("unknown escape '\\{}' in string", e));
      }
    }
    return MakeString(arena_, text);
  }

  uint32_t ReadHex4(SourcePos escape) {
    uint32_t cp = 0;
    for (int k = 0; k < 4; ++k) {
      if (AtEnd()) Fail(escape, "'\\u' needs four hex digits");
      char h = Peek();
      int digit = (h >= '0' && h <= '9')   ? h - '0'
                  : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                  : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                           : -1;
      if (digit < 0) Fail(escape, "'\\u' needs four hex digits");
      cp = cp * 16 + static_cast<uint32_t>(digit);
      Advance();
    }
    return cp;
  }

  // escape: '\u' hex4 ('\u' hex4 for the low half of a surrogate pair)?
  uint32_t ReadUnicodeEscape(SourcePos escape) {
    uint32_t cp = ReadHex4(escape);
    if (cp >= 0xD800 && cp <= 0xDBFF && src_.substr(i_, 2) == "\\u") {
      Advance();
      Advance();
      uint32_t low = ReadHex4(escape);
      if (low < 0xDC00 || low > 0xDFFF) Fail(escape, "invalid surrogate pair in '\\u' escape");
      return 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) Fail(escape, "lone surrogate in '\\u' escape");
    return cp;
  }

  // atom: integer | float | '#t' | '#f' | keyword | symbol
  Value ReadAtom() {
    SourcePos pos = Pos();
    size_t start = i_;
    while (!AtEnd() && !IsDelimiter(Peek())) Advance();
    std::string_view token = src_.substr(start, i_ - start);
    if (token[0] == '#') {
      if (token == "#t" || token == "#true") return Value::Bool(true);
      if (token == "#f" || token == "#false") return Value::Bool(false);
      Fail(pos, fmt::format("unknown syntax '{}'", token));
    }
    if (IsDigit(token[0]) ||
        ((token[0] == '+' || token[0] == '-' || token[0] == '.') && token.size() > 1)) {
      if (LooksLikeInteger(token)) return ParseInteger(token, pos);
      if (LooksLikeFloat(token))
        return Value::Float(std::strtod(std::string(token).c_str(), nullptr));
    }
    if (token[0] == ':') {
      if (token.size() == 1) Fail(pos, "a keyword needs a name after ':'");
      return MakeKeyword(arena_, token.substr(1));
    }
    Value sym = MakeSymbol(arena_, token);
    out_->positions[sym.sym] = pos;
    return sym;
  }

  Value ParseInteger(std::string_view token, SourcePos pos) {
    std::string text(token[0] == '+' ? token.substr(1) : token);
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno == ERANGE) Fail(pos, fmt::format("integer literal out of range: {}", token));
    return Value::Int(v);
  }

  Arena& arena_;
  std::string_view src_;
  ReadOutput* out_;
  size_t i_ = 0;
  int line_ = 1;
  int col_ = 1;
};

}  // namespace

bool ReadAll(Arena& arena, std::string_view source, const std::string& file, ReadOutput* out,
             Diagnostic* error) {
  Reader reader(arena, source, out);
  try {
    reader.ReadProgram();
    return true;
  } catch (const ReadFailure& failure) {
    *error = Diagnostic{file, failure.pos, failure.message};
    return false;
  }
}

}  // namespace vigy::lisp
