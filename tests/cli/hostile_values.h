// Hostile values for the command-line attack (hostile_args_test.cc): for each
// kind of argument the commands declare (a duration, a count, a path, a
// program, JSON, a name...), what a careless script or a hostile user could
// pass: empty, huge, negative, overflowing, unicode, control characters,
// leading dashes, deep or huge JSON, special files, directories, missing
// files. Everything is drawn from a seeded generator, so a run reproduces.
//
// Nothing here may harm the machine: programs and handlers only print, sleep
// briefly or fail; paths point into the sandbox or at harmless devices.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace vigy::testing::hostile {

class Dice {
 public:
  explicit Dice(uint64_t seed) : engine_(seed) {}
  // 0 .. n-1
  size_t Below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(engine_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(engine_); }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Below(items.size())];
  }
  uint64_t Bits() { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

inline std::string Repeat(std::string_view part, size_t times) {
  std::string out;
  out.reserve(part.size() * times);
  for (size_t i = 0; i < times; ++i) out += part;
  return out;
}

inline std::string Nested(size_t depth) { return Repeat("[", depth) + Repeat("]", depth); }

// Values any argument may get, whatever its kind.
inline std::string AnyHostile(Dice& dice) {
  static const std::vector<std::string> values = {
      "",
      " ",
      "-",
      "--",
      "-x",
      "--bogus",
      "-dash",
      "--db",
      "--help",
      "\n",
      "a\nb",
      "\x1b[31mred\x1b[0m",
      "\t",
      "nul",  // argv cannot hold a NUL byte; files and stdin do
      "\xff\xfe",
      "\xc2\x9b"
      "2J",
      "\xef\xbb\xbf"
      "bom",
      "ünïcødé ✓ 日本",
      "\xe2\x80\xae"
      "rtl",
      "%s%n%x",
      "'\"`$(true)`",
      "*",
      "..",
      "/",
      "0",
      "-1",
      "9223372036854775807",
      "-9223372036854775808",
      "18446744073709551616",
      "1e400",
      "NaN",
      "inf",
      Repeat("a", 5000),
      Repeat("é", 3000),
  };
  return dice.Pick(values);
}

inline std::string Duration(Dice& dice) {
  static const std::vector<std::string> values = {
      "0",
      "1ms",
      "100ms",
      "1s",
      "30s",
      "2m",
      "1h",
      "1d",
      "-1s",
      "-0",
      "0ms",
      "1",
      "1.5s",
      "1e3s",
      "1s1s",
      "1 s",
      " 1s",
      "1s ",
      "1S",
      "1w",
      "0x10s",
      "365d",
      "366d",
      "9223372036854775807",
      "9223372036854775807ms",
      "9223372036854775807d",
      "9223372036854775808ms",
      "99999999999999999999h",
      "18446744073709551615ms",
      "2562047788015215h",
      "1ms\n",
      "∞",
      "ms",
      "s1",
      "2020-01-01T00:00:00Z",
      "1970-01-01T00:00:00Z",
      "9999-12-31T23:59:59Z",
      "0000-00-00T00:00:00Z",
  };
  if (dice.Chance(0.1)) {
    static const std::vector<std::string> units = {"", "ms", "s", "m", "h", "d"};
    return std::to_string(static_cast<int64_t>(dice.Bits())) + dice.Pick(units);
  }
  return dice.Pick(values);
}

inline std::string Count(Dice& dice) {
  static const std::vector<std::string> values = {
      "0",
      "1",
      "2",
      "3",
      "256",
      "257",
      "1000000000",
      "1000000001",
      "-1",
      "-0",
      "+3",
      "1.5",
      "1e3",
      "0x10",
      "010",
      " 3",
      "3 ",
      "",
      "abc",
      "9223372036854775807",
      "9223372036854775808",
      "18446744073709551615",
      "18446744073709551616",
      "-9223372036854775809",
  };
  return dice.Pick(values);
}

inline std::string Size(Dice& dice) {
  static const std::vector<std::string> values = {
      "1",
      "0",
      "1K",
      "64M",
      "1G",
      "2G",
      "1T",
      "9999999999T",
      "-1M",
      "1.5M",
      "",
      "M",
      "1m",
      "1MB",
      "1 M",
      "18446744073709551615",
      "18446744073709551616K",
  };
  return dice.Pick(values);
}

inline std::string Json(Dice& dice) {
  static const std::vector<std::string> values = {
      "1",
      "-0",
      "0.1",
      "1e400",
      "-1e400",
      "1e-400",
      "123456789012345678901234567890",
      "\"s\"",
      "\"\\ud800\"",
      "\"\\udc00\\ud800\"",
      "\"\\u0000\"",
      "\"\x1b[31m\"",
      "null",
      "true",
      "[1,2",
      "[1,2]",
      "{\"a\":",
      "{\"a\":1,\"a\":2}",
      "{}",
      "01",
      "NaN",
      "Infinity",
      "'x'",
      // Huge, yet under the kernel's 128 KiB limit on one argument.
      "\"" + std::string(120000, 'x') + "\"",
      "[" + Repeat("1,", 60000) + "1]",
      Nested(100),
      Nested(1000),
      Nested(1001),
      Nested(5000),
      Nested(60000),  // 120 KB
      Repeat("{\"a\":", 3000) + "1" + Repeat("}", 3000),
      "",
      " ",
      "\xff",
  };
  return dice.Pick(values);
}

inline std::string KeyValueJson(Dice& dice, const std::string& key) {
  if (dice.Chance(0.1)) return "=" + Json(dice);
  if (dice.Chance(0.1)) return key;  // no '='
  return key + "=" + Json(dice);
}

inline std::string Key(Dice& dice) {
  static const std::vector<std::string> values = {
      "k", "count", "__tick_count", "__failures", "_",
      "",  " ",     "a b",          "k\nv",       "\x1b[2J",
      "é", "a=b",   "-k",           "--k",        Repeat("k", 2000),
  };
  return dice.Pick(values);
}

inline std::string Label(Dice& dice) {
  static const std::vector<std::string> values = {
      "a=b",
      "env=prod",
      "tier=web",
      "a=",
      "=b",
      "=",
      "a",
      "",
      "a=b=c",
      "A=B",
      "a-b.c/d=e",
      "a=" + std::string(63, 'v'),
      "a=" + std::string(64, 'v'),
      std::string(64, 'k') + "=v",
      "é=ü",
      "a\n=b",
      "a=\x1b",
      "-a=b",
  };
  return dice.Pick(values);
}

inline std::string Selector(Dice& dice) {
  static const std::vector<std::string> values = {
      "env=prod", "env!=prod", "env", "!env", "env=prod,tier",      "", ",", "a=b,,c", "=", "a==b",
      "a!=",      "a=b c",     "é=ü", "a\nb", Repeat("a=b,", 2000),
  };
  return dice.Pick(values);
}

inline std::string Cron(Dice& dice) {
  static const std::vector<std::string> values = {
      "* * * * *",
      "*/5 * * * *",
      "0 0 * * *",
      "@hourly",
      "@daily",
      "@reboot",
      "",
      "*",
      "* * * *",
      "* * * * * * *",
      "61 * * * *",
      "*/0 * * * *",
      "0-59/99999999999 * * * *",
      "1-100000000000 * * * *",
      "0 0 31 2 *",
      "0 0 30 2 *",
      "-1 * * * *",
      "* * * * 8",
      "L * * * *",
      "0 0 29 2 *",
      "\n",
      "*/1 */1 */1 */1 */1",
  };
  return dice.Pick(values);
}

// Handler commands: all quick and harmless; one leaves a child behind.
inline std::string Handler(Dice& dice) {
  static const std::vector<std::string> values = {
      "true",
      "false",
      "cat > /dev/null",
      "exit 3",
      "",
      " ",
      "echo oops >&2; exit 1",
      "sleep 0.2 &",
      "sleep 0.1",
      "nonexistent-command-xyz",
      "printf 'a\\nb\\033[31m' >&2; exit 2",
  };
  return dice.Pick(values);
}

// Program texts: quick to run whatever they do.
inline std::string Program(Dice& dice) {
  static const std::vector<std::string> values = {
      "(vigy-noop)",
      "(vigy-create 1)",
      "(dotimes (i 3) (vigy-create i))",
      "(vigy-set \"k\" 1)",
      "(vigy-incr \"n\")",
      "(error \"a\\nb \\u001b[31mRED\")",
      "(car (list))",
      "(display \"hi\") (println \"x\") 1",
      "(vigy-log \"warn\" \"line\\nbreak \\u001b[2J\")",
      "(sh \"echo hi\")",
      "(sh \"sleep 0.2 &\")",
      "(sh \"printf '\\\\033[31m'\")",
      "(vigy-requeue-after 9223372036854775806)",
      "(vigy-requeue-after -1)",
      "(vigy-rate-limited? \"k\" 1 9223372036854775807)",
      "(json-parse \"" + Nested(2000) + "\")",
      "(json-str (hash-map 1 \"int\" \"1\" \"str\"))",
      "(define (f n) (+ 1 (f n))) (f 1)",
      "(vigy-condition \"Ready\" \"true\" \"R\\n\" \"\\u001b[31m\")",
      "(vigy-desired \"r\" 3) (vigy-observed \"r\" 1)",
      "(vigy-metric \"m\" 1e308)",
      Repeat("(", 1001) + Repeat(")", 1001),
      Repeat("(", 20000) + Repeat(")", 20000),
      "(list " + Repeat("0 ", 20000) + ")",
      "",
      ";; only a comment",
      "\xef\xbb\xbf(vigy-noop)",
      std::string("(vigy-noop)\0", 12),
      "(",
      ")",
      "\"unterminated",
      "#",
      "(vigy-noop",
  };
  return dice.Pick(values);
}

inline std::string Name(Dice& dice, const std::vector<std::string>& existing) {
  static const std::vector<std::string> values = {
      "",
      " ",
      "-dash",
      "--name",
      "a b",
      "é",
      "x.y",
      "../up",
      "a/b",
      "*",
      "0000",
      "00",
      "\x1b[31m",
      "a\nb",
      "UPPER",
      std::string(64, 'n'),
      std::string(65, 'n'),
      std::string(1000, 'n'),
      "nosuch",
  };
  if (!existing.empty() && dice.Chance(0.5)) return dice.Pick(existing);
  return dice.Pick(values);
}

}  // namespace vigy::testing::hostile
