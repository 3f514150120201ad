// The language's public face: a Library of builtins, Compile() turning source
// into an immutable Program, and Machine (machine.h) running it. A Program and
// a Library are read-only once built and may be shared by machines on any
// number of threads.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lisp/builtin.h"
#include "lisp/machine.h"
#include "lisp/source.h"

namespace vigy::lisp {

struct LispLayer;

// A set of builtins by name. Starts with the standard library — the builtins
// written in C++ and the functions and macros written in the language itself
// (lisp/library_source.cc, compiled once per process and shared) — and hosts
// Add() theirs (a later entry with the same name replaces an earlier one).
class Library {
 public:
  Library();
  void Add(std::span<const BuiltinSpec> specs);
  // nullptr when no builtin has that name.
  const BuiltinSpec* Find(std::string_view name) const;
  // A library function written in the language (a closure), or nullptr.
  const Value* FindLisp(std::string_view name) const;
  // A library macro written in the language (its expander closure), or nullptr.
  const Value* FindMacro(std::string_view name) const;
  // Every public name (builtins, library functions and macros), sorted.
  std::vector<std::string_view> Names() const;

  // The C++ builtins only, with `layer` consulted for language-written names;
  // for building the layer itself.
  Library(const LispLayer* layer, bool builtins_only);

 private:
  std::unordered_map<std::string_view, const BuiltinSpec*> by_name_;
  const LispLayer* layer_ = nullptr;
};

// The standard library alone, built once and shared.
const Library& StandardLibrary();

struct CompileResult {
  std::shared_ptr<const Program> program;  // null when there are errors
  std::vector<Diagnostic> errors;          // every error found, in source order
  bool ok() const { return program != nullptr; }
};

// Reads and compiles `source`. `file` names it in diagnostics. Reports unbound
// names and wrong fixed arities of builtins and of global functions. `library`
// must outlive the program.
CompileResult Compile(const Library& library, std::string_view source, std::string file);

// Compiles `source` as a continuation of `previous` (the REPL): its globals
// and macros stay visible, with the same slots, so a Machine that ran
// `previous` can Continue() with the result.
CompileResult CompileContinuation(const std::shared_ptr<const Program>& previous,
                                  std::string_view source, std::string file);

// The message for an uncaught runtime error: an error value's message, or
// "uncaught throw: <value>" for anything else that was thrown.
std::string RaisedMessage(const Raised& raised);

}  // namespace vigy::lisp
