#include "lisp/expander.h"

#include <fmt/format.h>

#include <vector>

#include "lisp/interp.h"

namespace vigy::lisp {
namespace {

// Deeper macro nesting than this is treated as runaway expansion.
constexpr int kMaxExpansionDepth = 2000;

}  // namespace

size_t FormLength(Value list) { return ListLength(list); }

Value Nth(Value list, size_t n) {
  for (; n > 0 && list.is_cons(); --n) list = list.c->cdr;
  return list.is_cons() ? list.c->car : Value::Nil();
}

Value Drop(Value list, size_t n) {
  for (; n > 0 && list.is_cons(); --n) list = list.c->cdr;
  return list.is_cons() ? list : Value::Empty();
}

bool IsSymbol(Value v, std::string_view name) { return v.is_symbol() && v.sym->name() == name; }

Expander::Expander(const Library& library, Arena& arena, PositionTable& positions,
                   MacroTable& macros, MacroCompiler compile_macro, MacroRunner run_macro)
    : library_(library),
      arena_(arena),
      positions_(positions),
      macros_(macros),
      compile_macro_(std::move(compile_macro)),
      run_macro_(std::move(run_macro)) {}

SourcePos Expander::PosOf(Value form, SourcePos fallback) const {
  const void* key = form.is_cons()     ? static_cast<const void*>(form.c)
                    : form.is_symbol() ? static_cast<const void*>(form.sym)
                                       : nullptr;
  if (key == nullptr) return fallback;
  auto it = positions_.find(key);
  return it == positions_.end() ? fallback : it->second;
}

Value Expander::List(std::initializer_list<Value> items, SourcePos pos) {
  ListBuilder b(arena_);
  for (Value v : items) b.Add(v);
  Value list = b.Finish();
  if (list.is_cons()) positions_.emplace(list.c, pos);
  return list;
}

Value Expander::Sym(std::string_view name) { return MakeSymbol(arena_, name); }

Value Expander::Builtin(std::string_view name) {
  const BuiltinSpec* spec = library_.Find(name);
  if (spec == nullptr) throw CompileError{{}, fmt::format("internal: builtin '{}' missing", name)};
  return Value::Of(spec);
}

Value Expander::Expand(Value form, SourcePos pos) {
  if (!form.is_cons()) return form;
  struct DepthGuard {
    int& depth;
    ~DepthGuard() { --depth; }
  } guard{++depth_};
  pos = PosOf(form, pos);
  if (depth_ > kMaxExpansionDepth) throw CompileError{pos, "macro expansion nested too deeply"};
  return ExpandList(form, pos);
}

Value Expander::ExpandList(Value form, SourcePos pos) {
  Value head = form.c->car;
  if (!head.is_symbol()) return ExpandEach(form, pos, 0);
  std::string_view name = head.sym->name();
  size_t n = FormLength(form);
  auto need = [&](size_t min, std::string_view shape) {
    if (n < min) throw CompileError{pos, fmt::format("malformed '{}': expected {}", name, shape)};
  };

  if (name == "quote") {
    if (n != 2) throw CompileError{pos, "malformed 'quote': expected (quote datum)"};
    return form;
  }
  if (name == "quasiquote") {
    if (n != 2) throw CompileError{pos, "malformed 'quasiquote': expected (quasiquote datum)"};
    return Expand(Quasi(Nth(form, 1), 1, pos), pos);
  }
  if (name == "unquote" || name == "unquote-splice" || name == "unquote-splicing") {
    throw CompileError{pos, fmt::format("'{}' outside a quasiquote", name)};
  }
  // The original dialect's defpoint-template and defcheck are defmacro by other names.
  if (name == "defmacro" || name == "defpoint-template" || name == "defcheck")
    return DefineMacro(form, pos);
  if (auto it = macros_.by_name.find(std::string(name)); it != macros_.by_name.end()) {
    return Expand(run_macro_(it->second, form.c->cdr, pos), pos);
  }
  if (const Value* macro = library_.FindMacro(name)) {
    return Expand(run_macro_(*macro, form.c->cdr, pos), pos);
  }
  if (name == "delay") {
    // (delay expr) => (make-promise (lambda () expr))
    if (n != 2) throw CompileError{pos, "malformed 'delay': expected (delay expr)"};
    Value thunk = List({Sym("lambda"), Value::Empty(), Nth(form, 1)}, pos);
    return Expand(List({Builtin("make-promise"), thunk}, pos), pos);
  }
  if (name == "lambda") return ExpandLambda(form, pos);
  if (name == "define") {
    Value target = n >= 2 ? Nth(form, 1) : Value::Nil();
    bool function = target.is_cons() && target.c->car.is_symbol();
    Value named = function ? target.c->car : target;
    if (!function && n == 3 && target.is_symbol()) {
      Value value = Nth(form, 2);
      function = value.is_cons() && IsSymbol(value.c->car, "lambda");
    }
    if (depth_ == 1 && function)
      program_functions_.emplace_back(std::string(named.sym->name()), form);
    return ExpandDefine(form, pos);
  }
  if (name == "let") return ExpandLet(form, pos);
  if (name == "let*") return ExpandLetStar(form, pos);
  if (name == "when" || name == "unless") {
    need(2, fmt::format("({} test body…)", name));
    Value body = MakeCons(arena_, Sym("begin"), Drop(form, 2));
    positions_.emplace(body.c, pos);
    Value test = Nth(form, 1);
    Value rewritten = name == "when" ? List({Sym("if"), test, body}, pos)
                                     : List({Sym("if"), test, Value::Nil(), body}, pos);
    return Expand(rewritten, pos);
  }
  if (name == "cond") return Expand(ExpandCond(form.c->cdr, pos), pos);
  if (name == "case") return Expand(ExpandCase(form, pos), pos);
  if (name == "when-let") return Expand(ExpandConditionalLet(form, pos, false), pos);
  if (name == "if-let") return Expand(ExpandConditionalLet(form, pos, true), pos);
  if (name == "->") return Expand(ExpandThread(form, pos, false), pos);
  if (name == "->>") return Expand(ExpandThread(form, pos, true), pos);
  if (name == "try") return ExpandTry(form, pos);
  if (name == "dotimes" || name == "dolist") {
    need(2, fmt::format("({} (var expr) body…)", name));
    Value spec = Nth(form, 1);
    if (FormLength(spec) != 2 || !Nth(spec, 0).is_symbol()) {
      throw CompileError{pos,
                         fmt::format("malformed '{}': expected ({} (var expr) body…)", name, name)};
    }
    Value new_spec = List({Nth(spec, 0), Expand(Nth(spec, 1), pos)}, pos);
    Value out = MakeCons(arena_, head, MakeCons(arena_, new_spec, ExpandBody(Drop(form, 2), pos)));
    positions_.emplace(out.c, pos);
    return out;
  }
  if (name == "letrec") {
    need(2, "(letrec ((name expr) …) body…)");
    ListBuilder bindings(arena_);
    for (Value it = Nth(form, 1); it.is_cons(); it = it.c->cdr) {
      Value b = it.c->car;
      if (FormLength(b) != 2 || !Nth(b, 0).is_symbol()) {
        throw CompileError{PosOf(b, pos), "malformed 'letrec' binding: expected (name expr)"};
      }
      bindings.Add(List({Nth(b, 0), Expand(Nth(b, 1), PosOf(b, pos))}, PosOf(b, pos)));
    }
    Value out =
        MakeCons(arena_, head, MakeCons(arena_, bindings.Finish(), ExpandBody(Drop(form, 2), pos)));
    positions_.emplace(out.c, pos);
    return out;
  }
  // if, begin, and, or, set!, while and applications: expand every argument.
  return ExpandEach(form, pos, 1);
}

Value Expander::ExpandEach(Value list, SourcePos pos, size_t skip) {
  ListBuilder b(arena_);
  size_t i = 0;
  for (Value it = list; it.is_cons(); it = it.c->cdr, ++i) {
    b.Add(i < skip ? it.c->car : Expand(it.c->car, pos));
  }
  Value out = b.Finish();
  if (out.is_cons()) positions_.emplace(out.c, PosOf(list, pos));
  return out;
}

Value Expander::ExpandBody(Value body, SourcePos pos) { return ExpandEach(body, pos, 0); }

// (lambda params body…)
Value Expander::ExpandLambda(Value form, SourcePos pos) {
  if (FormLength(form) < 2)
    throw CompileError{pos, "malformed 'lambda': expected (lambda (params…) body…)"};
  Value out =
      MakeCons(arena_, form.c->car, MakeCons(arena_, Nth(form, 1), ExpandBody(Drop(form, 2), pos)));
  positions_.emplace(out.c, pos);
  return out;
}

// (define name expr) | (define name) | (define (name params…) body…)
Value Expander::ExpandDefine(Value form, SourcePos pos) {
  Value target = Nth(form, 1);
  if (target.is_cons()) {
    Value name = target.c->car;
    if (!name.is_symbol())
      throw CompileError{pos, "malformed 'define': the function name must be a symbol"};
    Value lambda = MakeCons(arena_, Sym("lambda"), MakeCons(arena_, target.c->cdr, Drop(form, 2)));
    positions_.emplace(lambda.c, pos);
    return List({form.c->car, name, ExpandLambda(lambda, pos)}, pos);
  }
  if (!target.is_symbol())
    throw CompileError{pos, "malformed 'define': expected (define name expr)"};
  size_t n = FormLength(form);
  if (n > 3) throw CompileError{pos, "malformed 'define': expected (define name expr)"};
  return List({form.c->car, target, n == 3 ? Expand(Nth(form, 2), pos) : Value::Nil()}, pos);
}

// (let ((name expr) …) body…) | (let loop ((name expr) …) body…)
Value Expander::ExpandLet(Value form, SourcePos pos) {
  Value second = Nth(form, 1);
  if (second.is_symbol()) {
    // Named let: ((letrec ((loop (lambda (names…) body…))) loop) exprs…)
    ListBuilder names(arena_), inits(arena_);
    for (Value it = Nth(form, 2); it.is_cons(); it = it.c->cdr) {
      Value b = it.c->car;
      if (FormLength(b) != 2 || !Nth(b, 0).is_symbol()) {
        throw CompileError{PosOf(b, pos), "malformed 'let' binding: expected (name expr)"};
      }
      names.Add(Nth(b, 0));
      inits.Add(Nth(b, 1));
    }
    Value lambda = MakeCons(arena_, Sym("lambda"), MakeCons(arena_, names.Finish(), Drop(form, 3)));
    positions_.emplace(lambda.c, pos);
    Value letrec = List({Sym("letrec"), List({List({second, lambda}, pos)}, pos), second}, pos);
    Value call = MakeCons(arena_, letrec, inits.Finish());
    positions_.emplace(call.c, pos);
    return Expand(call, pos);
  }
  if (!second.is_list() && !second.is_nil()) {
    throw CompileError{pos, "malformed 'let': expected (let ((name expr) …) body…)"};
  }
  ListBuilder bindings(arena_);
  for (Value it = second; it.is_cons(); it = it.c->cdr) {
    Value b = it.c->car;
    SourcePos bpos = PosOf(b, pos);
    if (b.is_symbol()) {
      bindings.Add(List({b, Value::Nil()}, bpos));
    } else if (b.is_cons() && b.c->car.is_symbol() && FormLength(b) <= 2) {
      bindings.Add(List({b.c->car, Expand(Nth(b, 1), bpos)}, bpos));
    } else {
      throw CompileError{bpos, "malformed 'let' binding: expected (name expr)"};
    }
  }
  Value out = MakeCons(arena_, form.c->car,
                       MakeCons(arena_, bindings.Finish(), ExpandBody(Drop(form, 2), pos)));
  positions_.emplace(out.c, pos);
  return out;
}

// (let* (b1 b2 …) body…) => (let (b1) (let* (b2 …) body…))
Value Expander::ExpandLetStar(Value form, SourcePos pos) {
  Value bindings = Nth(form, 1);
  if (!bindings.is_list() && !bindings.is_nil()) {
    throw CompileError{pos, "malformed 'let*': expected (let* ((name expr) …) body…)"};
  }
  Value body = Drop(form, 2);
  if (!bindings.is_cons() || !bindings.c->cdr.is_cons()) {
    Value let = MakeCons(arena_, Sym("let"), MakeCons(arena_, bindings, body));
    positions_.emplace(let.c, pos);
    return Expand(let, pos);
  }
  Value inner = MakeCons(arena_, Sym("let*"), MakeCons(arena_, bindings.c->cdr, body));
  positions_.emplace(inner.c, pos);
  Value outer = List({Sym("let"), List({bindings.c->car}, pos), inner}, pos);
  return Expand(outer, pos);
}

// (cond (test body…) … (else body…)) => nested ifs
Value Expander::ExpandCond(Value clauses, SourcePos pos) {
  if (!clauses.is_cons()) return Value::Nil();
  Value clause = clauses.c->car;
  SourcePos cpos = PosOf(clause, pos);
  if (!clause.is_cons()) throw CompileError{cpos, "malformed 'cond' clause: expected (test body…)"};
  Value test = clause.c->car;
  Value body = clause.c->cdr;
  Value rest = ExpandCond(clauses.c->cdr, pos);
  if (IsSymbol(test, "else")) {
    if (clauses.c->cdr.is_cons()) throw CompileError{cpos, "'else' must be the last 'cond' clause"};
    Value begin = MakeCons(arena_, Sym("begin"), body);
    positions_.emplace(begin.c, cpos);
    return begin;
  }
  if (!body.is_cons()) return List({Sym("or"), test, rest}, cpos);
  Value begin = MakeCons(arena_, Sym("begin"), body);
  positions_.emplace(begin.c, cpos);
  return List({Sym("if"), test, begin, rest}, cpos);
}

// (case key ((d1 d2) body…) (d3 body…) (else body…)) compares with equal?.
Value Expander::ExpandCase(Value form, SourcePos pos) {
  if (FormLength(form) < 2)
    throw CompileError{pos, "malformed 'case': expected (case key clause…)"};
  Value key = Sym("#:case-key");
  ListBuilder clauses(arena_);
  for (Value it = Drop(form, 2); it.is_cons(); it = it.c->cdr) {
    Value clause = it.c->car;
    SourcePos cpos = PosOf(clause, pos);
    if (!clause.is_cons())
      throw CompileError{cpos, "malformed 'case' clause: expected (datum body…)"};
    Value data = clause.c->car;
    Value test;
    if (IsSymbol(data, "else")) {
      test = data;
    } else {
      ListBuilder alternatives(arena_);
      alternatives.Add(Sym("or"));
      auto add = [&](Value datum) {
        alternatives.Add(List({Builtin("equal?"), key, List({Sym("quote"), datum}, cpos)}, cpos));
      };
      if (data.is_cons()) {
        for (Value d = data; d.is_cons(); d = d.c->cdr) add(d.c->car);
      } else {
        add(data);
      }
      test = alternatives.Finish();
      positions_.emplace(test.c, cpos);
    }
    Value rewritten = MakeCons(arena_, test, clause.c->cdr);
    positions_.emplace(rewritten.c, cpos);
    clauses.Add(rewritten);
  }
  Value cond = MakeCons(arena_, Sym("cond"), clauses.Finish());
  positions_.emplace(cond.c, pos);
  return List({Sym("let"), List({List({key, Nth(form, 1)}, pos)}, pos), cond}, pos);
}

// (when-let (name expr) body…) and (if-let (name expr) then [else]); the
// binding may also be written ((name expr)).
Value Expander::ExpandConditionalLet(Value form, SourcePos pos, bool with_else) {
  std::string_view name = form.c->car.sym->name();
  Value binding = Nth(form, 1);
  if (binding.is_cons() && binding.c->car.is_cons()) binding = binding.c->car;
  if (FormLength(binding) != 2 || !Nth(binding, 0).is_symbol()) {
    throw CompileError{pos,
                       fmt::format("malformed '{}': expected ({} (name expr) body…)", name, name)};
  }
  Value var = Nth(binding, 0);
  Value test;
  if (with_else) {
    size_t n = FormLength(form);
    if (n < 3 || n > 4)
      throw CompileError{pos, "malformed 'if-let': expected (if-let (name expr) then [else])"};
    test = List({Sym("if"), var, Nth(form, 2), Nth(form, 3)}, pos);
  } else {
    Value begin = MakeCons(arena_, Sym("begin"), Drop(form, 2));
    positions_.emplace(begin.c, pos);
    test = List({Sym("if"), var, begin}, pos);
  }
  return List({Sym("let"), List({List({var, Nth(binding, 1)}, pos)}, pos), test}, pos);
}

// (-> x (f a) g) => (g (f x a));  (->> x (f a) g) => (g (f a x))
Value Expander::ExpandThread(Value form, SourcePos pos, bool last) {
  if (FormLength(form) < 2)
    throw CompileError{pos, "malformed threading form: expected (-> value step…)"};
  Value acc = Nth(form, 1);
  for (Value it = Drop(form, 2); it.is_cons(); it = it.c->cdr) {
    Value step = it.c->car;
    SourcePos spos = PosOf(step, pos);
    ListBuilder call(arena_);
    if (step.is_cons()) {
      call.Add(step.c->car);
      if (!last) call.Add(acc);
      for (Value a = step.c->cdr; a.is_cons(); a = a.c->cdr) call.Add(a.c->car);
      if (last) call.Add(acc);
    } else {
      call.Add(step);
      call.Add(acc);
    }
    acc = call.Finish();
    positions_.emplace(acc.c, spos);
  }
  return acc;
}

// (try body… (catch (e) handler…))
Value Expander::ExpandTry(Value form, SourcePos pos) {
  size_t n = FormLength(form);
  Value clause = Nth(form, n - 1);
  bool ok = n >= 2 && clause.is_cons() && IsSymbol(clause.c->car, "catch") &&
            FormLength(Nth(clause, 1)) == 1 && Nth(Nth(clause, 1), 0).is_symbol();
  if (!ok) throw CompileError{pos, "malformed 'try': expected (try body… (catch (e) handler…))"};
  ListBuilder out(arena_);
  out.Add(form.c->car);
  size_t i = 0;
  for (Value it = form.c->cdr; i + 2 < n; it = it.c->cdr, ++i) out.Add(Expand(it.c->car, pos));
  SourcePos cpos = PosOf(clause, pos);
  Value handler = MakeCons(arena_, clause.c->car,
                           MakeCons(arena_, Nth(clause, 1), ExpandBody(Drop(clause, 2), cpos)));
  positions_.emplace(handler.c, cpos);
  out.Add(handler);
  Value result = out.Finish();
  positions_.emplace(result.c, pos);
  return result;
}

// (defmacro name (params…) body…)
Value Expander::DefineMacro(Value form, SourcePos pos) {
  Value name = Nth(form, 1);
  if (FormLength(form) < 3 || !name.is_symbol()) {
    throw CompileError{pos, "malformed 'defmacro': expected (defmacro name (params…) body…)"};
  }
  Value lambda = MakeCons(arena_, Sym("lambda"), Drop(form, 2));
  positions_.emplace(lambda.c, pos);
  Value closure;
  try {
    closure = compile_macro_(Expand(lambda, pos), pos);
  } catch (const CompileError& first) {
    // The body may call functions the program defined above it: retry with
    // those it names compiled into the macro as local definitions.
    Value with_helpers = WithProgramFunctions(lambda, pos);
    if (Eq(with_helpers, lambda)) throw;
    try {
      closure = compile_macro_(Expand(with_helpers, pos), pos);
    } catch (const CompileError&) {
      throw first;
    }
  }
  macros_.by_name[std::string(name.sym->name())] = closure;
  return Value::Nil();
}

namespace {

void CollectSymbols(Value form, std::vector<std::string_view>& out) {
  for (Value it = form; it.is_cons(); it = it.c->cdr) {
    Value x = it.c->car;
    if (x.is_symbol()) out.push_back(x.sym->name());
    if (x.is_cons()) CollectSymbols(x, out);
  }
}

}  // namespace

// `(lambda params body…)` with the program's earlier top-level functions
// that the body names (and those they name, in turn) defined at the start of
// the body; the lambda itself when it names none.
Value Expander::WithProgramFunctions(Value lambda, SourcePos pos) const {
  std::vector<std::string_view> names;
  CollectSymbols(lambda, names);
  std::vector<bool> used(program_functions_.size(), false);
  for (size_t scanned = 0; scanned < names.size(); ++scanned) {
    for (size_t i = 0; i < program_functions_.size(); ++i) {
      if (used[i] || program_functions_[i].first != names[scanned]) continue;
      used[i] = true;
      CollectSymbols(program_functions_[i].second, names);
    }
  }
  Value body = Drop(lambda, 2);
  bool any = false;
  for (size_t i = program_functions_.size(); i-- > 0;) {
    if (!used[i]) continue;
    any = true;
    body = MakeCons(arena_, program_functions_[i].second, body);
  }
  if (!any) return lambda;
  Value out = MakeCons(arena_, Nth(lambda, 0), MakeCons(arena_, Nth(lambda, 1), body));
  positions_.emplace(out.c, pos);
  return out;
}

Value Expander::Quasi(Value x, int depth, SourcePos pos) {
  if (!x.is_cons()) {
    if (x.is_symbol() || x.tag == Tag::kEmpty) return List({Sym("quote"), x}, pos);
    return x;
  }
  SourcePos xpos = PosOf(x, pos);
  Value head = x.c->car;
  if (IsSymbol(head, "unquote")) {
    if (depth == 1) return Nth(x, 1);
    return List(
        {Builtin("list"), List({Sym("quote"), head}, xpos), Quasi(Nth(x, 1), depth - 1, xpos)},
        xpos);
  }
  if (IsSymbol(head, "quasiquote")) {
    return List(
        {Builtin("list"), List({Sym("quote"), head}, xpos), Quasi(Nth(x, 1), depth + 1, xpos)},
        xpos);
  }
  // Segments to append: runs of ordinary elements become (list …), each
  // ,@expr splices its list in.
  ListBuilder segments(arena_);
  segments.Add(Builtin("append"));
  std::vector<Value> run;
  auto close_run = [&] {
    if (run.empty()) return;
    ListBuilder call(arena_);
    call.Add(Builtin("list"));
    for (Value v : run) call.Add(v);
    Value list_call = call.Finish();
    positions_.emplace(list_call.c, xpos);
    segments.Add(list_call);
    run.clear();
  };
  for (Value it = x; it.is_cons(); it = it.c->cdr) {
    Value el = it.c->car;
    // ,@x reads as (unquote-splice x), as in the original dialect; the
    // Scheme spelling unquote-splicing is accepted too.
    bool splice = el.is_cons() && (IsSymbol(el.c->car, "unquote-splice") ||
                                   IsSymbol(el.c->car, "unquote-splicing"));
    if (splice && depth == 1) {
      close_run();
      segments.Add(Nth(el, 1));
    } else {
      run.push_back(Quasi(el, depth, xpos));
    }
  }
  close_run();
  Value result = segments.Finish();
  positions_.emplace(result.c, xpos);
  return result;
}

}  // namespace vigy::lisp
