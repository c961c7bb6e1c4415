package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// RenderJSON writes the report as indented JSON.
func RenderJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// RenderText writes the report as short text for a bug report.
func RenderText(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "cldsync doctor %s: a read-only probe of account %s\n", r.Version, r.AccountID)
	fmt.Fprintf(&b, "credentials: %s (API key %s, secret not shown)\n", r.Credentials, r.APIKey)
	fmt.Fprintf(&b, "host:        %s, region %s\n", r.Host, r.Region)
	b.WriteString("API halves:\n")
	for _, h := range r.Halves {
		fmt.Fprintf(&b, "  %-13s %s\n", h.Name, h.Status)
	}
	b.WriteString("rate limit:  ")
	if len(r.RateLimit.Headers) == 0 {
		b.WriteString("no rate-limit headers seen\n")
	} else {
		fmt.Fprintf(&b, "headers %s", strings.Join(r.RateLimit.Headers, ", "))
		for _, kv := range [][2]string{{"limit", r.RateLimit.Limit}, {"lowest remaining", r.RateLimit.Remaining}, {"reset", r.RateLimit.Reset}, {"Retry-After", r.RateLimit.RetryAfter}} {
			if kv[1] != "" {
				fmt.Fprintf(&b, "; %s %s", kv[0], kv[1])
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("pages:\n")
	for _, p := range r.Pages {
		fmt.Fprintf(&b, "  %s\n", p)
	}
	b.WriteString("response shapes (spec, live, neither):\n")
	for _, s := range r.Shapes {
		fmt.Fprintf(&b, "  %-23s %s", s.Operation, s.Matches)
		if s.Matches != "not read" {
			fmt.Fprintf(&b, ", %d %s", s.Items, map[bool]string{true: "item", false: "items"}[s.Items == 1])
			if s.Items == 0 {
				b.WriteString(" (no item fields to compare)")
			}
		}
		for _, kv := range []struct {
			what   string
			fields []string
		}{{"live fields", s.LiveFields}, {"unexpected fields", s.Unexpected}, {"missing fields", s.Missing}} {
			if len(kv.fields) > 0 {
				fmt.Fprintf(&b, "; %s: %s", kv.what, strings.Join(kv.fields, ", "))
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("live table (docs/live-api.md):\n")
	for _, l := range r.Live {
		fmt.Fprintf(&b, "  %-25s %-12s %s\n", l.Row, l.Result, l.Why)
	}
	b.WriteString("assumptions (docs/live-api.md):\n")
	for _, l := range r.Assumptions {
		fmt.Fprintf(&b, "  %-27s %-13s %s\n", l.Row, l.Result, l.Why)
	}
	fmt.Fprintf(&b, "requests: %d, writes: %d\n", r.Requests, r.Writes)
	_, err := io.WriteString(w, b.String())
	return err
}
