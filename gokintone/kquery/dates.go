package kquery

import (
	"strconv"
	"strings"
	"time"
)

// span is an inclusive range on a field's time axis: days since 1970-01-01 for DATE, minutes
// since the Unix epoch for DATETIME, minutes since midnight for TIME. A plain literal is a
// span with lo == hi; TODAY() and friends are wider.
type span struct{ lo, hi int64 }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// dayNumber is the civil day number of a calendar date, independent of any time zone.
func dayNumber(y int, m time.Month, d int) int64 {
	return floorDiv(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix(), 86400)
}

func dayOf(t time.Time) int64 {
	y, m, d := t.Date()
	return dayNumber(y, m, d)
}

// minuteOf truncates to the minute, since kintone ignores seconds of DATETIME values.
func minuteOf(t time.Time) int64 { return floorDiv(t.Unix(), 60) }

// parseDate reads YYYY-MM-DD, also with unpadded month and day (kintone accepts 2015-7-5).
func parseDate(s string) (int64, bool) {
	parts := strings.Split(strings.TrimSpace(s), "-")
	if len(parts) != 3 || len(parts[0]) != 4 {
		return 0, false
	}
	y, e1 := strconv.Atoi(parts[0])
	m, e2 := strconv.Atoi(parts[1])
	d, e3 := strconv.Atoi(parts[2])
	if e1 != nil || e2 != nil || e3 != nil || len(parts[1]) > 2 || len(parts[2]) > 2 ||
		m < 1 || m > 12 || d < 1 || d > 31 || parts[1][0] == '+' || parts[2][0] == '+' {
		return 0, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 2023-02-30 does not exist
		return 0, false
	}
	return dayNumber(y, time.Month(m), d), true
}

var datetimeLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
}

// parseDateTime reads a DATETIME value; text without an offset is UTC, as kintone reads it.
func parseDateTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range datetimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseTime reads HH:MM or HH:MM:SS as minutes since midnight.
func parseTime(s string) (int64, bool) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var n [3]int
	for i, p := range parts {
		if p == "" || len(p) > 2 || !isInteger(p) || p[0] == '-' {
			return 0, false
		}
		n[i], _ = strconv.Atoi(p)
	}
	if n[0] > 23 || n[1] > 59 || n[2] > 59 {
		return 0, false
	}
	return int64(n[0]*60 + n[1]), true
}

// dateFuncs lists kintone's date functions with their allowed argument counts.
var dateFuncs = map[string][2]int{
	"NOW": {0, 0}, "TODAY": {0, 0}, "YESTERDAY": {0, 0}, "TOMORROW": {0, 0},
	"FROM_TODAY": {2, 2},
	"THIS_WEEK":  {0, 1}, "LAST_WEEK": {0, 1}, "NEXT_WEEK": {0, 1},
	"THIS_MONTH": {0, 1}, "LAST_MONTH": {0, 1}, "NEXT_MONTH": {0, 1},
	"THIS_YEAR": {0, 0}, "LAST_YEAR": {0, 0}, "NEXT_YEAR": {0, 0},
}

var weekdays = map[string]time.Weekday{
	"SUNDAY": time.Sunday, "MONDAY": time.Monday, "TUESDAY": time.Tuesday,
	"WEDNESDAY": time.Wednesday, "THURSDAY": time.Thursday, "FRIDAY": time.Friday,
	"SATURDAY": time.Saturday,
}

// dateFuncDays evaluates a date function other than NOW as an inclusive range of civil days,
// seen from today in the user's time zone (kintone evaluates them in the user's setting).
func dateFuncDays(f *Func, now time.Time) (lo, hi int64, err *Error) {
	today := now
	y, m, d := today.Date()
	name := strings.ToUpper(f.Name)
	day := func(t time.Time) int64 { return dayOf(t) }
	base := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch name {
	case "TODAY":
		return day(base), day(base), nil
	case "YESTERDAY":
		return day(base) - 1, day(base) - 1, nil
	case "TOMORROW":
		return day(base) + 1, day(base) + 1, nil
	case "FROM_TODAY":
		n, convErr := strconv.Atoi(f.Args[0])
		if convErr != nil || !isInteger(f.Args[0]) {
			return 0, 0, gaiaError("GAIA_IQ25", MsgFromTodayNumber, f.Args[0])
		}
		var t time.Time
		switch strings.ToUpper(f.Args[1]) {
		case "DAYS":
			t = base.AddDate(0, 0, n)
		case "WEEKS":
			t = base.AddDate(0, 0, 7*n)
		case "MONTHS":
			t = base.AddDate(0, n, 0)
		case "YEARS":
			t = base.AddDate(n, 0, 0)
		default:
			return 0, 0, gaiaError("GAIA_IQ25", MsgFromTodayUnit, f.Args[1])
		}
		return day(t), day(t), nil
	case "THIS_WEEK", "LAST_WEEK", "NEXT_WEEK":
		// Weeks run Sunday to Saturday, as in kintone's calendar.
		start := day(base) - int64(base.Weekday())
		switch name {
		case "LAST_WEEK":
			start -= 7
		case "NEXT_WEEK":
			start += 7
		}
		if len(f.Args) == 0 {
			return start, start + 6, nil
		}
		wd, ok := weekdays[strings.ToUpper(f.Args[0])]
		if !ok {
			return 0, 0, gaiaError("GAIA_IQ25", MsgWeekday, f.Args[0], name)
		}
		return start + int64(wd), start + int64(wd), nil
	case "THIS_MONTH", "LAST_MONTH", "NEXT_MONTH":
		first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		switch name {
		case "LAST_MONTH":
			first = first.AddDate(0, -1, 0)
		case "NEXT_MONTH":
			first = first.AddDate(0, 1, 0)
		}
		last := first.AddDate(0, 1, -1)
		if len(f.Args) == 0 {
			return day(first), day(last), nil
		}
		a := strings.ToUpper(f.Args[0])
		if a == "LAST" {
			return day(last), day(last), nil
		}
		n, convErr := strconv.Atoi(a)
		if convErr != nil || n < 1 || n > 31 {
			return 0, 0, gaiaError("GAIA_IQ23", MsgMonthDay, f.Args[0])
		}
		// A day past the month's end rolls into the next month (31 in April is May 1),
		// following time.Date; kintone's behaviour here is not documented.
		t := time.Date(first.Year(), first.Month(), n, 0, 0, 0, 0, time.UTC)
		return day(t), day(t), nil
	case "THIS_YEAR", "LAST_YEAR", "NEXT_YEAR":
		yy := y
		switch name {
		case "LAST_YEAR":
			yy--
		case "NEXT_YEAR":
			yy++
		}
		return dayNumber(yy, time.January, 1), dayNumber(yy, time.December, 31), nil
	}
	return 0, 0, invalidInput(MsgUnknownFunction, f.Name)
}
