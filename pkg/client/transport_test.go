package client

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// TestDefaultTransportKeepsConnections: rounds of 10 requests in parallel
// reuse the connections of the first round. With http.DefaultTransport,
// which keeps 2 idle connections per host, each round dialed again for
// most of its requests.
func TestDefaultTransportKeepsConnections(t *testing.T) {
	var dials atomic.Int64
	release := make(chan struct{})
	var arrived sync.WaitGroup
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Done()
		<-release // hold every request of a round until all are in
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"users":[]}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := New(WithCredentials(testAccount, testKey, testSecret), WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	const parallel, rounds = 10, 5
	for range rounds {
		arrived.Add(parallel)
		var done sync.WaitGroup
		errs := make(chan error, parallel)
		for range parallel {
			done.Go(func() {
				if _, err := c.Users.List(t.Context(), nil); err != nil {
					errs <- err
				}
			})
		}
		arrived.Wait()
		for range parallel {
			release <- struct{}{}
		}
		done.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	if n := dials.Load(); n != parallel {
		t.Errorf("%d connections for %d rounds of %d parallel requests, want %d", n, rounds, parallel, parallel)
	}
}
