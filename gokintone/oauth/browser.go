package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/connstr"
	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// BrowserEnv names the environment variable that replaces the system's browser in the desktop
// flow: a command line (words separated by blanks, '…' or "…" quote a word) in which %s is
// replaced by the authorization URL (appended as the last argument when there is no %s), or
// "none" to only print the URL on stderr. Use it on machines without a desktop, to hand the URL
// to a script, or to open a particular browser.
const BrowserEnv = "CDATA_KINTONE_BROWSER"

// DefaultAuthTimeout bounds the wait for the browser's redirect in the desktop flow.
const DefaultAuthTimeout = 5 * time.Minute

// browserGrace is how long a browser command may take to fail before the flow assumes it
// opened the page.
const browserGrace = 3 * time.Second

func newState() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// callbackResult is what the loopback listener received.
type callbackResult struct {
	code string
	err  error
}

// interactive runs the desktop flow: listen on callback, open the browser on the authorization
// URL, wait for the redirect carrying the code (checking state), and return the code.
func (m *Manager) interactive(ctx context.Context, callback, scope, state string) (string, error) {
	u, err := connstr.LoopbackCallback(callback)
	if err != nil {
		return "", err
	}
	if state == "" {
		state = newState()
	}
	lns, err := listen(u)
	if err != nil {
		return "", err
	}
	path := u.Path
	if path == "" {
		path = "/"
	}
	results := make(chan callbackResult, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		if q.Get("state") != state {
			// Not the answer to our request (a stale tab, or a forged request): ignore it.
			page(w, http.StatusBadRequest, "This authorization answer does not belong to the request the application is waiting for (state mismatch). Start again from the application.")
			return
		}
		var res callbackResult
		if e := q.Get("error"); e != "" {
			desc := q.Get("error_description")
			res.err = oauthFailure(e, desc, "the authorization was not granted")
			page(w, http.StatusOK, "Authorization failed: "+e+" "+desc+". You can close this window.")
		} else if code := q.Get("code"); code != "" {
			res.code = code
			page(w, http.StatusOK, "Authorization complete. You can close this window and return to the application.")
		} else {
			page(w, http.StatusBadRequest, "The redirect carries neither a code nor an error.")
			return
		}
		select {
		case results <- res:
		default:
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	for _, ln := range lns {
		go srv.Serve(ln)
	}
	defer srv.Close()

	authURL := m.authCodeURL(callback, scope, state)
	timeout := m.cfg.AuthTimeout
	if timeout <= 0 {
		timeout = DefaultAuthTimeout
	}
	m.openBrowser(authURL, callback, timeout)

	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case res := <-results:
		return res.code, res.err
	case <-ctx.Done():
		return "", kerr.Wrap(ctx.Err(), kerr.KindInterrupted, "the OAuth authorization was interrupted: %v", ctx.Err())
	case <-t.C:
		return "", kerr.New(kerr.KindOAuthNotAuthorized,
			"no authorization arrived at %s within %s: open the URL printed on stderr in a browser and sign in, or set %s "+
				"to a command that opens URLs (see the README's OAuth section), or use InitiateOAuth=REFRESH with OAuthVerifier "+
				"on machines without a browser", callback, timeout, BrowserEnv)
	}
}

// listen opens the loopback listener(s) of the callback: both 127.0.0.1 and ::1 for localhost,
// since a browser may resolve localhost to either.
func listen(u *url.URL) ([]net.Listener, error) {
	host, port := u.Hostname(), u.Port()
	hosts := []string{host}
	if strings.EqualFold(host, "localhost") {
		hosts = []string{"127.0.0.1", "::1"}
	}
	var lns []net.Listener
	var firstErr error
	for _, h := range hosts {
		ln, err := net.Listen("tcp", net.JoinHostPort(h, port))
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		lns = append(lns, ln)
	}
	if len(lns) == 0 {
		return nil, kerr.Wrap(firstErr, kerr.KindIO,
			"cannot listen on CallbackURL %s to receive the authorization code: %v (is another program using port %s? "+
				"choose another CallbackURL, registered with the OAuth client)", u.String(), firstErr, port)
	}
	return lns, nil
}

func page(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>kintone authorization</title></head>"+
		"<body><p>%s</p></body></html>\n", html.EscapeString(text))
}

// openBrowser starts the browser on authURL (BrowserEnv, else the system's opener) and prints
// the URL on stderr when there is none or it fails. It never waits for the browser to close.
func (m *Manager) openBrowser(authURL, callback string, timeout time.Duration) {
	stderr := m.cfg.Stderr
	if stderr == nil {
		stderr = os.Stderr
	}
	tell := func(why string) {
		fmt.Fprintf(stderr, "cdata_kintone: %s. To authorize the kintone connection, open this URL in a browser "+
			"(waiting up to %s for the redirect to %s):\n%s\n", why, timeout, callback, authURL)
	}
	argv, err := browserCommand(authURL)
	if err != nil {
		tell(err.Error())
		return
	}
	if argv == nil {
		tell("no browser is used (" + BrowserEnv + "=none)")
		return
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Start(); err != nil {
		tell("cannot start the browser (" + argv[0] + ": " + err.Error() + ")")
		return
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }() // reaps the process whenever it ends
	select {
	case err := <-done:
		if err != nil {
			tell("the browser command " + argv[0] + " failed (" + err.Error() + ")")
		}
	case <-time.After(browserGrace):
	}
}

// browserCommand returns the command that opens authURL: from BrowserEnv, else the system's
// opener; nil for BrowserEnv=none.
func browserCommand(authURL string) ([]string, error) {
	if v := strings.TrimSpace(os.Getenv(BrowserEnv)); v != "" {
		if strings.EqualFold(v, "none") {
			return nil, nil
		}
		words, err := splitCommand(v)
		if err != nil || len(words) == 0 {
			return nil, fmt.Errorf("%s is not a usable command line (%v)", BrowserEnv, err)
		}
		substituted := false
		for i, w := range words {
			if strings.Contains(w, "%s") {
				words[i] = strings.ReplaceAll(w, "%s", authURL)
				substituted = true
			}
		}
		if !substituted {
			words = append(words, authURL)
		}
		return words, nil
	}
	var argv []string
	switch runtime.GOOS {
	case "windows":
		argv = []string{"rundll32", "url.dll,FileProtocolHandler", authURL}
	case "darwin":
		argv = []string{"open", authURL}
	default:
		argv = []string{"xdg-open", authURL}
	}
	if _, err := exec.LookPath(argv[0]); err != nil {
		return nil, fmt.Errorf("no browser opener (%s) was found", argv[0])
	}
	return argv, nil
}

// splitCommand splits a command line into words: blanks separate words, '…' and "…" quote
// (no escapes inside single quotes; \" and \\ inside double quotes).
func splitCommand(s string) ([]string, error) {
	var words []string
	var b strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, b.String())
				b.Reset()
				inWord = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unclosed '")
			}
			b.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf(`unclosed "`)
			}
			inWord = true
		default:
			b.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, b.String())
	}
	return words, nil
}
