// The end-to-end tests' runner of the real binary; it lives in tests/support.
#pragma once

#include "tests/support/process.h"
#include "tests/support/vigy_binary.h"
