package kintonesim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Running is a Server listening on loopback.
type Running struct {
	Server *Server
	srv    *http.Server
	ln     net.Listener
	done   chan struct{}
	scheme string // "https" when served by ServeTLS (tls.go); "" means http
}

// Start builds a Server and serves it on 127.0.0.1:port (0 picks a free port).
func Start(f *Fixture, opts Options, port int) (*Running, error) {
	s, err := New(f, opts)
	if err != nil {
		return nil, err
	}
	return Serve(s, port)
}

// Serve serves an existing Server on 127.0.0.1:port (0 picks a free port).
func Serve(s *Server, port int) (*Running, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("kintonesim: listen: %w", err)
	}
	rn := &Running{Server: s, ln: ln, done: make(chan struct{}),
		srv: &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}}
	go func() {
		defer close(rn.done)
		if err := rn.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener failed; Close still works
		}
	}()
	return rn, nil
}

// URL is the base URL to give kintone clients: http://localhost:PORT (the host name is
// localhost because kintone's JS client accepts plain http only there), or
// https://localhost:PORT for StartTLS.
func (rn *Running) URL() string {
	scheme := rn.scheme
	if scheme == "" {
		scheme = "http"
	}
	return scheme + "://localhost:" + strconv.Itoa(rn.Port())
}

// Port is the port the server listens on.
func (rn *Running) Port() int { return rn.ln.Addr().(*net.TCPAddr).Port }

// Close stops the server, ending requests in progress after a short grace period.
func (rn *Running) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := rn.srv.Shutdown(ctx)
	if err != nil {
		err = rn.srv.Close()
	}
	<-rn.done
	return err
}
