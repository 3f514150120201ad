#include "lisp/compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "lisp/interp.h"
#include "lisp/suggest.h"

namespace vigy::lisp {
namespace {

bool IsSpecial(std::string_view name) {
  static const std::unordered_set<std::string_view> kSpecial = {
      "quote",  "if",  "define", "set!", "lambda", "begin",   "let",
      "letrec", "and", "or",     "try",  "while",  "dotimes", "dolist"};
  return kSpecial.count(name) > 0;
}

std::optional<Value> NamedConstant(std::string_view name) {
  if (name == "true") return Value::Bool(true);
  if (name == "false") return Value::Bool(false);
  if (name == "nil") return Value::Nil();
  return std::nullopt;
}

bool Accepts(int min, int max, int n) { return n >= min && (max == kVariadic || n <= max); }

}  // namespace

Compiler::Compiler(const Library& library, Program& program, const Expander& expander,
                   std::vector<Diagnostic>& errors)
    : library_(library), program_(program), expander_(expander), errors_(errors) {
  // Globals of the program this one continues are defined already.
  for (const auto& [name, slot] : program_.global_slots) defined_globals_.insert(name);
}

void Compiler::Error(SourcePos pos, std::string message) {
  errors_.push_back(Diagnostic{program_.file, pos, std::move(message)});
}

void Compiler::CompileProgram(const std::vector<Value>& forms,
                              const std::vector<SourcePos>& positions) {
  for (Value form : forms) {
    ScanDefines(form);
    ScanMutations(form);
  }
  std::vector<const Node*> nodes;
  for (size_t i = 0; i < forms.size(); ++i) {
    try {
      nodes.push_back(Expr(forms[i], positions[i], false));
    } catch (const CompileError& e) {
      Error(e.pos, e.message);
    }
  }
  CheckGlobalArities();
  program_.body = MakeSeq(program_.nodes, {1, 1}, std::move(nodes));
  program_.frame_size = top_.max_slot;
}

// Which names the program defines at the top level (so they shadow builtins
// everywhere, even in code that runs before the definition).
void Compiler::ScanDefines(Value form) {
  if (!form.is_cons()) return;
  Value head = form.c->car;
  if (IsSymbol(head, "define")) {
    Value name = Nth(form, 1);
    if (name.is_symbol()) defined_globals_.insert(std::string(name.sym->name()));
    return;
  }
  if (IsSymbol(head, "quote") || IsSymbol(head, "lambda") || IsSymbol(head, "let") ||
      IsSymbol(head, "letrec")) {
    return;
  }
  for (Value it = form; it.is_cons(); it = it.c->cdr) ScanDefines(it.c->car);
}

// Names assigned with set! anywhere; variables with these names get boxes so
// closures share the assignment. Conservative by name, which is always safe.
void Compiler::ScanMutations(Value form) {
  if (!form.is_cons()) return;
  Value head = form.c->car;
  if (IsSymbol(head, "quote")) return;
  if (IsSymbol(head, "set!") && Nth(form, 1).is_symbol()) {
    mutated_.insert(std::string(Nth(form, 1).sym->name()));
  }
  for (Value it = form; it.is_cons(); it = it.c->cdr) ScanMutations(it.c->car);
}

const Node* Compiler::Expr(Value form, SourcePos pos, bool tail) {
  switch (form.tag) {
    case Tag::kSymbol:
      return Reference(form, expander_.PosOf(form, pos));
    case Tag::kCons:
      return ListForm(form, expander_.PosOf(form, pos), tail);
    case Tag::kEmpty:
      return MakeConst(program_.nodes, pos, Value::Nil());  // () is nil
    default:
      return MakeConst(program_.nodes, pos, form);
  }
}

const Node* Compiler::ListForm(Value form, SourcePos pos, bool tail) {
  Value head = form.c->car;
  if (!head.is_symbol() || !IsSpecial(head.sym->name())) return Call(form, pos, tail);
  std::string_view name = head.sym->name();
  size_t n = FormLength(form);
  if (name == "quote") return MakeConst(program_.nodes, pos, Nth(form, 1));
  if (name == "if") {
    if (n < 3 || n > 4) throw CompileError{pos, "malformed 'if': expected (if test then [else])"};
    const Node* test = Expr(Nth(form, 1), pos, false);
    const Node* then = Expr(Nth(form, 2), pos, tail);
    const Node* otherwise = n == 4 ? Expr(Nth(form, 3), pos, tail) : nullptr;
    return MakeIf(program_.nodes, pos, test, then, otherwise);
  }
  if (name == "define") return Define(form, pos);
  if (name == "set!") return Set(form, pos);
  if (name == "lambda") return Lambda(form, pos, "");
  if (name == "begin") return Seq(form.c->cdr, pos, tail);
  if (name == "let") return Let(form, pos, tail);
  if (name == "letrec") return Letrec(form, pos, tail);
  if (name == "and" || name == "or") {
    std::vector<const Node*> parts;
    for (Value it = form.c->cdr; it.is_cons(); it = it.c->cdr) {
      parts.push_back(Expr(it.c->car, pos, tail && !it.c->cdr.is_cons()));
    }
    return name == "and" ? MakeAnd(program_.nodes, pos, std::move(parts))
                         : MakeOr(program_.nodes, pos, std::move(parts));
  }
  if (name == "try") return Try(form, pos, tail);
  if (name == "while") {
    if (n < 2) throw CompileError{pos, "malformed 'while': expected (while test body…)"};
    const Node* test = Expr(Nth(form, 1), pos, false);
    return MakeWhile(program_.nodes, pos, test, Seq(Drop(form, 2), pos, false));
  }
  return Loop(form, pos, name == "dolist");
}

const Node* Compiler::Reference(Value sym, SourcePos pos) {
  std::string_view name = sym.sym->name();
  Ref ref = Lookup(name);
  switch (ref.kind) {
    case RefKind::kLocal:
      return MakeLocalRef(program_.nodes, pos, ref.index, ref.boxed);
    case RefKind::kCaptured:
      return MakeCapturedRef(program_.nodes, pos, ref.index, ref.boxed);
    case RefKind::kGlobal:
      if (program_.cells != nullptr) {
        const std::string* global = &program_.global_names[ref.index];
        return MakeCellRef(program_.nodes, pos, program_.cells->For(*global), global);
      }
      return MakeGlobalRef(program_.nodes, pos, ref.index, &program_.global_names[ref.index]);
    case RefKind::kConstant:
      return MakeConst(program_.nodes, pos, ref.constant);
    case RefKind::kUnbound:
      break;
  }
  UnboundError(name, pos);
  return MakeConst(program_.nodes, pos, Value::Nil());
}

void Compiler::UnboundError(std::string_view name, SourcePos pos) {
  std::vector<std::string_view> candidates = library_.Names();
  for (const std::string& g : defined_globals_) candidates.push_back(g);
  for (Scope* s = scope_; s != nullptr; s = s->parent) {
    for (const Var& v : s->vars) candidates.push_back(v.name);
  }
  for (std::string_view c : {"true", "false", "nil"}) candidates.push_back(c);
  std::string suggestion = ClosestName(name, candidates);
  if (suggestion.empty()) {
    Error(pos, fmt::format("unbound symbol '{}'", name));
  } else {
    Error(pos, fmt::format("unbound symbol '{}' (did you mean '{}'?)", name, suggestion));
  }
}

Compiler::Ref Compiler::Lookup(std::string_view name) {
  Ref ref = LookupIn(scope_, name);
  if (ref.kind != RefKind::kUnbound) return ref;
  if (defined_globals_.count(std::string(name))) return {RefKind::kGlobal, GlobalSlot(name)};
  if (const BuiltinSpec* spec = library_.Find(name)) {
    return {RefKind::kConstant, 0, false, Value::Of(spec)};
  }
  if (const Value* fn = library_.FindLisp(name)) return {RefKind::kConstant, 0, false, *fn};
  if (auto constant = NamedConstant(name)) return {RefKind::kConstant, 0, false, *constant};
  return {RefKind::kUnbound};
}

// Local or captured in `scope`, capturing through every lambda in between.
Compiler::Ref Compiler::LookupIn(Scope* scope, std::string_view name) {
  if (scope == nullptr) return {RefKind::kUnbound};
  for (auto it = scope->vars.rbegin(); it != scope->vars.rend(); ++it) {
    if (it->name == name) return {RefKind::kLocal, it->slot, it->boxed};
  }
  for (size_t i = 0; i < scope->captures.size(); ++i) {
    if (scope->captures[i].name == name) {
      return {RefKind::kCaptured, static_cast<int>(i), scope->captures[i].boxed};
    }
  }
  Ref outer = LookupIn(scope->parent, name);
  if (outer.kind != RefKind::kLocal && outer.kind != RefKind::kCaptured) return outer;
  scope->captures.push_back({name, outer.boxed, {outer.kind == RefKind::kLocal, outer.index}});
  return {RefKind::kCaptured, static_cast<int>(scope->captures.size() - 1), outer.boxed};
}

int Compiler::GlobalSlot(std::string_view name) {
  std::string key(name);
  auto it = program_.global_slots.find(key);
  if (it != program_.global_slots.end()) return it->second;
  int slot = static_cast<int>(program_.global_init.size());
  program_.global_names.push_back(key);
  // A program-defined global that shares a builtin's name starts out as that
  // builtin, so code running before the definition still sees the builtin.
  Value init = Value::Unbound();
  if (const BuiltinSpec* spec = library_.Find(name))
    init = Value::Of(spec);
  else if (const Value* fn = library_.FindLisp(name))
    init = *fn;
  else if (auto constant = NamedConstant(name))
    init = *constant;
  program_.global_init.push_back(init);
  program_.global_slots.emplace(key, slot);
  return slot;
}

void Compiler::Declare(std::string_view name, int slot, bool boxed, bool definable) {
  scope_->vars.push_back({name, slot, boxed, definable});
}

void Compiler::PopTo(size_t vars, int next_slot) {
  scope_->vars.resize(vars);
  scope_->next_slot = next_slot;
}

const Node* Compiler::Call(Value form, SourcePos pos, bool tail) {
  Value head = form.c->car;
  int nargs = static_cast<int>(FormLength(form) - 1);
  std::vector<const Node*> args;
  args.reserve(nargs);
  auto compile_args = [&] {
    for (Value it = form.c->cdr; it.is_cons(); it = it.c->cdr) {
      args.push_back(Expr(it.c->car, pos, false));
    }
  };
  const BuiltinSpec* builtin = nullptr;
  if (head.tag == Tag::kBuiltin) {
    builtin = head.bi;
  } else if (head.is_symbol()) {
    Ref ref = Lookup(head.sym->name());
    if (ref.kind == RefKind::kConstant && ref.constant.tag == Tag::kBuiltin) {
      builtin = ref.constant.bi;
    } else if (ref.kind == RefKind::kConstant && ref.constant.tag == Tag::kClosure) {
      const LambdaNode* lambda = ref.constant.fn->lambda;
      int max = lambda->has_rest ? kVariadic : lambda->nparams;
      if (!Accepts(lambda->nparams, max, nargs)) {
        Error(pos, ArityMessage(head.sym->name(), lambda->nparams, max, nargs));
      }
    } else if (ref.kind == RefKind::kGlobal) {
      global_calls_.push_back({std::string(head.sym->name()), nargs, pos});
    }
  }
  if (builtin != nullptr) {
    if (!Accepts(builtin->min_args, builtin->max_args, nargs)) {
      Error(pos, ArityMessage(builtin->name, builtin->min_args, builtin->max_args, nargs));
    }
    compile_args();
    return MakeBuiltinCall(program_.nodes, pos, builtin, std::move(args));
  }
  const Node* fn = Expr(head, pos, false);
  compile_args();
  return MakeCall(program_.nodes, pos, fn, std::move(args), tail && scope_->lambda != nullptr);
}

// A value that may be a lambda, which is then named after its binding.
const Node* Compiler::NamedValue(Value form, SourcePos pos, std::string_view name) {
  if (form.is_cons() && IsSymbol(form.c->car, "lambda")) {
    return Lambda(form, expander_.PosOf(form, pos), std::string(name));
  }
  return Expr(form, pos, false);
}

// (define name expr): a global at the top level, else an internal define
// declared by the enclosing body.
const Node* Compiler::Define(Value form, SourcePos pos) {
  Value name_sym = Nth(form, 1);
  if (!name_sym.is_symbol())
    throw CompileError{pos, "malformed 'define': expected (define name expr)"};
  std::string_view name = name_sym.sym->name();
  Value value = Nth(form, 2);
  if (body_depth_ == 0) {
    int slot = GlobalSlot(name);
    GlobalFacts& facts = facts_[std::string(name)];
    ++facts.defines;
    const Node* value_node = NamedValue(value, pos, name);
    if (auto* lambda = dynamic_cast<const LambdaNode*>(value_node)) {
      facts.lambda = true;
      facts.min_args = lambda->nparams;
      facts.max_args = lambda->has_rest ? kVariadic : lambda->nparams;
    }
    if (program_.cells != nullptr) {
      return MakeCellSet(program_.nodes, pos, program_.cells->For(program_.global_names[slot]),
                         value_node);
    }
    return MakeGlobalSet(program_.nodes, pos, slot, &program_.global_names[slot], true, value_node);
  }
  for (auto it = scope_->vars.rbegin(); it != scope_->vars.rend(); ++it) {
    if (it->name == name && it->definable) {
      int slot = it->slot;
      const Node* value_node = NamedValue(value, pos, name);
      return MakeLocalSet(program_.nodes, pos, slot, true, false, value_node);
    }
  }
  throw CompileError{pos, "'define' must be at the top level or directly in a body (use let here)"};
}

// (set! name expr)
const Node* Compiler::Set(Value form, SourcePos pos) {
  Value name_sym = Nth(form, 1);
  if (FormLength(form) != 3 || !name_sym.is_symbol()) {
    throw CompileError{pos, "malformed 'set!': expected (set! name expr)"};
  }
  std::string_view name = name_sym.sym->name();
  const Node* value = Expr(Nth(form, 2), pos, false);
  Ref ref = Lookup(name);
  switch (ref.kind) {
    case RefKind::kLocal:
      return MakeLocalSet(program_.nodes, pos, ref.index, ref.boxed, false, value);
    case RefKind::kCaptured:
      return MakeCapturedSet(program_.nodes, pos, ref.index, value);
    case RefKind::kGlobal:
      facts_[std::string(name)].assigned = true;
      if (program_.cells != nullptr) {
        return MakeCellSet(program_.nodes, pos,
                           program_.cells->For(program_.global_names[ref.index]), value);
      }
      return MakeGlobalSet(program_.nodes, pos, ref.index, &program_.global_names[ref.index], false,
                           value);
    case RefKind::kConstant:
    case RefKind::kUnbound:
      break;
  }
  throw CompileError{pos, fmt::format("set! of undefined variable '{}' (define it first)", name)};
}

// (lambda (params… [&rest name]) body…) or (lambda name body…)
const Node* Compiler::Lambda(Value form, SourcePos pos, std::string name) {
  auto* lambda = program_.nodes.Make<LambdaNode>(pos, std::move(name));
  Scope scope;
  scope.parent = scope_;
  scope.lambda = lambda;
  Value params = Nth(form, 1);
  std::vector<std::string_view> names;
  auto add_param = [&](Value p) {
    if (!p.is_symbol()) {
      throw CompileError{
          pos, fmt::format("malformed 'lambda': parameter {} is not a symbol", names.size() + 1)};
    }
    std::string_view pname = p.sym->name();
    if (std::find(names.begin(), names.end(), pname) != names.end()) {
      throw CompileError{pos, fmt::format("duplicate parameter '{}'", pname)};
    }
    names.push_back(pname);
  };
  if (params.is_symbol()) {
    add_param(params);
    lambda->has_rest = true;
  } else if (params.is_list() || params.is_nil()) {
    for (Value it = params; it.is_cons(); it = it.c->cdr) {
      if (IsSymbol(it.c->car, "&rest")) {
        Value rest = it.c->cdr;
        if (!rest.is_cons() || rest.c->cdr.is_cons()) {
          throw CompileError{pos,
                             "malformed 'lambda': '&rest' must be followed by exactly one name"};
        }
        add_param(rest.c->car);
        lambda->has_rest = true;
        break;
      }
      add_param(it.c->car);
      ++lambda->nparams;
    }
  } else {
    throw CompileError{pos, "malformed 'lambda': expected (lambda (params…) body…)"};
  }
  scope_ = &scope;
  for (std::string_view pname : names) {
    int slot = scope.AllocSlot();
    bool boxed = Mutated(pname);
    if (boxed) lambda->boxed_params.push_back(slot);
    Declare(pname, slot, boxed);
  }
  try {
    lambda->body = Body(Drop(form, 2), pos, true);
  } catch (...) {
    scope_ = scope.parent;
    throw;
  }
  scope_ = scope.parent;
  lambda->frame_size = scope.max_slot;
  for (const Capture& c : scope.captures) lambda->captures.push_back(c.source);
  return lambda;
}

// A body: internal defines become boxed locals declared up front, so the
// functions they define can call each other.
const Node* Compiler::Body(Value forms, SourcePos pos, bool tail) {
  ++body_depth_;
  size_t vars = scope_->vars.size();
  int next_slot = scope_->next_slot;
  std::vector<const Node*> nodes;
  std::vector<Value> defines;
  auto collect = [&](auto& self, Value list) -> void {
    for (Value it = list; it.is_cons(); it = it.c->cdr) {
      Value f = it.c->car;
      if (f.is_cons() && IsSymbol(f.c->car, "define") && Nth(f, 1).is_symbol()) {
        defines.push_back(Nth(f, 1));
      } else if (f.is_cons() && IsSymbol(f.c->car, "begin")) {
        self(self, f.c->cdr);
      }
    }
  };
  collect(collect, forms);
  for (Value name : defines) {
    int slot = scope_->AllocSlot();
    Declare(name.sym->name(), slot, true, true);
    nodes.push_back(MakeLocalSet(program_.nodes, pos, slot, true, true,
                                 MakeConst(program_.nodes, pos, Value::Unbound())));
  }
  for (Value it = forms; it.is_cons(); it = it.c->cdr) {
    nodes.push_back(Expr(it.c->car, pos, tail && !it.c->cdr.is_cons()));
  }
  PopTo(vars, next_slot);
  --body_depth_;
  return MakeSeq(program_.nodes, pos, std::move(nodes));
}

const Node* Compiler::Seq(Value forms, SourcePos pos, bool tail) {
  std::vector<const Node*> nodes;
  for (Value it = forms; it.is_cons(); it = it.c->cdr) {
    nodes.push_back(Expr(it.c->car, pos, tail && !it.c->cdr.is_cons()));
  }
  return MakeSeq(program_.nodes, pos, std::move(nodes));
}

// (let ((name expr) …) body…): slots are reserved before the initial values
// are compiled, so temporaries inside those expressions never reuse them.
const Node* Compiler::Let(Value form, SourcePos pos, bool tail) {
  size_t vars = scope_->vars.size();
  int next_slot = scope_->next_slot;
  std::vector<std::string_view> names;
  std::vector<int> slots;
  for (Value it = Nth(form, 1); it.is_cons(); it = it.c->cdr) {
    std::string_view name = Nth(it.c->car, 0).sym->name();
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      throw CompileError{pos, fmt::format("duplicate binding '{}' in 'let'", name)};
    }
    names.push_back(name);
    slots.push_back(scope_->AllocSlot());
  }
  std::vector<const Node*> nodes;
  size_t i = 0;
  for (Value it = Nth(form, 1); it.is_cons(); it = it.c->cdr, ++i) {
    const Node* init = NamedValue(Nth(it.c->car, 1), pos, names[i]);
    nodes.push_back(MakeLocalSet(program_.nodes, pos, slots[i], Mutated(names[i]), true, init));
  }
  for (i = 0; i < names.size(); ++i) Declare(names[i], slots[i], Mutated(names[i]));
  nodes.push_back(Body(Drop(form, 2), pos, tail));
  PopTo(vars, next_slot);
  return MakeSeq(program_.nodes, pos, std::move(nodes));
}

// (letrec ((name expr) …) body…): every name is visible (boxed) in every expr.
const Node* Compiler::Letrec(Value form, SourcePos pos, bool tail) {
  size_t vars = scope_->vars.size();
  int next_slot = scope_->next_slot;
  std::vector<const Node*> nodes;
  std::vector<int> slots;
  for (Value it = Nth(form, 1); it.is_cons(); it = it.c->cdr) {
    int slot = scope_->AllocSlot();
    slots.push_back(slot);
    Declare(Nth(it.c->car, 0).sym->name(), slot, true);
    nodes.push_back(MakeLocalSet(program_.nodes, pos, slot, true, true,
                                 MakeConst(program_.nodes, pos, Value::Unbound())));
  }
  size_t i = 0;
  for (Value it = Nth(form, 1); it.is_cons(); it = it.c->cdr, ++i) {
    Value binding = it.c->car;
    const Node* init = NamedValue(Nth(binding, 1), pos, Nth(binding, 0).sym->name());
    nodes.push_back(MakeLocalSet(program_.nodes, pos, slots[i], true, false, init));
  }
  nodes.push_back(Body(Drop(form, 2), pos, tail));
  PopTo(vars, next_slot);
  return MakeSeq(program_.nodes, pos, std::move(nodes));
}

// (try body… (catch (e) handler…)); the body is never a tail position, so
// the handler can catch what it raises.
const Node* Compiler::Try(Value form, SourcePos pos, bool tail) {
  size_t n = FormLength(form);
  Value clause = Nth(form, n - 1);
  ListBuilder body_forms(program_.constants);
  size_t i = 0;
  for (Value it = form.c->cdr; i + 2 < n; it = it.c->cdr, ++i) body_forms.Add(it.c->car);
  const Node* body = Seq(body_forms.Finish(), pos, false);
  size_t vars = scope_->vars.size();
  int next_slot = scope_->next_slot;
  std::string_view var = Nth(Nth(clause, 1), 0).sym->name();
  int slot = scope_->AllocSlot();
  bool boxed = Mutated(var);
  Declare(var, slot, boxed);
  const Node* handler = Seq(Drop(clause, 2), pos, tail);
  PopTo(vars, next_slot);
  return MakeTry(program_.nodes, pos, body, slot, boxed, handler);
}

// (dotimes (i n) body…) and (dolist (x list) body…): a fresh binding each pass.
const Node* Compiler::Loop(Value form, SourcePos pos, bool dolist) {
  Value spec = Nth(form, 1);
  std::string_view var = Nth(spec, 0).sym->name();
  const Node* source = Expr(Nth(spec, 1), pos, false);
  size_t vars = scope_->vars.size();
  int next_slot = scope_->next_slot;
  int slot = scope_->AllocSlot();
  bool boxed = Mutated(var);
  Declare(var, slot, boxed);
  const Node* body = Seq(Drop(form, 2), pos, false);
  PopTo(vars, next_slot);
  return dolist ? MakeDolist(program_.nodes, pos, slot, boxed, source, body)
                : MakeDotimes(program_.nodes, pos, slot, boxed, source, body);
}

// Calls of global functions defined once with a fixed lambda and never
// reassigned must match its arity.
void Compiler::CheckGlobalArities() {
  for (const GlobalCall& call : global_calls_) {
    auto it = facts_.find(call.name);
    if (it == facts_.end()) continue;
    const GlobalFacts& f = it->second;
    if (f.defines != 1 || f.assigned || !f.lambda) continue;
    if (!Accepts(f.min_args, f.max_args, call.nargs)) {
      Error(call.pos, ArityMessage(call.name, f.min_args, f.max_args, call.nargs));
    }
  }
}

}  // namespace vigy::lisp
