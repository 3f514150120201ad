// Civil time arithmetic and zones: which instants show a wall-clock reading,
// including DST gaps and repeats, and the process zone following TZ.
#include "core/time_zone.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>

#include "tests/core/cron_helpers.h"

namespace vigy::core {
namespace {

using testing::At;
using testing::Wall;
using testing::Zone;

int64_t Seconds(std::string_view rfc3339) { return At(rfc3339) / 1000; }

TEST_CASE("civil times convert to calendar seconds and back") {
  CivilTime leap_day{2028, 2, 29, 23, 59, 59};
  CHECK(CivilToSeconds(leap_day) == Seconds("2028-02-29T23:59:59Z"));
  CHECK(SecondsToCivil(CivilToSeconds(leap_day)) == leap_day);
  CHECK(SecondsToCivil(-1) == CivilTime{1969, 12, 31, 23, 59, 59});
  CHECK(DaysInMonth(2028, 2) == 29);
  CHECK(DaysInMonth(2100, 2) == 28);
  CHECK(DaysInMonth(2000, 2) == 29);
  CHECK(DaysInMonth(2027, 4) == 30);
  CHECK(Weekday(2027, 1, 1) == 5);  // a Friday
  CHECK(Weekday(2027, 3, 14) == 0);
}

TEST_CASE("an unknown or malformed zone name is refused") {
  for (const char* name : {"Mars/Olympus_Mons", "", "/etc/passwd", "../zoneinfo/UTC",
                           "America//New_York", "America/New York"}) {
    INFO(name);
    Result<TimeZone> zone = TimeZone::Named(name);
    REQUIRE_FALSE(zone.ok());
    CHECK(zone.status().message() == "unknown time zone '" + std::string(name) + "'");
  }
}

TEST_CASE("an ordinary reading has exactly one instant") {
  TimeZone zone = Zone("America/New_York");
  TimeZone::Session session(zone);
  LocalInstants at = session.Resolve({2027, 6, 1, 9, 0, 0});
  CHECK(at.kind == LocalInstants::Kind::kUnique);
  CHECK(at.first == Seconds("2027-06-01T09:00:00-04:00"));
  CHECK(session.OffsetAt(at.first) == -4 * 3600);
}

TEST_CASE("a reading in the spring-forward gap resolves to the end of the gap") {
  TimeZone zone = Zone("America/New_York");
  TimeZone::Session session(zone);
  LocalInstants at = session.Resolve({2027, 3, 14, 2, 30, 0});
  CHECK(at.kind == LocalInstants::Kind::kSkipped);
  CHECK(at.first == Seconds("2027-03-14T03:00:00-04:00"));
  CHECK(session.Resolve({2027, 3, 14, 3, 0, 0}).kind == LocalInstants::Kind::kUnique);
  CHECK(session.Resolve({2027, 3, 14, 1, 59, 59}).kind == LocalInstants::Kind::kUnique);
}

TEST_CASE("a reading in the fall-back repeat has two instants an hour apart") {
  TimeZone zone = Zone("Europe/Berlin");
  TimeZone::Session session(zone);
  LocalInstants at = session.Resolve({2027, 10, 31, 2, 30, 0});
  CHECK(at.kind == LocalInstants::Kind::kRepeated);
  CHECK(at.first == Seconds("2027-10-31T02:30:00+02:00"));
  CHECK(at.second == Seconds("2027-10-31T02:30:00+01:00"));
  CHECK(session.Resolve({2027, 10, 31, 3, 0, 0}).kind == LocalInstants::Kind::kUnique);
}

TEST_CASE("the next offset change is found to the second") {
  TimeZone zone = Zone("America/New_York");
  TimeZone::Session session(zone);
  int64_t before = Seconds("2027-11-06T12:00:00-04:00");
  CHECK(session.NextOffsetChange(before, before + 86'400) == Seconds("2027-11-07T01:00:00-05:00"));
  CHECK_FALSE(session.NextOffsetChange(before - 86'400 * 10, before - 86'400 * 9).has_value());
}

TEST_CASE("the process zone follows TZ, and a named zone leaves TZ as it was") {
  const char* saved = std::getenv("TZ");
  std::string saved_value = saved ? saved : "";
  setenv("TZ", "Europe/Berlin", 1);
  tzset();
  int64_t instant = At("2027-06-01T12:00:00Z");
  CHECK(Wall(instant, TimeZone::Local()) == "2027-06-01T14:00:00+02:00");
  CHECK(Wall(instant, Zone("America/New_York")) == "2027-06-01T08:00:00-04:00");
  CHECK(std::string(std::getenv("TZ")) == "Europe/Berlin");
  CHECK(Wall(instant, TimeZone::Local()) == "2027-06-01T14:00:00+02:00");
  if (saved) {
    setenv("TZ", saved_value.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

}  // namespace
}  // namespace vigy::core
