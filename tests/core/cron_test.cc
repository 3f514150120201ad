// Cron expressions: every piece of syntax, every error message, and next
// times across month ends, leap days, the day-of-month/day-of-week rule and
// DST changes in America/New_York and Europe/Berlin.
#include "core/cron.h"

#include <doctest/doctest.h>

#include <vector>

#include "tests/core/cron_helpers.h"

namespace vigy::core {
namespace {

using testing::At;
using testing::Cron;
using testing::Fires;
using testing::Wall;
using testing::Zone;
using Strings = std::vector<std::string>;

template <size_t N>
std::vector<int> Values(const std::bitset<N>& bits) {
  std::vector<int> out;
  for (size_t i = 0; i < N; ++i) {
    if (bits[i]) out.push_back(static_cast<int>(i));
  }
  return out;
}

std::vector<int> Range(int low, int high) {
  std::vector<int> out;
  for (int v = low; v <= high; ++v) out.push_back(v);
  return out;
}

std::string ErrorOf(std::string_view text) {
  Result<CronSpec> spec = ParseCron(text);
  REQUIRE_FALSE(spec.ok());
  CHECK(spec.status().code() == Status::Code::kInvalidArgument);
  return spec.status().message();
}

// ---- parsing ----

TEST_CASE("a five-field cron fires at second zero of the named minute") {
  CronSpec spec = Cron("5 4 * * *");
  CHECK(spec.text == "5 4 * * *");
  CHECK(Values(spec.seconds) == std::vector<int>{0});
  CHECK(Values(spec.minutes) == std::vector<int>{5});
  CHECK(Values(spec.hours) == std::vector<int>{4});
  CHECK(Values(spec.days_of_month) == Range(1, 31));
  CHECK(Values(spec.months) == Range(1, 12));
  CHECK(Values(spec.days_of_week) == Range(0, 6));
}

TEST_CASE("a six-field cron puts seconds first") {
  CronSpec spec = Cron("*/20 0 12 * * *");
  CHECK(Values(spec.seconds) == std::vector<int>{0, 20, 40});
  CHECK(Values(spec.minutes) == std::vector<int>{0});
  CHECK(Values(spec.hours) == std::vector<int>{12});
  CHECK(Values(Cron("* * * * * *").seconds) == Range(0, 59));
}

TEST_CASE("a star allows every value of its field") {
  CronSpec spec = Cron("* * * * *");
  CHECK(Values(spec.minutes) == Range(0, 59));
  CHECK(Values(spec.hours) == Range(0, 23));
}

TEST_CASE("numbers, ranges and lists combine in one field") {
  CHECK(Values(Cron("1,5,10-12 * * * *").minutes) == std::vector<int>{1, 5, 10, 11, 12});
  CHECK(Values(Cron("0 22-23,0-2 * * *").hours) == std::vector<int>{0, 1, 2, 22, 23});
  CHECK(Values(Cron("07 * * * *").minutes) == std::vector<int>{7});
}

TEST_CASE("steps apply to a star, a range or a start value") {
  CHECK(Values(Cron("*/15 * * * *").minutes) == std::vector<int>{0, 15, 30, 45});
  CHECK(Values(Cron("10-30/10 * * * *").minutes) == std::vector<int>{10, 20, 30});
  CHECK(Values(Cron("5/20 * * * *").minutes) == std::vector<int>{5, 25, 45});
  CHECK(Values(Cron("0 */7 * * *").hours) == std::vector<int>{0, 7, 14, 21});
  CHECK(Values(Cron("0 0 */10 * *").days_of_month) == std::vector<int>{1, 11, 21, 31});
  CHECK(Values(Cron("0 0 1 */5 *").months) == std::vector<int>{1, 6, 11});
  CHECK(Values(Cron("*/90 * * * *").minutes) == std::vector<int>{0});
}

TEST_CASE("month and weekday names work in any case, alone, in ranges and lists") {
  CHECK(Values(Cron("0 0 1 JAN,mar,Dec *").months) == std::vector<int>{1, 3, 12});
  CHECK(Values(Cron("0 0 1 jun-AUG *").months) == std::vector<int>{6, 7, 8});
  CHECK(Values(Cron("0 0 1 feb-12/3 *").months) == std::vector<int>{2, 5, 8, 11});
  CHECK(Values(Cron("0 9 * * mon-FRI").days_of_week) == std::vector<int>{1, 2, 3, 4, 5});
  CHECK(Values(Cron("0 9 * * SUN,sat").days_of_week) == std::vector<int>{0, 6});
  CHECK(Values(Cron("0 9 * * Tue,4").days_of_week) == std::vector<int>{2, 4});
}

TEST_CASE("weekday 0 and 7 are both Sunday") {
  CHECK(Values(Cron("0 0 * * 0").days_of_week) == std::vector<int>{0});
  CHECK(Values(Cron("0 0 * * 7").days_of_week) == std::vector<int>{0});
  CHECK(Values(Cron("0 0 * * 5-7").days_of_week) == std::vector<int>{0, 5, 6});
  CHECK(Values(Cron("0 0 * * */7").days_of_week) == std::vector<int>{0});
}

TEST_CASE("the macros stand for their five-field forms and keep the text as written") {
  struct Case {
    const char* macro;
    const char* fields;
  };
  for (Case c :
       {Case{"@yearly", "0 0 1 1 *"}, Case{"@annually", "0 0 1 1 *"}, Case{"@monthly", "0 0 1 * *"},
        Case{"@weekly", "0 0 * * 0"}, Case{"@daily", "0 0 * * *"}, Case{"@midnight", "0 0 * * *"},
        Case{"@hourly", "0 * * * *"}, Case{"@Daily", "0 0 * * *"}}) {
    INFO(c.macro);
    CronSpec macro = Cron(c.macro);
    CronSpec fields = Cron(c.fields);
    CHECK(macro.text == c.macro);
    CHECK(Values(macro.seconds) == Values(fields.seconds));
    CHECK(Values(macro.minutes) == Values(fields.minutes));
    CHECK(Values(macro.hours) == Values(fields.hours));
    CHECK(Values(macro.days_of_month) == Values(fields.days_of_month));
    CHECK(Values(macro.months) == Values(fields.months));
    CHECK(Values(macro.days_of_week) == Values(fields.days_of_week));
    CHECK(macro.time_has_wildcard == fields.time_has_wildcard);
  }
}

TEST_CASE("fields may be separated by runs of spaces and tabs") {
  CronSpec spec = Cron("  0\t12   * *\t* ");
  CHECK(Values(spec.hours) == std::vector<int>{12});
  CHECK(spec.text == "  0\t12   * *\t* ");
}

TEST_CASE("a day field starting with a star counts as unrestricted") {
  CHECK_FALSE(Cron("0 0 13 * 5").day_of_month_star);
  CHECK_FALSE(Cron("0 0 13 * 5").day_of_week_star);
  CHECK(Cron("0 0 */2 * 1").day_of_month_star);
  CHECK(Cron("0 0 1 * *").day_of_week_star);
  CHECK_FALSE(Cron("0 0 1-31 * 1").day_of_month_star);
}

TEST_CASE("a star in the second, minute or hour field marks a job that repeats within the day") {
  CHECK_FALSE(Cron("30 2 * * *").time_has_wildcard);
  CHECK_FALSE(Cron("0,30 1-3 * * *").time_has_wildcard);
  CHECK_FALSE(Cron("0 30 2 * * *").time_has_wildcard);
  CHECK_FALSE(Cron("@daily").time_has_wildcard);
  CHECK(Cron("30 * * * *").time_has_wildcard);
  CHECK(Cron("*/5 3 * * *").time_has_wildcard);
  CHECK(Cron("*/10 30 2 * * *").time_has_wildcard);
  CHECK(Cron("@hourly").time_has_wildcard);
}

TEST_CASE("every malformed cron gets one line naming the field and the problem") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"x * * * *", "bad cron 'x * * * *': minute field 'x': not a number or name"},
      {"", "bad cron '': expected 5 or 6 fields, got 0"},
      {"* * *", "bad cron '* * *': expected 5 or 6 fields, got 3"},
      {"* * * * * * *", "bad cron '* * * * * * *': expected 5 or 6 fields, got 7"},
      {"60 0 0 * * *", "bad cron '60 0 0 * * *': second field '60': 60 is out of range 0-59"},
      {"60 * * * *", "bad cron '60 * * * *': minute field '60': 60 is out of range 0-59"},
      {"0 24 * * *", "bad cron '0 24 * * *': hour field '24': 24 is out of range 0-23"},
      {"0 0 0 * *", "bad cron '0 0 0 * *': day-of-month field '0': 0 is out of range 1-31"},
      {"0 0 32 * *", "bad cron '0 0 32 * *': day-of-month field '32': 32 is out of range 1-31"},
      {"0 0 99999999999 * *",
       "bad cron '0 0 99999999999 * *': day-of-month field '99999999999': 99999999999 is out "
       "of range 1-31"},
      {"0 0 * 13 *", "bad cron '0 0 * 13 *': month field '13': 13 is out of range 1-12"},
      {"0 0 * 0 *", "bad cron '0 0 * 0 *': month field '0': 0 is out of range 1-12"},
      {"0 0 * * 8", "bad cron '0 0 * * 8': day-of-week field '8': 8 is out of range 0-7"},
      {"0-70 * * * *", "bad cron '0-70 * * * *': minute field '0-70': 70 is out of range 0-59"},
      {"5-1 * * * *", "bad cron '5-1 * * * *': minute field '5-1': range 5-1 runs backwards"},
      {"0 0 * * FRI-MON",
       "bad cron '0 0 * * FRI-MON': day-of-week field 'FRI-MON': range FRI-MON runs backwards"},
      {"*/0 * * * *", "bad cron '*/0 * * * *': minute field '*/0': step must be at least 1"},
      {"*/x * * * *", "bad cron '*/x * * * *': minute field '*/x': step 'x' is not a number"},
      {"*/ * * * *", "bad cron '*/ * * * *': minute field '*/': step '' is not a number"},
      {"1/2/3 * * * *",
       "bad cron '1/2/3 * * * *': minute field '1/2/3': step '2/3' is not a number"},
      {"1,,2 * * * *", "bad cron '1,,2 * * * *': minute field '1,,2': empty list item"},
      {"1, * * * *", "bad cron '1, * * * *': minute field '1,': empty list item"},
      {"1-x * * * *", "bad cron '1-x * * * *': minute field '1-x': 'x' is not a number or name"},
      {"1- * * * *", "bad cron '1- * * * *': minute field '1-': '1-' is not a valid range"},
      {"-5 * * * *", "bad cron '-5 * * * *': minute field '-5': '-5' is not a valid range"},
      {"*-5 * * * *", "bad cron '*-5 * * * *': minute field '*-5': '*' is not a number or name"},
      {"? * * * *", "bad cron '? * * * *': minute field '?': not a number or name"},
      {"MON * * * *", "bad cron 'MON * * * *': minute field 'MON': not a number or name"},
      {"0 0 * FOO *", "bad cron '0 0 * FOO *': month field 'FOO': not a number or name"},
      {"0 0 * * MONDAY",
       "bad cron '0 0 * * MONDAY': day-of-week field 'MONDAY': not a number or name"},
      {"0 0 * * 1,SUNDAY",
       "bad cron '0 0 * * 1,SUNDAY': day-of-week field '1,SUNDAY': 'SUNDAY' is not a number or "
       "name"},
      {"0 0 * JAN *x", "bad cron '0 0 * JAN *x': day-of-week field '*x': not a number or name"},
      {"@reboot",
       "bad cron '@reboot': unknown macro (expected @yearly, @annually, @monthly, @weekly, "
       "@daily, @midnight or @hourly)"},
      {"@daily 5", "bad cron '@daily 5': @daily stands alone, without fields"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(ErrorOf(c.text) == c.message);
  }
}

// ---- next times ----

TEST_CASE("the next time is strictly after the given instant") {
  CHECK(Fires("* * * * *", "2027-06-01T12:00:00Z", "UTC", 1) ==
        Strings{"2027-06-01T12:01:00+00:00"});
  CHECK(Fires("* * * * *", "2027-06-01T11:59:59.999Z", "UTC", 1) ==
        Strings{"2027-06-01T12:00:00+00:00"});
  CHECK(Fires("0 12 * * *", "2027-06-01T12:00:00.001Z", "UTC", 1) ==
        Strings{"2027-06-02T12:00:00+00:00"});
}

TEST_CASE("next times roll over month and year ends") {
  CHECK(Fires("0 0 1 * *", "2027-01-31T12:00:00Z", "UTC", 3) ==
        Strings{"2027-02-01T00:00:00+00:00", "2027-03-01T00:00:00+00:00",
                "2027-04-01T00:00:00+00:00"});
  CHECK(Fires("0 0 * * *", "2027-12-31T23:59:59.999Z", "UTC", 1) ==
        Strings{"2028-01-01T00:00:00+00:00"});
  CHECK(Fires("59 23 * * *", "2027-02-28T23:59:00Z", "UTC", 1) ==
        Strings{"2027-03-01T23:59:00+00:00"});
}

TEST_CASE("the 31st fires only in months that have one") {
  CHECK(Fires("0 12 31 * *", "2027-01-31T12:00:00Z", "UTC", 4) ==
        Strings{"2027-03-31T12:00:00+00:00", "2027-05-31T12:00:00+00:00",
                "2027-07-31T12:00:00+00:00", "2027-08-31T12:00:00+00:00"});
}

TEST_CASE("Feb 29 fires only in leap years, skipping 2100") {
  CHECK(Fires("0 0 29 2 *", "2027-01-01T00:00:00Z", "UTC", 3) ==
        Strings{"2028-02-29T00:00:00+00:00", "2032-02-29T00:00:00+00:00",
                "2036-02-29T00:00:00+00:00"});
  CHECK(Fires("0 0 29 2 *", "2096-03-01T00:00:00Z", "UTC", 1) ==
        Strings{"2104-02-29T00:00:00+00:00"});
}

TEST_CASE("a rare date is found decades ahead") {
  // Feb 29 that is also a Sunday (the weekday field starts with '*', so both
  // day fields must match): 2088, then 40 years later across 2100.
  CHECK(Fires("0 0 29 2 */7", "2088-03-01T00:00:00Z", "UTC", 1) ==
        Strings{"2128-02-29T00:00:00+00:00"});
}

TEST_CASE("a date that never exists has no next time") {
  CronSpec spec = Cron("0 0 30 2 *");
  CHECK_FALSE(NextCronTime(spec, At("2027-01-01T00:00:00Z"), Zone("UTC")).has_value());
  CHECK_FALSE(
      NextCronTime(Cron("0 0 31 4,6,9,11 *"), At("2027-01-01T00:00:00Z"), Zone("UTC")).has_value());
  CHECK_FALSE(NextCronTime(CronSpec{}, At("2027-01-01T00:00:00Z"), Zone("UTC")).has_value());
}

TEST_CASE("when both day fields are restricted, a day matching either one fires") {
  // 2027-01-01 is a Friday; the 13th is a Wednesday.
  CHECK(Fires("0 0 13 * FRI", "2027-01-01T00:00:00Z", "UTC", 6) ==
        Strings{"2027-01-08T00:00:00+00:00", "2027-01-13T00:00:00+00:00",
                "2027-01-15T00:00:00+00:00", "2027-01-22T00:00:00+00:00",
                "2027-01-29T00:00:00+00:00", "2027-02-05T00:00:00+00:00"});
}

TEST_CASE("when a day field starts with a star, both day fields must match") {
  CHECK(Fires("0 0 */2 * MON", "2027-01-01T00:00:00Z", "UTC", 4) ==
        Strings{"2027-01-11T00:00:00+00:00", "2027-01-25T00:00:00+00:00",
                "2027-02-01T00:00:00+00:00", "2027-02-15T00:00:00+00:00"});
  CHECK(Fires("0 0 13 * *", "2027-01-01T00:00:00Z", "UTC", 2) ==
        Strings{"2027-01-13T00:00:00+00:00", "2027-02-13T00:00:00+00:00"});
  CHECK(Fires("0 0 * * FRI", "2027-01-01T00:00:00Z", "UTC", 2) ==
        Strings{"2027-01-08T00:00:00+00:00", "2027-01-15T00:00:00+00:00"});
}

TEST_CASE("six-field expressions fire on the named seconds") {
  CHECK(Fires("*/10 * * * * *", "2027-06-01T12:00:00.500Z", "UTC", 3) ==
        Strings{"2027-06-01T12:00:10+00:00", "2027-06-01T12:00:20+00:00",
                "2027-06-01T12:00:30+00:00"});
  CHECK(Fires("30 15 10 * * *", "2027-06-01T00:00:00Z", "UTC", 2) ==
        Strings{"2027-06-01T10:15:30+00:00", "2027-06-02T10:15:30+00:00"});
  CHECK(Fires("59 59 23 31 12 *", "2027-06-01T00:00:00Z", "UTC", 1) ==
        Strings{"2027-12-31T23:59:59+00:00"});
}

TEST_CASE("names select months and weekdays in next times") {
  // Weekdays in the first quarter: after the last one of 2027 comes Monday 3 Jan 2028.
  CHECK(Fires("0 9 * JAN-MAR MON-FRI", "2027-03-31T09:00:00Z", "UTC", 2) ==
        Strings{"2028-01-03T09:00:00+00:00", "2028-01-04T09:00:00+00:00"});
  CHECK(Fires("@weekly", "2027-01-01T00:00:00Z", "UTC", 2) ==
        Strings{"2027-01-03T00:00:00+00:00", "2027-01-10T00:00:00+00:00"});
  CHECK(Fires("@yearly", "2027-01-01T00:00:00Z", "UTC", 1) == Strings{"2028-01-01T00:00:00+00:00"});
}

TEST_CASE("next times before 1970 work too") {
  CHECK(Fires("0 0 1 1 *", "1969-06-01T00:00:00Z", "UTC", 1) ==
        Strings{"1970-01-01T00:00:00+00:00"});
}

// ---- DST: America/New_York (2027: clocks go 02:00 EST -> 03:00 EDT on
// Sunday 14 March, and 02:00 EDT -> 01:00 EST on Sunday 7 November) ----

TEST_CASE("New York: a fixed time inside the spring-forward gap runs once when the gap ends") {
  CHECK(Fires("30 2 * * *", "2027-03-13T12:00:00-05:00", "America/New_York", 3) ==
        Strings{"2027-03-14T03:00:00-04:00", "2027-03-15T02:30:00-04:00",
                "2027-03-16T02:30:00-04:00"});
  CHECK(Fires("0 2 * * *", "2027-03-13T12:00:00-05:00", "America/New_York", 2) ==
        Strings{"2027-03-14T03:00:00-04:00", "2027-03-15T02:00:00-04:00"});
  // Two fixed times in the gap still make one run.
  CHECK(Fires("0,30 2 * * *", "2027-03-13T12:00:00-05:00", "America/New_York", 2) ==
        Strings{"2027-03-14T03:00:00-04:00", "2027-03-15T02:00:00-04:00"});
  // A fixed time that also exists after the gap is not run twice.
  CHECK(Fires("30 2,3 * * *", "2027-03-14T01:00:00-05:00", "America/New_York", 3) ==
        Strings{"2027-03-14T03:00:00-04:00", "2027-03-14T03:30:00-04:00",
                "2027-03-15T02:30:00-04:00"});
  CHECK(Fires("0 30 2 * * *", "2027-03-13T12:00:00-05:00", "America/New_York", 1) ==
        Strings{"2027-03-14T03:00:00-04:00"});
}

TEST_CASE("New York: repeating jobs skip the missing hour and keep real-time spacing") {
  CHECK(Fires("*/15 * * * *", "2027-03-14T01:30:00-05:00", "America/New_York", 3) ==
        Strings{"2027-03-14T01:45:00-05:00", "2027-03-14T03:00:00-04:00",
                "2027-03-14T03:15:00-04:00"});
  CHECK(Fires("30 * * * *", "2027-03-14T01:00:00-05:00", "America/New_York", 2) ==
        Strings{"2027-03-14T01:30:00-05:00", "2027-03-14T03:30:00-04:00"});
  CHECK(Fires("* 2 * * *", "2027-03-13T12:00:00-05:00", "America/New_York", 1) ==
        Strings{"2027-03-15T02:00:00-04:00"});
}

TEST_CASE("New York: a fixed time in the fall-back repeat runs once, at the first pass") {
  CHECK(Fires("30 1 * * *", "2027-11-07T00:00:00-04:00", "America/New_York", 2) ==
        Strings{"2027-11-07T01:30:00-04:00", "2027-11-08T01:30:00-05:00"});
  // Starting inside the second pass, after the first 01:30 went by.
  CHECK(Fires("30 1 * * *", "2027-11-07T01:10:00-05:00", "America/New_York", 1) ==
        Strings{"2027-11-08T01:30:00-05:00"});
  // Starting late in the first pass: the second pass's 01:45 is not run.
  CHECK(Fires("45 1 * * *", "2027-11-07T01:50:00-04:00", "America/New_York", 1) ==
        Strings{"2027-11-08T01:45:00-05:00"});
}

TEST_CASE("New York: repeating jobs run in both passes of the fall-back repeat") {
  CHECK(Fires("*/30 * * * *", "2027-11-07T00:45:00-04:00", "America/New_York", 5) ==
        Strings{"2027-11-07T01:00:00-04:00", "2027-11-07T01:30:00-04:00",
                "2027-11-07T01:00:00-05:00", "2027-11-07T01:30:00-05:00",
                "2027-11-07T02:00:00-05:00"});
  CHECK(Fires("30 * * * *", "2027-11-07T00:30:00-04:00", "America/New_York", 3) ==
        Strings{"2027-11-07T01:30:00-04:00", "2027-11-07T01:30:00-05:00",
                "2027-11-07T02:30:00-05:00"});
  // Late in the first pass, the next slot is the start of the second pass.
  CHECK(Fires("*/15 * * * *", "2027-11-07T01:50:00-04:00", "America/New_York", 2) ==
        Strings{"2027-11-07T01:00:00-05:00", "2027-11-07T01:15:00-05:00"});
}

// ---- DST: Europe/Berlin (2027: 02:00 CET -> 03:00 CEST on Sunday 28 March,
// 03:00 CEST -> 02:00 CET on Sunday 31 October) ----

TEST_CASE("Berlin: a fixed time in the spring gap runs when the gap ends") {
  CHECK(Fires("30 2 * * *", "2027-03-27T12:00:00+01:00", "Europe/Berlin", 2) ==
        Strings{"2027-03-28T03:00:00+02:00", "2027-03-29T02:30:00+02:00"});
  CHECK(Fires("0 * * * *", "2027-03-28T00:30:00+01:00", "Europe/Berlin", 3) ==
        Strings{"2027-03-28T01:00:00+01:00", "2027-03-28T03:00:00+02:00",
                "2027-03-28T04:00:00+02:00"});
}

TEST_CASE("Berlin: the autumn repeat runs fixed times once and repeating jobs twice") {
  CHECK(Fires("30 2 * * *", "2027-10-30T12:00:00+02:00", "Europe/Berlin", 2) ==
        Strings{"2027-10-31T02:30:00+02:00", "2027-11-01T02:30:00+01:00"});
  CHECK(Fires("*/20 * * * *", "2027-10-31T01:50:00+02:00", "Europe/Berlin", 7) ==
        Strings{"2027-10-31T02:00:00+02:00", "2027-10-31T02:20:00+02:00",
                "2027-10-31T02:40:00+02:00", "2027-10-31T02:00:00+01:00",
                "2027-10-31T02:20:00+01:00", "2027-10-31T02:40:00+01:00",
                "2027-10-31T03:00:00+01:00"});
}

TEST_CASE("the same expression follows each zone's own wall clock") {
  CronSpec spec = Cron("0 9 * * *");
  int64_t after = At("2027-06-01T00:00:00Z");
  CHECK(Wall(*NextCronTime(spec, after, Zone("America/New_York")), Zone("UTC")) ==
        "2027-06-01T13:00:00+00:00");
  CHECK(Wall(*NextCronTime(spec, after, Zone("Europe/Berlin")), Zone("UTC")) ==
        "2027-06-01T07:00:00+00:00");
}

// ---- cross-check ----

// The documented rules, checked instant by instant: a whole-minute instant
// fires when its reading matches, unless it is the second showing of that
// reading and the job is fixed-time; the first instant after a gap fires for
// a fixed-time job when any reading inside the gap matches.
std::optional<int64_t> ScanForNext(const CronSpec& spec, int64_t after_ms, const TimeZone& zone) {
  TimeZone::Session session(zone);
  auto matches = [&](const CivilTime& c) {
    bool dom = spec.days_of_month[c.day];
    bool dow = spec.days_of_week[Weekday(c.year, c.month, c.day)];
    bool day = spec.day_of_month_star || spec.day_of_week_star ? dom && dow : dom || dow;
    return spec.months[c.month] && day && spec.hours[c.hour] && spec.minutes[c.minute] &&
           spec.seconds[c.second];
  };
  const int64_t first = after_ms / 1000 + 1;
  const int64_t start = (first + 59) / 60 * 60;
  int64_t before = session.OffsetAt(start - 60);
  for (int64_t t = start; t < first + 8 * 86'400; t += 60) {
    const int64_t offset = session.OffsetAt(t);
    if (offset > before && !spec.time_has_wildcard) {
      // t ends a gap: readings [t + before, t + offset) never happened.
      for (int64_t local = t + before; local < t + offset; local += 60) {
        if (matches(SecondsToCivil(local))) return t * 1000;
      }
    }
    before = offset;
    const CivilTime c = SecondsToCivil(t + offset);
    if (!matches(c)) continue;
    bool second_showing = false;
    const bool clocks_went_back = session.OffsetAt(t - 4 * 3600) > offset;
    for (int64_t earlier = t - 4 * 3600; clocks_went_back && earlier < t; earlier += 60) {
      if (session.ToCivil(earlier) == c) second_showing = true;
    }
    if (second_showing && !spec.time_has_wildcard) continue;
    return t * 1000;
  }
  return std::nullopt;
}

TEST_CASE("next times agree with an instant-by-instant scan around DST changes") {
  const char* exprs[] = {"*/7 * * * *", "30 1 * * *", "0,30 2 * * *", "15 */2 * * *",
                         "* 1 * * *",   "0 * * * *",  "45 2 * * 0",   "*/20 1-3 * * *",
                         "0 0 * * *",   "59 1 * * *", "0 3 * * *",    "10,40 0-4 * * *"};
  for (const char* zone_name :
       {"America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Australia/Sydney"}) {
    TimeZone zone = Zone(zone_name);
    // The zone's changes in 2027.
    std::vector<int64_t> changes;
    {
      TimeZone::Session session(zone);
      for (int64_t t = At("2027-01-01T00:00:00Z") / 1000; t < At("2028-01-01T00:00:00Z") / 1000;
           t += 86'400) {
        if (std::optional<int64_t> change = session.NextOffsetChange(t, t + 86'400)) {
          changes.push_back(*change);
        }
      }
    }
    REQUIRE(changes.size() == 2);
    for (int64_t change : changes) {
      for (int step = -12; step <= 12; ++step) {
        const int64_t after = change * 1000 + step * 13 * 60'000 + (step % 3) * 12'345;
        for (const char* expr : exprs) {
          CronSpec spec = Cron(expr);
          const std::string where =
              std::string(zone_name) + " '" + expr + "' after " + Wall(after, zone);
          INFO(where);
          std::optional<int64_t> expected = ScanForNext(spec, after, zone);
          std::optional<int64_t> actual = NextCronTime(spec, after, zone);
          REQUIRE(expected.has_value());
          REQUIRE(actual.has_value());
          CHECK(Wall(*actual, zone) == Wall(*expected, zone));
        }
      }
    }
  }
}

}  // namespace
}  // namespace vigy::core
