#include "lisp/interp.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "lisp/builtins.h"
#include "lisp/compiler.h"
#include "lisp/expander.h"
#include "lisp/library_source.h"
#include "lisp/printer.h"
#include "lisp/program.h"
#include "lisp/reader.h"

namespace vigy::lisp {
namespace {

// Limits for running macros at compile time: generous, but a runaway macro
// cannot hang `vigy check` or `vigy add`.
Limits MacroLimits() {
  Limits limits;
  limits.max_steps = 10'000'000;
  limits.max_memory = size_t{64} * 1024 * 1024;
  limits.timeout = std::chrono::milliseconds(5000);
  return limits;
}

std::string MacroFailure(std::string_view what, const std::string& detail) {
  return std::string(what) + ": " + detail;
}

CompileResult CompileInto(std::shared_ptr<Program> program, std::string_view source) {
  const Library& library = *program->library;
  std::vector<Diagnostic> errors;
  ReadOutput read;
  Diagnostic read_error;
  if (!ReadAll(program->constants, source, program->file, &read, &read_error)) {
    return {nullptr, {read_error}};
  }

  MacroTable& macros = *program->macros;
  std::shared_ptr<Machine> macro_machine;
  auto machine = [&]() -> Machine& {
    if (!macro_machine) {
      macro_machine = std::make_shared<Machine>(MacroLimits());
      macros.keep_alive.push_back(macro_machine);
    }
    return *macro_machine;
  };

  Expander* expander_ptr = nullptr;
  auto compile_macro = [&](Value lambda_form, SourcePos pos) -> Value {
    auto macro_program = std::make_shared<Program>();
    macro_program->file = program->file;
    macro_program->library = &library;
    // No macro table: a macro program is only compiled, never a base for
    // expansion (and the table keeps it alive, so pointing back would be a cycle).
    std::vector<Diagnostic> macro_errors;
    Compiler compiler(library, *macro_program, *expander_ptr, macro_errors);
    compiler.CompileProgram({lambda_form}, {pos});
    if (!macro_errors.empty())
      throw CompileError{macro_errors.front().pos, macro_errors.front().message};
    macros.keep_alive.push_back(macro_program);
    try {
      return machine().Continue(*macro_program);
    } catch (const Raised& r) {
      throw CompileError{pos, MacroFailure("error defining macro", RaisedMessage(r))};
    } catch (const LimitHit& hit) {
      throw CompileError{pos, MacroFailure("error defining macro", hit.message)};
    }
  };
  auto run_macro = [&](Value closure, Value args, SourcePos pos) -> Value {
    std::vector<Value> argv;
    for (Value it = args; it.is_cons(); it = it.c->cdr) argv.push_back(it.c->car);
    try {
      return machine().Invoke(closure, argv);
    } catch (const Raised& r) {
      throw CompileError{pos, MacroFailure("error expanding macro", RaisedMessage(r))};
    } catch (const LimitHit& hit) {
      throw CompileError{pos, MacroFailure("error expanding macro", hit.message)};
    }
  };

  Expander expander(library, program->constants, read.positions, macros, compile_macro, run_macro);
  expander_ptr = &expander;
  std::vector<Value> forms;
  std::vector<SourcePos> positions;
  for (size_t i = 0; i < read.forms.size(); ++i) {
    try {
      forms.push_back(expander.Expand(read.forms[i], read.form_positions[i]));
      positions.push_back(read.form_positions[i]);
    } catch (const CompileError& e) {
      errors.push_back(Diagnostic{program->file, e.pos, e.message});
    }
  }
  Compiler compiler(library, *program, expander, errors);
  compiler.CompileProgram(forms, positions);
  if (!errors.empty()) {
    std::stable_sort(errors.begin(), errors.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::pair(a.pos.line, a.pos.col) < std::pair(b.pos.line, b.pos.col);
    });
    return {nullptr, std::move(errors)};
  }
  return {std::move(program), {}};
}

}  // namespace

// The language-written part of the standard library, built once per process
// (see BuildLispLayer) and never changed afterwards.
struct LispLayer {
  std::unordered_map<std::string, Value> functions;
  std::unordered_map<std::string, Value> macros;
  CellTable cells;
  std::vector<std::shared_ptr<const void>> keep_alive;  // programs, macro tables, the machine
};

namespace {

void AddBuiltinTables(Library& library) {
  for (auto table : {NumberBuiltins(), ListBuiltins(), HigherOrderBuiltins(), MapBuiltins(),
                     StringBuiltins(), PredicateBuiltins(), ErrorBuiltins(), DataBuiltins(),
                     OutputBuiltins(), IntegerBuiltins(), SequenceBuiltins(), MapHelperBuiltins(),
                     PromiseBuiltins(), EvalBuiltins(), ChannelBuiltins()}) {
    library.Add(table);
  }
}

[[noreturn]] void BrokenLibrary(const std::string& why) {
  std::fprintf(stderr, "vigy: internal error: the built-in library does not load: %s\n",
               why.c_str());
  std::abort();
}

// Compiles and runs each chunk of the library source in turn against the C++
// builtins and everything earlier chunks defined. The library's globals live
// in cells, so its closures run on any machine; the machine that made them is
// kept (never reset) so the values they hold stay valid.
const LispLayer* BuildLispLayer() {
  auto* layer = new LispLayer;
  auto* base = new Library(layer, true);
  Limits limits;
  limits.max_memory = size_t{16} * 1024 * 1024;
  auto machine = std::make_shared<Machine>(limits);
  layer->keep_alive.push_back(machine);
  for (std::string_view chunk : LibrarySourceChunks()) {
    auto program = std::make_shared<Program>();
    program->file = "<library>";
    program->library = base;
    program->macros = std::make_shared<MacroTable>();
    program->cells = &layer->cells;
    CompileResult compiled = CompileInto(program, chunk);
    if (!compiled.ok()) BrokenLibrary(compiled.errors.front().Format());
    try {
      machine->Continue(*compiled.program);
    } catch (const Raised& r) {
      BrokenLibrary(RaisedMessage(r));
    } catch (const LimitHit& hit) {
      BrokenLibrary(hit.message);
    }
    for (const std::string& name : compiled.program->global_names) {
      layer->functions[name] = *layer->cells.For(name);
    }
    for (const auto& [name, macro] : compiled.program->macros->by_name) layer->macros[name] = macro;
    layer->keep_alive.push_back(compiled.program->macros);
    layer->keep_alive.push_back(compiled.program);
  }
  return layer;
}

const LispLayer& TheLispLayer() {
  static const LispLayer* layer = BuildLispLayer();
  return *layer;
}

bool IsInternal(std::string_view name) { return name.starts_with('%'); }

}  // namespace

Library::Library() {
  AddBuiltinTables(*this);
  layer_ = &TheLispLayer();
}

Library::Library(const LispLayer* layer, bool builtins_only) : layer_(layer) {
  if (builtins_only) AddBuiltinTables(*this);
}

void Library::Add(std::span<const BuiltinSpec> specs) {
  for (const BuiltinSpec& spec : specs) by_name_[spec.name] = &spec;
}

const BuiltinSpec* Library::Find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

const Value* Library::FindLisp(std::string_view name) const {
  if (layer_ == nullptr) return nullptr;
  auto it = layer_->functions.find(std::string(name));
  return it == layer_->functions.end() ? nullptr : &it->second;
}

const Value* Library::FindMacro(std::string_view name) const {
  if (layer_ == nullptr) return nullptr;
  auto it = layer_->macros.find(std::string(name));
  return it == layer_->macros.end() ? nullptr : &it->second;
}

std::vector<std::string_view> Library::Names() const {
  std::vector<std::string_view> names;
  names.reserve(by_name_.size());
  for (const auto& [name, spec] : by_name_) names.push_back(name);
  if (layer_ != nullptr) {
    for (const auto& [name, fn] : layer_->functions) {
      if (!IsInternal(name) && !by_name_.count(name)) names.push_back(name);
    }
    for (const auto& [name, macro] : layer_->macros) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

const Library& StandardLibrary() {
  static const Library library;
  return library;
}

CompileResult Compile(const Library& library, std::string_view source, std::string file) {
  auto program = std::make_shared<Program>();
  program->file = std::move(file);
  program->library = &library;
  program->macros = std::make_shared<MacroTable>();
  return CompileInto(std::move(program), source);
}

CompileResult CompileContinuation(const std::shared_ptr<const Program>& previous,
                                  std::string_view source, std::string file) {
  auto program = std::make_shared<Program>();
  program->file = std::move(file);
  program->library = previous->library;
  program->macros = std::make_shared<MacroTable>(*previous->macros);
  program->global_names = previous->global_names;
  program->global_init = previous->global_init;
  program->global_slots = previous->global_slots;
  program->previous = previous;
  return CompileInto(std::move(program), source);
}

std::string RaisedMessage(const Raised& raised) {
  if (raised.value.is_error()) return std::string(raised.value.err->message->view());
  return "uncaught throw: " + Repr(raised.value);
}

}  // namespace vigy::lisp
