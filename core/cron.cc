#include "core/cron.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace vigy::core {
namespace {

constexpr int64_t kSecondsPerDay = 86'400;

constexpr std::array<std::string_view, 12> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 7> kWeekdayNames = {"SUN", "MON", "TUE", "WED",
                                                           "THU", "FRI", "SAT"};

// One field of the expression: its name in messages, its range, and the
// names it accepts (names[i] stands for first_name_value + i).
struct FieldDef {
  std::string_view name;
  int min;
  int max;
  const std::string_view* names = nullptr;
  size_t name_count = 0;
  int first_name_value = 0;
};

constexpr FieldDef kSecondField{"second", 0, 59};
constexpr FieldDef kMinuteField{"minute", 0, 59};
constexpr FieldDef kHourField{"hour", 0, 23};
constexpr FieldDef kDayOfMonthField{"day-of-month", 1, 31};
constexpr FieldDef kMonthField{"month", 1, 12, kMonthNames.data(), kMonthNames.size(), 1};
// 7 is accepted as Sunday, as in most crons; values are folded to 0-6.
constexpr FieldDef kDayOfWeekField{"day-of-week",        0, 7, kWeekdayNames.data(),
                                   kWeekdayNames.size(), 0};

struct Macro {
  std::string_view name;
  std::string_view fields;
};
constexpr std::array<Macro, 7> kMacros = {{
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
    {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
}};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A decimal number, saturating far above any field's range.
int64_t DigitsValue(std::string_view digits) {
  int64_t value = 0;
  for (char c : digits) value = std::min<int64_t>(value * 10 + (c - '0'), 1'000'000'000);
  return value;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::vector<std::string_view> SplitWhitespace(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

// Parses one field into the set of values it allows. On failure `problem`
// says what is wrong, without the field's name (the caller adds it).
class FieldParser {
 public:
  FieldParser(const FieldDef& def, std::string_view text) : def_(def), text_(text) {}

  // item := ('*' | value | value '-' value) ['/' step]
  bool Parse(std::bitset<64>& bits) {
    for (std::string_view item : Split(text_, ',')) {
      if (item.empty()) return Fail("empty list item");
      if (!ParseItem(item, bits)) return false;
    }
    return true;
  }

  const std::string& problem() const { return problem_; }

 private:
  bool ParseItem(std::string_view item, std::bitset<64>& bits) {
    std::string_view base = item;
    int64_t step = 1;
    const size_t slash = item.find('/');
    if (slash != std::string_view::npos) {
      base = item.substr(0, slash);
      std::string_view step_text = item.substr(slash + 1);
      if (!AllDigits(step_text)) {
        return Fail("step '" + std::string(step_text) + "' is not a number");
      }
      step = DigitsValue(step_text);
      if (step < 1) return Fail("step must be at least 1");
    }
    int low = def_.min;
    int high = def_.max;
    if (base != "*") {
      const size_t dash = base.find('-');
      if (dash == std::string_view::npos) {
        if (!Value(base, low)) return false;
        // "a/n" runs from a to the end of the field's range.
        high = slash == std::string_view::npos ? low : def_.max;
      } else {
        std::string_view first = base.substr(0, dash);
        std::string_view last = base.substr(dash + 1);
        if (first.empty() || last.empty()) {
          return Fail("'" + std::string(base) + "' is not a valid range");
        }
        if (!Value(first, low) || !Value(last, high)) return false;
        if (low > high) return Fail("range " + std::string(base) + " runs backwards");
      }
    }
    for (int64_t v = low; v <= high; v += step) bits.set(static_cast<size_t>(v));
    return true;
  }

  // A number within the field's range, or one of its names.
  bool Value(std::string_view token, int& out) {
    if (AllDigits(token)) {
      int64_t value = DigitsValue(token);
      if (value < def_.min || value > def_.max) {
        return Fail(std::string(token) + " is out of range " + std::to_string(def_.min) + "-" +
                    std::to_string(def_.max));
      }
      out = static_cast<int>(value);
      return true;
    }
    for (size_t i = 0; i < def_.name_count; ++i) {
      if (EqualsIgnoreCase(token, def_.names[i])) {
        out = def_.first_name_value + static_cast<int>(i);
        return true;
      }
    }
    if (token == text_) return Fail("not a number or name");
    return Fail("'" + std::string(token) + "' is not a number or name");
  }

  bool Fail(std::string problem) {
    problem_ = std::move(problem);
    return false;
  }

  const FieldDef& def_;
  std::string_view text_;
  std::string problem_;
};

template <size_t N>
bool ParseInto(const FieldDef& def, std::string_view text, std::bitset<N>& out,
               std::string& error) {
  std::bitset<64> bits;
  FieldParser parser(def, text);
  if (!parser.Parse(bits)) {
    error = std::string(def.name) + " field '" + std::string(text) + "': " + parser.problem();
    return false;
  }
  out.reset();
  for (size_t i = 0; i < N; ++i) out[i] = bits[i];
  return true;
}

Status BadCron(std::string_view text, const std::string& problem) {
  return Status::InvalidArgument("bad cron '" + std::string(text) + "': " + problem);
}

std::string MacroList() {
  std::string list;
  for (size_t i = 0; i < kMacros.size(); ++i) {
    if (i > 0) list += i + 1 == kMacros.size() ? " or " : ", ";
    list += kMacros[i].name;
  }
  return list;
}

// ---- the search ----

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// The first set bit at or after `from`, or -1.
template <size_t N>
int NextBit(const std::bitset<N>& bits, int from) {
  for (int i = std::max(from, 0); i < static_cast<int>(N); ++i) {
    if (bits[i]) return i;
  }
  return -1;
}

void StartOfNextDay(CivilTime& c) {
  c.hour = c.minute = c.second = 0;
  if (++c.day > DaysInMonth(c.year, c.month)) {
    c.day = 1;
    if (++c.month > 12) {
      c.month = 1;
      ++c.year;
    }
  }
}

void StartOfNextHour(CivilTime& c) {
  c.minute = c.second = 0;
  if (++c.hour > 23) StartOfNextDay(c);
}

void StartOfNextMinute(CivilTime& c) {
  c.second = 0;
  if (++c.minute > 59) StartOfNextHour(c);
}

bool DayMatches(const CronSpec& spec, const CivilTime& c) {
  const bool dom = spec.days_of_month[c.day];
  const bool dow = spec.days_of_week[Weekday(c.year, c.month, c.day)];
  if (spec.day_of_month_star || spec.day_of_week_star) return dom && dow;
  return dom || dow;
}

// The first wall-clock reading at or after `c` that matches every field, in
// calendar order (no zone involved); nullopt past the end of `last_year`.
std::optional<CivilTime> NextMatchingCivil(const CronSpec& spec, CivilTime c, int64_t last_year) {
  while (c.year <= last_year) {
    if (!spec.months[c.month]) {
      int month = NextBit(spec.months, c.month);
      if (month < 0) {
        ++c.year;
        month = NextBit(spec.months, 1);
      }
      c = CivilTime{c.year, month, 1, 0, 0, 0};
      continue;
    }
    if (!DayMatches(spec, c)) {
      StartOfNextDay(c);
      continue;
    }
    if (!spec.hours[c.hour]) {
      int hour = NextBit(spec.hours, c.hour);
      if (hour < 0) {
        StartOfNextDay(c);
        continue;
      }
      c.hour = hour;
      c.minute = c.second = 0;
    }
    if (!spec.minutes[c.minute]) {
      int minute = NextBit(spec.minutes, c.minute);
      if (minute < 0) {
        StartOfNextHour(c);
        continue;
      }
      c.minute = minute;
      c.second = 0;
    }
    if (!spec.seconds[c.second]) {
      int second = NextBit(spec.seconds, c.second);
      if (second < 0) {
        StartOfNextMinute(c);
        continue;
      }
      c.second = second;
    }
    return c;
  }
  return std::nullopt;
}

// The first instant >= t0 (epoch seconds) produced by a matching reading at
// or after `from`, applying the gap and repeat rules.
std::optional<int64_t> SearchForward(const CronSpec& spec, const TimeZone::Session& zone,
                                     int64_t t0, CivilTime from, int64_t last_year) {
  CivilTime c = from;
  while (std::optional<CivilTime> match = NextMatchingCivil(spec, c, last_year)) {
    const LocalInstants at = zone.Resolve(*match);
    switch (at.kind) {
      case LocalInstants::Kind::kUnique:
        if (at.first >= t0) return at.first;
        break;
      case LocalInstants::Kind::kRepeated:
        // A fixed-time job runs only in the first pass.
        if (at.first >= t0) return at.first;
        if (spec.time_has_wildcard && at.second >= t0) return at.second;
        break;
      case LocalInstants::Kind::kSkipped:
        if (!spec.time_has_wildcard) {
          // A fixed time that does not exist today runs when the gap ends.
          if (at.first >= t0) return at.first;
        } else {
          // Wildcard jobs have no slots inside the gap: resume after it.
          CivilTime after_gap = zone.ToCivil(at.first);
          if (after_gap > *match) {
            c = after_gap;
            continue;
          }
        }
        break;
    }
    c = SecondsToCivil(CivilToSeconds(*match) + 1);
  }
  return std::nullopt;
}

// When t0 lies in the first pass of a repeat (clocks go back within the
// next day and t0's reading comes again), the second pass's matches come
// before anything the forward search finds past the repeat. Returns the first
// of them, for wildcard jobs only.
std::optional<int64_t> SecondPassMatch(const CronSpec& spec, const TimeZone::Session& zone,
                                       int64_t t0, int64_t last_year) {
  const int64_t offset_now = zone.OffsetAt(t0);
  const std::optional<int64_t> change = zone.NextOffsetChange(t0, t0 + kSecondsPerDay);
  if (!change) return std::nullopt;
  const int64_t offset_new = zone.OffsetAt(*change);
  const int64_t repeated = offset_now - offset_new;
  if (repeated <= 0 || *change - t0 > repeated) return std::nullopt;
  // Readings [change + offset_new, change + offset_now) are shown again from
  // `change` on, at reading - offset_new.
  std::optional<CivilTime> match =
      NextMatchingCivil(spec, SecondsToCivil(*change + offset_new), last_year);
  if (!match || CivilToSeconds(*match) >= *change + offset_now) return std::nullopt;
  return CivilToSeconds(*match) - offset_new;
}

bool Empty(const CronSpec& spec) {
  return spec.seconds.none() || spec.minutes.none() || spec.hours.none() ||
         spec.days_of_month.none() || spec.months.none() || spec.days_of_week.none();
}

}  // namespace

Result<CronSpec> ParseCron(std::string_view text) {
  std::vector<std::string_view> fields = SplitWhitespace(text);
  if (fields.size() == 1 && fields[0].starts_with('@')) {
    for (const Macro& macro : kMacros) {
      if (EqualsIgnoreCase(fields[0], macro.name)) {
        Result<CronSpec> spec = ParseCron(macro.fields);
        if (spec.ok()) spec->text = std::string(text);
        return spec;
      }
    }
  }
  if (!fields.empty() && fields[0].starts_with('@')) {
    for (const Macro& macro : kMacros) {
      if (EqualsIgnoreCase(fields[0], macro.name)) {
        return BadCron(text, std::string(fields[0]) + " stands alone, without fields");
      }
    }
    return BadCron(text, "unknown macro (expected " + MacroList() + ")");
  }
  if (fields.size() != 5 && fields.size() != 6) {
    return BadCron(text, "expected 5 or 6 fields, got " + std::to_string(fields.size()));
  }

  CronSpec spec;
  spec.text = std::string(text);
  const bool has_seconds = fields.size() == 6;
  const size_t first = has_seconds ? 1 : 0;
  std::bitset<8> days_of_week;
  std::string error;
  bool ok = (has_seconds ? ParseInto(kSecondField, fields[0], spec.seconds, error) : true) &&
            ParseInto(kMinuteField, fields[first], spec.minutes, error) &&
            ParseInto(kHourField, fields[first + 1], spec.hours, error) &&
            ParseInto(kDayOfMonthField, fields[first + 2], spec.days_of_month, error) &&
            ParseInto(kMonthField, fields[first + 3], spec.months, error) &&
            ParseInto(kDayOfWeekField, fields[first + 4], days_of_week, error);
  if (!ok) return BadCron(text, error);
  if (!has_seconds) spec.seconds.set(0);
  for (size_t day = 0; day < 7; ++day) spec.days_of_week[day] = days_of_week[day];
  if (days_of_week[7]) spec.days_of_week.set(0);

  spec.day_of_month_star = fields[first + 2].starts_with('*');
  spec.day_of_week_star = fields[first + 4].starts_with('*');
  spec.time_has_wildcard = (has_seconds && fields[0].starts_with('*')) ||
                           fields[first].starts_with('*') || fields[first + 1].starts_with('*');
  return spec;
}

std::optional<int64_t> NextCronTime(const CronSpec& spec, int64_t after_epoch_ms,
                                    const TimeZone& zone) {
  if (Empty(spec)) return std::nullopt;
  TimeZone::Session session(zone);
  const int64_t t0 = FloorDiv(after_epoch_ms, 1000) + 1;
  const CivilTime start = session.ToCivil(t0);
  const int64_t last_year = start.year + kCronSearchYears;
  std::optional<int64_t> best = SearchForward(spec, session, t0, start, last_year);
  if (spec.time_has_wildcard) {
    std::optional<int64_t> second_pass = SecondPassMatch(spec, session, t0, last_year);
    if (second_pass && (!best || *second_pass < *best)) best = second_pass;
  }
  if (!best) return std::nullopt;
  return *best * 1000;
}

}  // namespace vigy::core
