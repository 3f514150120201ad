#include "lisp/printer.h"

#include <fmt/format.h>

#include <cmath>
#include <utility>
#include <vector>

#include "lisp/builtin.h"
#include "lisp/function.h"
#include "lisp/map.h"

namespace vigy::lisp {
namespace {

// Data nested deeper than this prints as "..." (printing never recurses, so
// this bounds the size of the text, not the stack).
constexpr int kMaxPrintDepth = 10'000;

void AppendQuoted(std::string& out, std::string_view text) {
  out += '"';
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

// Prints with an explicit work stack rather than recursion: how deep data can
// nest is then bounded by memory, not by the native stack of whatever thread
// happens to print it.
class Printer {
 public:
  Printer(std::string& out, bool readable) : out_(out), readable_(readable) {}

  void Print(Value root) {
    work_.push_back({Step::kValue, 0, root, nullptr});
    while (!work_.empty()) {
      Work w = work_.back();
      work_.pop_back();
      switch (w.step) {
        case Step::kValue:
          PrintValue(w.value, w.depth);
          break;
        case Step::kText:
          out_ += w.text;
          break;
        case Step::kListRest:
          ContinueList(w.value, w.depth);
          break;
      }
    }
  }

 private:
  enum class Step : uint8_t { kValue, kText, kListRest };
  struct Work {
    Step step;
    int depth;
    Value value;       // kValue: what to print; kListRest: the rest of a list
    const char* text;  // kText
  };

  void Push(Value v, int depth) { work_.push_back({Step::kValue, depth, v, nullptr}); }
  void PushText(const char* text) { work_.push_back({Step::kText, 0, Value(), text}); }

  void PrintValue(Value v, int depth) {
    if (depth > kMaxPrintDepth) {
      out_ += "...";
      return;
    }
    switch (v.tag) {
      case Tag::kNil:
        out_ += "nil";
        break;
      case Tag::kBool:
        out_ += v.b ? "#t" : "#f";
        break;
      case Tag::kInt:
        fmt::format_to(std::back_inserter(out_), "{}", v.i);
        break;
      case Tag::kFloat:
        out_ += FormatFloat(v.f);
        break;
      case Tag::kEmpty:
        out_ += "()";
        break;
      case Tag::kString:
        PrintString(v.s->view());
        break;
      case Tag::kSymbol:
        out_ += v.sym->name();
        break;
      case Tag::kKeyword:
        out_ += ':';
        out_ += v.sym->name();
        break;
      case Tag::kCons:
        StartList(v, depth);
        break;
      case Tag::kMap:
        StartMap(v, depth);
        break;
      case Tag::kClosure:
        PrintClosure(v.fn);
        break;
      case Tag::kBuiltin:
        out_ += "#<builtin ";
        out_ += v.bi->name;
        out_ += '>';
        break;
      case Tag::kError:
        PrintError(v.err);
        break;
      case Tag::kPromise:
        out_ +=
            v.promise->forced ? "#<promise " + Repr(v.promise->value) + ">" : "#<promise pending>";
        break;
      case Tag::kChannel:
        out_ += v.chan->closed ? "#<channel closed>" : "#<channel>";
        break;
      case Tag::kFiber:
        out_ += "#<fiber>";
        break;
      case Tag::kUnbound:
        out_ += "#<unbound>";
        break;
      case Tag::kTailCall:
        out_ += "#<tail-call>";
        break;
    }
  }

  void PrintString(std::string_view text) {
    if (readable_) {
      AppendQuoted(out_, text);
    } else {
      out_ += text;
    }
  }

  void StartList(Value v, int depth) {
    out_ += '(';
    PushText(")");
    work_.push_back({Step::kListRest, depth, v.c->cdr, nullptr});
    Push(v.c->car, depth + 1);
  }

  void ContinueList(Value rest, int depth) {
    if (!rest.is_cons()) return;
    out_ += ' ';
    work_.push_back({Step::kListRest, depth, rest.c->cdr, nullptr});
    Push(rest.c->car, depth + 1);
  }

  // Entries are pushed last to first so they come off the stack in order.
  void StartMap(Value v, int depth) {
    out_ += '{';
    PushText("}");
    std::vector<std::pair<Value, Value>> entries;
    MapForEach(v, [&](Value key, Value value) { entries.emplace_back(key, value); });
    for (size_t k = entries.size(); k-- > 0;) {
      Push(entries[k].second, depth + 1);
      PushText(" ");
      Push(entries[k].first, depth + 1);
      if (k > 0) PushText(" ");
    }
  }

  void PrintClosure(const Closure* fn) {
    std::string_view name = ClosureName(fn);
    out_ += "#<function";
    if (!name.empty()) {
      out_ += ' ';
      out_ += name;
    }
    out_ += '>';
  }

  // Always the readable form: an error's message is quoted even in Display, so
  // "#<error ...>" reads as one unit inside other text.
  void PrintError(const ErrorObj* err) {
    out_ += "#<error ";
    if (err->tag.is_keyword()) {
      out_ += ':';
      out_ += err->tag.sym->name();
      out_ += ' ';
    }
    AppendQuoted(out_, err->message->view());
    if (err->data.is_cons()) {
      out_ += " {";
      bool first = true;
      for (Value it = err->data; it.is_cons(); it = it.c->cdr) {
        if (!first) out_ += ' ';
        first = false;
        AppendRepr(out_, it.c->car);
      }
      out_ += '}';
    }
    out_ += '>';
  }

  std::string& out_;
  bool readable_;
  std::vector<Work> work_;
};

}  // namespace

std::string FormatFloat(double f) {
  if (std::isnan(f)) return "+nan.0";
  if (std::isinf(f)) return f > 0 ? "+inf.0" : "-inf.0";
  std::string text = fmt::format("{}", f);
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

void AppendRepr(std::string& out, Value v) { Printer(out, true).Print(v); }

void AppendDisplay(std::string& out, Value v) {
  if (v.is_string()) {
    out += v.s->view();
    return;
  }
  Printer(out, false).Print(v);
}

std::string Repr(Value v) {
  std::string out;
  AppendRepr(out, v);
  return out;
}

std::string Display(Value v) {
  std::string out;
  AppendDisplay(out, v);
  return out;
}

}  // namespace vigy::lisp
