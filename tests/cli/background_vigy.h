// BackgroundVigy, a vigy binary left running in a test; it lives in tests/support.
#pragma once

#include <doctest/doctest.h>
#include <signal.h>

#include "tests/support/vigy_binary.h"
