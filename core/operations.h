// Every operation vigy offers on a store or a program, in one place: a
// surface (the command line's commands, and the HTTP and MCP surfaces as
// they are added) parses its input, calls one of these, and prints what it
// returns. No business rule lives in a surface. The operations act on the
// store port (core/store.h), never on a store implementation.
//
//   ops_vigies.h    find, register, update, list, show, enable, disable, delete
//   ops_runs.h      tick, runs, prune
//   ops_kv.h        kv list, get, set, remove
//   ops_programs.h  check and run a program without a store
//   ops_json.h      the JSON forms of what they return
//   vigy_settings.h the settings register and update take, and their rules
#pragma once

#include "core/ops_json.h"
#include "core/ops_kv.h"
#include "core/ops_programs.h"
#include "core/ops_runs.h"
#include "core/ops_vigies.h"
#include "core/vigy_settings.h"
