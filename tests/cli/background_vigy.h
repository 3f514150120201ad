// BackgroundVigy, a vigy binary left running in a test; it lives in tests/support.
#pragma once

#include <signal.h>

#include <doctest/doctest.h>

#include "tests/support/vigy_binary.h"
