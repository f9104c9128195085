package store

import (
	"fmt"
	"strings"
	"time"
)

// Reading timestamps on hot paths.
//
// modernc's SQLite driver turns the text of a column declared TIMESTAMP into
// a time.Time itself, and does it slowly: for every such column of every
// row it first tries time.Time.String's layout (which Salve never writes),
// then a layout it remembers per result set, each through time.Parse. On a
// dashboard view (a dozen rows of five timestamps each) that was about 4 %
// of the view's CPU. So the hot reads (the dashboard widgets' rows) select
// such a column as COALESCE(col, NULL): an expression, which SQLite gives no
// declared type, so the driver hands over its text as it is; timeScan then
// parses the one layout Salve writes (_time_format=sqlite, sqlite.go) by
// hand, and anything else as the driver would have. PostgreSQL returns a
// time.Time for the expression as for the column.
//
// Why COALESCE(col, NULL): it is the identity on both engines and has no
// declared type on SQLite, where the unary + that would do the same is no
// operator of timestamptz. It is never given its column's name as an
// alias: an ORDER BY of the column would then sort by the expression, and no
// longer walk the index in order. The SELECT lists are constants, written
// out, so that only constant text is ever joined into a statement.

// timeScan is a Scan target for a column read as COALESCE(col, NULL): it stores the
// time in UTC, or the zero time for NULL. Why not *time.Time: SQLite's
// driver returns the expression's text, which database/sql does not convert.
type timeScan struct{ t *time.Time }

// Scan implements sql.Scanner.
func (s timeScan) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*s.t = time.Time{}
	case time.Time:
		*s.t = x.UTC()
	case string:
		t, err := parseDBTime(x)
		if err != nil {
			return err
		}
		*s.t = t
	case []byte:
		t, err := parseDBTime(string(x))
		if err != nil {
			return err
		}
		*s.t = t
	default:
		return fmt.Errorf("store: a timestamp of type %T", v)
	}
	return nil
}

// dbTimeLayouts are the layouts modernc's driver tries for a TIMESTAMP
// column's text (its parseTimeFormats, after a "Z" suffix is cut), in its
// order; parseDBTime falls back to them.
var dbTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseDBTime parses the text of a SQLite timestamp as the driver would
// (the same instant), in UTC. The layout Salve writes,
// "2006-01-02 15:04:05.999999999-07:00", is parsed by hand; any other text
// goes through the driver's layouts with time.Parse.
func parseDBTime(s string) (time.Time, error) {
	if t, ok := parseSQLiteLayout(s); ok {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", strings.TrimSpace(trimMonotonic(s))); err == nil {
		return t.UTC(), nil
	}
	ts, _ := strings.CutSuffix(s, "Z")
	for _, l := range dbTimeLayouts {
		if t, err := time.Parse(l, ts); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("store: %q is not a timestamp", s)
}

// trimMonotonic cuts time.Time.String's monotonic clock reading ("m=+1.5").
func trimMonotonic(s string) string {
	if i := strings.Index(s, "m="); i > 0 {
		return s[:i]
	}
	return s
}

// parseSQLiteLayout parses "YYYY-MM-DD HH:MM:SS[.f…](Z|±HH:MM)", with a space
// or a T between date and time, and up to nine fraction digits; ok is false
// for any other text (the caller then tries time.Parse). The fields are
// range-checked as time.Parse checks them, so text it would refuse is never
// taken here.
func parseSQLiteLayout(s string) (time.Time, bool) {
	if len(s) < len("2006-01-02 15:04:05Z") || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || month < 1 || month > 12 || day < 1 ||
		day > daysIn(time.Month(month), year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	rest := s[19:]
	nsec := 0
	if rest != "" && rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 || n > 10 {
			return time.Time{}, false
		}
		frac, _ := digits(rest[1:n])
		for i := n; i < 10; i++ {
			frac *= 10
		}
		nsec, rest = frac, rest[n:]
	}
	offset := 0
	switch {
	case rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, okh := digits(rest[1:3])
		om, okm := digits(rest[4:6])
		if !okh || !okm || oh > 24 || om > 59 {
			return time.Time{}, false
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if offset != 0 {
		t = t.Add(-time.Duration(offset) * time.Second)
	}
	return t, true
}

// digits is the decimal value of s, which must be ASCII digits only.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn is the number of days of month in year (Gregorian, as time.Parse
// checks them).
func daysIn(m time.Month, year int) int {
	if m == time.February {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return monthDays[m-1]
}

// monthDays are the days of each month of a common year.
var monthDays = [12]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
