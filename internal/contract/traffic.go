package contract

// Validating live traffic: a client Transport and a server Middleware that
// check every exchange, count coverage and record findings.

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// observe validates one exchange, records its coverage and findings, and
// reports the findings.
func (v *Validator) observe(r *http.Request, reqBody []byte, status int, header http.Header, respBody []byte, exchangeErr error, report func(Finding)) {
	var found []Finding
	add := func(stage Stage, op string, status int, err error) {
		found = append(found, Finding{Op: op, Method: r.Method, Path: r.URL.Path, Status: status, Stage: stage, Err: err})
	}
	in, err := v.validateRequest(r, reqBody)
	op := ""
	if in != nil {
		op = in.Route.Operation.OperationID
	}
	switch {
	case in == nil:
		add(StageRoute, "", 0, err)
	case err != nil:
		add(StageRequest, op, 0, err)
	}
	if in != nil && exchangeErr == nil {
		if err := v.validateResponse(in, status, header, respBody); err != nil {
			add(StageResponse, op, status, err)
		}
	}
	v.mu.Lock()
	if op != "" && exchangeErr == nil {
		if v.coverage[op] == nil {
			v.coverage[op] = map[int]int{}
		}
		v.coverage[op][status]++
	}
	v.findings = append(v.findings, found...)
	v.mu.Unlock()
	if report != nil {
		for _, f := range found {
			report(f)
		}
	}
}

// Transport returns a RoundTripper that validates every request and answer
// passing through it, records coverage and findings on v, and hands each
// finding to report (which may be nil). Bodies are buffered and restored,
// so the caller sees exactly what the server sent. A transport error is
// passed through and counts as no answer.
func (v *Validator) Transport(next http.RoundTripper, report func(Finding)) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		var reqBody []byte
		if r.Body != nil && r.Body != http.NoBody {
			b, err := io.ReadAll(r.Body)
			_ = r.Body.Close()
			if err != nil {
				return nil, fmt.Errorf("contract: read request body: %w", err)
			}
			reqBody = b
			// A RoundTripper must not modify the caller's request.
			r = r.Clone(r.Context())
			r.Body = io.NopCloser(bytes.NewReader(b))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		}
		resp, err := next.RoundTrip(r)
		if err != nil {
			v.observe(r, reqBody, 0, nil, nil, err, report)
			return nil, err
		}
		respBody, rerr := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(respBody))
		if rerr != nil {
			v.observe(r, reqBody, 0, nil, nil, rerr, report)
			return nil, fmt.Errorf("contract: read response body: %w", rerr)
		}
		v.observe(r, reqBody, resp.StatusCode, resp.Header, respBody, nil, report)
		return resp, nil
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Middleware returns a handler that validates every request next receives
// and every answer it writes, recording and reporting findings like
// Transport. The answer is buffered and written out once next returns.
func (v *Validator) Middleware(next http.Handler, report func(Finding)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var reqBody []byte
		if r.Body != nil {
			b, err := io.ReadAll(r.Body)
			_ = r.Body.Close()
			if err != nil {
				http.Error(w, "contract: read request body", http.StatusBadRequest)
				return
			}
			reqBody = b
		}
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		rec := &recorder{header: http.Header{}}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		v.observe(r, reqBody, rec.status, rec.header, rec.body.Bytes(), nil, report)
		for k, vs := range rec.header {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	})
}

// recorder buffers an answer for Middleware.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
