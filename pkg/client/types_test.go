package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestSecretRedacts(t *testing.T) {
	t.Parallel()
	s := Secret("hunter2")
	k := AccessKey{APIKey: "k", APISecret: s}
	for _, out := range []string{
		fmt.Sprint(s), fmt.Sprintf("%s %v %q %#v %+v", s, s, s, s, k), fmt.Sprintf("%#v", k), s.String(),
	} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("formatted output %q shows the secret", out)
		}
	}
	var buf bytes.Buffer
	pe := ProductEnvironment{ID: "p", APIAccessKeys: []APIAccessKey{{Key: "k", Secret: s}}}
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "secret", s, "key", k, "pe", pe, "apikey", pe.APIAccessKeys[0])
	if strings.Contains(buf.String(), "hunter2") || !strings.Contains(buf.String(), "REDACTED") {
		t.Errorf("slog output %q", buf.String())
	}
	b, err := json.Marshal(k)
	if err != nil || !strings.Contains(string(b), `"api_secret":"hunter2"`) {
		t.Errorf("JSON %s, %v: the wire must keep the secret", b, err)
	}
	if s.Reveal() != "hunter2" {
		t.Errorf("Reveal() = %q", s.Reveal())
	}
}

func TestTimestamps(t *testing.T) {
	t.Parallel()
	var v struct {
		A, B, C Timestamp
		E, F    EpochTime
	}
	in := `{"A":"2016-09-27T08:00:16Z","B":"","C":null,"E":1719475216,"F":null}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if !v.A.Equal(Timestamp{time.Date(2016, 9, 27, 8, 0, 16, 0, time.UTC)}) || !v.B.IsZero() || !v.C.IsZero() {
		t.Errorf("ISO timestamps decoded as %v %v %v", v.A, v.B, v.C)
	}
	if v.E.Unix() != 1719475216 || !v.F.IsZero() {
		t.Errorf("epoch decoded as %v %v", v.E, v.F)
	}
	out, _ := json.Marshal(struct {
		A Timestamp
		E EpochTime
	}{v.A, v.E})
	if string(out) != `{"A":"2016-09-27T08:00:16Z","E":1719475216}` {
		t.Errorf("marshalled %s", out)
	}
	// The pitfall the types exist for: the wrong encoding is an error.
	if err := json.Unmarshal([]byte(`{"A":1719475216}`), &v); err == nil {
		t.Error("epoch int decoded as an ISO timestamp")
	}
	if err := json.Unmarshal([]byte(`{"E":"2016-09-27T08:00:16Z"}`), &v); err == nil {
		t.Error("ISO string decoded as epoch")
	}
}

// TestTimestampDecodesAsJSON: a timestamp decodes, or fails, as the JSON
// string it is, whether it takes the plain path or encoding/json's.
func TestTimestampDecodesAsJSON(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`"2016-09-27T08:00:16Z"`, `"2016-09-27T08:00:16.123+02:00"`, `""`, `null`,
		`"2016-09-27T08:00:16\u005a"`, `"2016\u002d09-27T08:00:16Z"`, `"\""`, `"2016-09-27T08:00:16Z\\"`,
		`"2016-09-27T08:00:16Z` + "\x01" + `"`, `"2016-09-27T08:00:16Zé"`, `"é"`, `"\u00e9"`,
		`"not a time"`, `"2016-13-27T08:00:16Z"`, `1719475216`, `"`, `"a"b"`, `"\"`, `true`,
	} {
		var got Timestamp
		gotErr := got.UnmarshalJSON([]byte(in))
		// The reference: the string as encoding/json decodes it.
		var want Timestamp
		var s string
		wantErr := json.Unmarshal([]byte(in), &s)
		switch {
		case in == "null":
			wantErr = nil
		case wantErr != nil:
			wantErr = fmt.Errorf("timestamp: want an ISO-8601 string, got %s", in)
		case s != "":
			var v time.Time
			if v, wantErr = time.Parse(time.RFC3339Nano, s); wantErr != nil {
				wantErr = fmt.Errorf("timestamp %q: %w", s, wantErr)
			}
			want = Timestamp{v}
		}
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !got.Time.Equal(want.Time) {
			t.Errorf("UnmarshalJSON(%s) = %v, %v; want %v, %v", in, got, gotErr, want, wantErr)
		}
	}
}

// TestEpochTimeDecodesAsJSON: an epoch time decodes, or fails, as the
// JSON number encoding/json reads, whether it takes the plain path or not.
func TestEpochTimeDecodesAsJSON(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`1719475216`, `0`, `-0`, `-1719475216`, `999999999999999999`, `9999999999999999999`, `-9223372036854775808`,
		`01`, `-01`, `-`, ``, `1.5`, `1e3`, `1719475216.25`, `"1719475216"`, `null`, `true`, `12a`, `1 `, ` 1`,
	} {
		var got EpochTime
		gotErr := got.UnmarshalJSON([]byte(in))
		// The reference: the number as encoding/json reads it.
		var want EpochTime
		var n json.Number
		wantErr := json.Unmarshal([]byte(in), &n)
		switch {
		case in == "null":
			wantErr = nil
		case wantErr != nil:
			wantErr = fmt.Errorf("epoch time: want seconds as a number, got %s", in)
		default:
			if i, err := n.Int64(); err == nil {
				want = EpochTime{time.Unix(i, 0).UTC()}
			} else if f, err := n.Float64(); err == nil {
				want = EpochTime{time.UnixMilli(int64(f * 1000)).UTC()}
			} else {
				wantErr = fmt.Errorf("epoch time %s: %w", n, err)
			}
		}
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !got.Time.Equal(want.Time) || got.Location() != want.Location() {
			t.Errorf("UnmarshalJSON(%s) = %v, %v; want %v, %v", in, got, gotErr, want, wantErr)
		}
	}
}

// BenchmarkRolePrincipalsDecode: a role's 500 principals as
// getRolePrincipals?verbose=true answers them, decoded by encoding/json.
func BenchmarkRolePrincipalsDecode(b *testing.B) {
	page := principalsPage(500)
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		var out struct {
			Data []RolePrincipal `json:"data"`
		}
		if err := json.Unmarshal(page, &out); err != nil {
			b.Fatal(err)
		}
	}
}
