#include "core/time_zone.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>

namespace vigy::core {
namespace {

constexpr int64_t kSecondsPerDay = 86'400;

// Guards TZ and the C library's zone state for every Session.
std::mutex& ZoneMutex() {
  static std::mutex mutex;
  return mutex;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::chrono::sys_days Days(int64_t year, int month, int day) {
  using namespace std::chrono;
  return sys_days{std::chrono::year{static_cast<int>(year)} / month / day};
}

// A tz database name is a relative path of plain components.
bool PlausibleZoneName(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.size() > 255) return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    for (char c : part) {
      bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-' || c == '+';
      if (!ok) return false;
    }
    start = end + 1;
  }
  return true;
}

bool IsTzFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::string_view(magic, 4) == "TZif";
}

}  // namespace

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2) {
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[month - 1];
}

int Weekday(int64_t year, int month, int day) {
  return static_cast<int>(std::chrono::weekday{Days(year, month, day)}.c_encoding());
}

int64_t CivilToSeconds(const CivilTime& civil) {
  int64_t days = Days(civil.year, civil.month, civil.day).time_since_epoch().count();
  return days * kSecondsPerDay + int64_t{civil.hour} * 3600 + int64_t{civil.minute} * 60 +
         civil.second;
}

CivilTime SecondsToCivil(int64_t seconds) {
  using namespace std::chrono;
  int64_t days = FloorDiv(seconds, kSecondsPerDay);
  int64_t in_day = seconds - days * kSecondsPerDay;
  year_month_day date{sys_days{std::chrono::days{days}}};
  CivilTime civil;
  civil.year = static_cast<int>(date.year());
  civil.month = static_cast<int>(static_cast<unsigned>(date.month()));
  civil.day = static_cast<int>(static_cast<unsigned>(date.day()));
  civil.hour = static_cast<int>(in_day / 3600);
  civil.minute = static_cast<int>(in_day / 60 % 60);
  civil.second = static_cast<int>(in_day % 60);
  return civil;
}

TimeZone TimeZone::Local() { return TimeZone(""); }

std::optional<std::string> TimeZone::LocalProblem() {
  const char* tz = std::getenv("TZ");
  if (tz == nullptr || *tz == '\0') return std::nullopt;
  std::string_view name = tz;
  if (name.starts_with(':')) name.remove_prefix(1);
  // A POSIX rule names its offset with digits ("UTC0", "EST5EDT,M3.2.0,M11.1.0").
  if (name.find_first_of("0123456789,<") != std::string_view::npos) return std::nullopt;
  if (name.starts_with('/')) {
    if (IsTzFile(std::string(name))) return std::nullopt;
  } else if (Named(name).ok()) {
    return std::nullopt;
  }
  return fmt::format(
      "TZ '{}' is not a time zone this system knows, so local time is UTC "
      "(see /usr/share/zoneinfo for the names)",
      tz);
}

Result<TimeZone> TimeZone::Named(std::string_view name) {
  const char* dir = std::getenv("TZDIR");
  std::string base = dir && *dir ? dir : "/usr/share/zoneinfo";
  if (!PlausibleZoneName(name) || !IsTzFile(base + "/" + std::string(name))) {
    return Status::InvalidArgument("unknown time zone '" + std::string(name) + "'");
  }
  return TimeZone(std::string(name));
}

TimeZone::Session::Session(const TimeZone& zone) : lock_(ZoneMutex()) {
  if (zone.name_.empty()) return;
  named_ = true;
  if (const char* tz = std::getenv("TZ")) saved_tz_ = tz;
  setenv("TZ", zone.name_.c_str(), 1);
  tzset();  // localtime_r does not re-read TZ by itself
}

TimeZone::Session::~Session() {
  if (!named_) return;
  if (saved_tz_) {
    setenv("TZ", saved_tz_->c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

int64_t TimeZone::Session::OffsetAt(int64_t epoch_s) const {
  time_t t = static_cast<time_t>(epoch_s);
  struct tm tm {};
  if (!localtime_r(&t, &tm)) return 0;
  return tm.tm_gmtoff;
}

CivilTime TimeZone::Session::ToCivil(int64_t epoch_s) const {
  return SecondsToCivil(epoch_s + OffsetAt(epoch_s));
}

LocalInstants TimeZone::Session::Resolve(const CivilTime& civil) const {
  // Every instant showing `civil` is local - offset for an offset the zone
  // uses within a day of it; the offsets a day either side are the candidates.
  const int64_t local = CivilToSeconds(civil);
  const int64_t before = OffsetAt(local - kSecondsPerDay);
  const int64_t after = OffsetAt(local + kSecondsPerDay);
  const bool before_fits = OffsetAt(local - before) == before;
  const bool after_fits = after != before && OffsetAt(local - after) == after;

  LocalInstants out;
  if (before_fits && after_fits) {
    out.kind = LocalInstants::Kind::kRepeated;
    out.first = std::min(local - before, local - after);
    out.second = std::max(local - before, local - after);
  } else if (before_fits || after == before) {
    out.first = local - before;
  } else if (after_fits) {
    out.first = local - after;
  } else {
    // The clocks jumped over `civil`: the change happened between the two
    // readings of it, and the first instant of the new offset ends the gap.
    out.kind = LocalInstants::Kind::kSkipped;
    out.first = NextOffsetChange(local - after, local - before).value_or(local - before);
  }
  return out;
}

std::optional<int64_t> TimeZone::Session::NextOffsetChange(int64_t after_s, int64_t limit_s) const {
  const int64_t offset = OffsetAt(after_s);
  if (limit_s <= after_s || OffsetAt(limit_s) == offset) return std::nullopt;
  // Invariant: the offset at lo is `offset`, at hi it is not.
  int64_t lo = after_s;
  int64_t hi = limit_s;
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2;
    if (OffsetAt(mid) == offset) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return hi;
}

}  // namespace vigy::core
