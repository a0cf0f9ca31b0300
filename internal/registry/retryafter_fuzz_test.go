package registry

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// FuzzParseRetryAfter: a Retry-After value, delay seconds (digits alone,
// RFC 9110's 1*DIGIT) or an HTTP date, with spaces or tabs around it, is
// read as a wait of 0 to a year, never negative: delay seconds as that
// many seconds (a year for more), a date as the time until it (0 for one
// past); anything else ("+5", "-5", "5.0") is no Retry-After, so the
// backoff alone is waited. The wait retryOnce takes is never shorter than
// the backoff.
func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	for _, s := range []string{
		"0", "7", " 120 ", "-5", "+5", "99999999999999999999", "-99999999999999999999", "31536001",
		"Fri, 31 Dec 9999 23:59:59 GMT", "Thursday, 03-Dec-26 18:00:30 GMT", "Thu Dec  3 18:00:30 2026",
		"Thu, 03 Dec 2026 17:00:00 GMT", "soon", "", "1.5", "0x10", "+3600", "5.0", "\t5 ", "\v5", "\u00a05",
	} {
		f.Add(s)
	}
	const year = 365 * 24 * time.Hour
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if d < 0 || d > year {
			t.Fatalf("parseRetryAfter(%q) = %s; want a wait of 0 to a year", v, d)
		}
		if !ok && d != 0 {
			t.Fatalf("parseRetryAfter(%q) = %s but not read", v, d)
		}
		trimmed := strings.Trim(v, " \t")
		if _, err := http.ParseTime(trimmed); err != nil && strings.Trim(trimmed, "0123456789") != "" && (ok || d != 0) {
			t.Fatalf("parseRetryAfter(%q) = %s, %v; neither delay seconds nor an HTTP date, want no Retry-After", v, d, ok)
		}
		if trimmed != "" && strings.Trim(trimmed, "0123456789") == "" {
			want := year
			if n, err := strconv.ParseInt(trimmed, 10, 64); err == nil && n < int64(year/time.Second) {
				want = time.Duration(n) * time.Second
			}
			if !ok || d != want {
				t.Fatalf("parseRetryAfter(%q) = %s, %v; delay seconds, want %s", v, d, ok, want)
			}
		}
		if at, err := http.ParseTime(trimmed); err == nil {
			want := min(max(at.Sub(now), 0), year)
			if !ok || d != want {
				t.Fatalf("parseRetryAfter(%q) = %s, %v; an HTTP date %s, want %s", v, d, ok, at, want)
			}
		}
		// As retryOnce takes it: a 503 asking for d, then success.
		c, err := New(Config{RequestTimeout: time.Hour, MaxRetries: 1})
		if err != nil {
			t.Fatal(err)
		}
		var waits []time.Duration
		c.sleep = func(_ context.Context, w time.Duration) error {
			waits = append(waits, w)
			return nil
		}
		attempts := 0
		err = c.retryOnce(context.Background(), "", "GET x", "registry.example", nil, func(context.Context) error {
			if attempts++; attempts == 1 {
				return &answerError{cause: &transport.Error{StatusCode: http.StatusServiceUnavailable}, retryAfter: d}
			}
			return nil
		})
		lowest, highest := retryBase-retryBase/4, retryBase+retryBase/4 // backoff(1)
		var re *retryError
		switch {
		case err == nil && len(waits) == 1:
			if w := waits[0]; w < lowest || w < d || (d > highest && w != d) {
				t.Fatalf("Retry-After %q (%s): waited %s; want the backoff (%s to %s) or the Retry-After, the longer", v, d, w, lowest, highest)
			}
		case errors.As(err, &re) && len(waits) == 0:
			if d < time.Hour || re.waitAsked != d {
				t.Fatalf("Retry-After %q (%s): gave up (%v, asked %s) with two hours left", v, d, err, re.waitAsked)
			}
		default:
			t.Fatalf("Retry-After %q (%s): %v after waits %v", v, d, err, waits)
		}
	})
}
