package kclient

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// FirewallOptions configures a firewall proxy through which the client makes every TCP
// connection (FirewallType, FirewallServer, FirewallPort, FirewallUser, FirewallPassword). The
// zero value means none. With an HTTP proxy (ProxyOptions) too, the connection to that proxy
// goes through the firewall: the firewall is the way out of the network, the proxy then
// forwards or tunnels the requests. There are no firewall exceptions: ProxyExceptions only say
// which requests skip the HTTP proxy, and loopback hosts go through the firewall too.
type FirewallOptions struct {
	// Type is TUNNEL (an HTTP proxy's CONNECT method), SOCKS4 (SOCKS4a when the destination
	// is a host name, which the firewall then resolves) or SOCKS5 (host names resolved by the
	// firewall); "" or NONE means no firewall.
	Type string
	// Server and Port name the firewall; both are required.
	Server string
	Port   int
	// User and Password authenticate: TUNNEL sends them as Basic Proxy-Authorization, SOCKS5
	// as username/password authentication (RFC 1929); SOCKS4 sends User as its user id and has
	// no password.
	User, Password string
}

// The firewall types.
const (
	firewallTunnel = "TUNNEL"
	firewallSOCKS4 = "SOCKS4"
	firewallSOCKS5 = "SOCKS5"
)

// firewallHandshakeTimeout bounds the connection to the firewall and its handshake when the
// request has no deadline of its own (Timeout=0).
const firewallHandshakeTimeout = 30 * time.Second

// firewall dials through a firewall proxy; its DialContext is the transport's.
type firewall struct {
	typ            string // firewallTunnel, firewallSOCKS4 or firewallSOCKS5
	addr           string // host:port of the firewall
	user, password string
	dialer         net.Dialer
}

// newFirewall checks o and returns nil when no firewall is configured.
func newFirewall(o FirewallOptions) (*firewall, error) {
	typ := strings.ToUpper(strings.TrimSpace(o.Type))
	if typ == "" || typ == "NONE" {
		if o.Server != "" || o.Port != 0 || o.User != "" || o.Password != "" {
			return nil, kerr.New(kerr.KindInvalidConfig, "firewall settings are given but FirewallType is NONE: "+
				"set FirewallType=TUNNEL, SOCKS4 or SOCKS5")
		}
		return nil, nil
	}
	cerr := func(format string, args ...any) error { return kerr.New(kerr.KindInvalidConfig, format, args...) }
	switch typ {
	case firewallTunnel, firewallSOCKS4, firewallSOCKS5:
	default:
		return nil, kerr.New(kerr.KindNotSupported, "FirewallType=%s is not supported; use NONE, TUNNEL, SOCKS4 or SOCKS5", o.Type)
	}
	host := strings.Trim(strings.TrimSpace(o.Server), "[]")
	if host == "" || o.Port == 0 {
		return nil, cerr("FirewallType=%s needs FirewallServer and FirewallPort: the firewall's host name or IP address, and its port", typ)
	}
	if strings.ContainsAny(host, "/@ ") {
		return nil, cerr("FirewallServer must be a host name or IP address, such as firewall.example.com")
	}
	if o.Port < 1 || o.Port > 65535 {
		return nil, cerr("FirewallPort must be from 1 to 65535, not %d", o.Port)
	}
	if o.Password != "" && o.User == "" {
		return nil, cerr("FirewallPassword is given without FirewallUser")
	}
	if typ == firewallSOCKS4 && o.Password != "" {
		return nil, cerr("SOCKS4 has no password (FirewallUser is sent as its user id): remove FirewallPassword, or use FirewallType=SOCKS5")
	}
	if typ == firewallSOCKS5 && (len(o.User) > 255 || len(o.Password) > 255) {
		return nil, cerr("SOCKS5 limits FirewallUser and FirewallPassword to 255 bytes each")
	}
	return &firewall{typ: typ, addr: net.JoinHostPort(host, strconv.Itoa(o.Port)), user: o.User, password: o.Password,
		dialer: net.Dialer{Timeout: firewallHandshakeTimeout, KeepAlive: 30 * time.Second}}, nil
}

// firewallError is a failure of the firewall: it could not be reached, refused the credentials,
// or refused or failed to make the connection to the destination. Its text never holds the
// password.
type firewallError struct {
	typ, addr string // the firewall's type and host:port
	reason    string // what the firewall said or what failed
	err       error  // the network error underneath, if any
}

func (e *firewallError) Error() string {
	return "the " + e.typ + " firewall " + e.addr + " " + e.reason
}

func (e *firewallError) Unwrap() error { return e.err }

// fail returns a firewallError.
func (f *firewall) fail(err error, format string, args ...any) *firewallError {
	return &firewallError{typ: f.typ, addr: f.addr, reason: fmt.Sprintf(format, args...), err: err}
}

// DialContext connects to addr (host:port) through the firewall.
func (f *firewall) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	raw, err := f.dialer.DialContext(ctx, "tcp", f.addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err // the caller's deadline or cancellation, reported as such
		}
		return nil, f.fail(err, "cannot be reached: %v (check FirewallServer and FirewallPort)", innermostNet(err))
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(firewallHandshakeTimeout)
	}
	_ = raw.SetDeadline(deadline)
	// A cancelled context interrupts the handshake by expiring the deadline.
	stop := context.AfterFunc(ctx, func() { _ = raw.SetDeadline(time.Unix(1, 0)) })
	conn := raw
	switch f.typ {
	case firewallTunnel:
		conn, err = f.tunnel(raw, addr)
	case firewallSOCKS4:
		err = f.socks4(raw, addr)
	default:
		err = f.socks5(raw, addr)
	}
	if !stop() && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		raw.Close()
		return nil, err
	}
	_ = raw.SetDeadline(time.Time{})
	return conn, nil
}

// ioFail describes a failed read or write of the handshake.
func (f *firewall) ioFail(err error) *firewallError {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return f.fail(err, "closed the connection during the %s handshake (check FirewallType and FirewallPort)", f.typ)
	}
	return f.fail(err, "failed during its handshake: %v", innermostNet(err))
}

// exchange sends req and reads the answer into reply, whose length it must have.
func (f *firewall) exchange(conn net.Conn, req, reply []byte) error {
	if _, err := conn.Write(req); err != nil {
		return f.ioFail(err)
	}
	if _, err := io.ReadFull(conn, reply); err != nil {
		return f.ioFail(err)
	}
	return nil
}

// wrongProtocol is the error for an answer that is not of the firewall type's protocol.
func (f *firewall) wrongProtocol() error {
	return f.fail(nil, "did not answer as a %s server (check FirewallType and FirewallPort)", f.typ)
}

// refusal is the error for a SOCKS reply code other than success; reasons names the codes.
func (f *firewall) refusal(target string, code byte, reasons map[byte]string) error {
	reason, ok := reasons[code]
	if !ok {
		reason = "request refused"
	}
	return f.fail(nil, "refused the connection to %s: %s (%s reply %d)", target, reason, f.typ, code)
}

// innermostNet strips the *net.OpError around err, whose text repeats the addresses.
func innermostNet(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}

// tunnel asks an HTTP proxy to CONNECT to target over conn. The connection it returns reads
// first whatever the proxy sent after its reply.
func (f *firewall) tunnel(conn net.Conn, target string) (net.Conn, error) {
	req := "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
	if f.user != "" {
		req += "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(f.user+":"+f.password)) + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		return nil, f.ioFail(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isTimeoutErr(err) {
			return nil, f.ioFail(err)
		}
		return nil, f.fail(err, "did not answer CONNECT with HTTP (check FirewallType and FirewallPort)")
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusProxyAuthRequired && f.user == "":
		return nil, f.fail(nil, "asks for credentials (HTTP %s to CONNECT %s): give FirewallUser and FirewallPassword", resp.Status, target)
	case resp.StatusCode == http.StatusProxyAuthRequired:
		return nil, f.fail(nil, "refused the credentials (HTTP %s to CONNECT %s): check FirewallUser and FirewallPassword", resp.Status, target)
	default:
		return nil, f.fail(nil, "refused the connection to %s (HTTP %s to CONNECT)", target, resp.Status)
	}
	if br.Buffered() > 0 {
		return &bufferedConn{Conn: conn, r: br}, nil
	}
	return conn, nil
}

// bufferedConn is a connection some of whose input was read ahead into r.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// socks4Replies are the SOCKS4 reply codes other than 90 (granted).
var socks4Replies = map[byte]string{
	91: "request rejected or failed",
	92: "request rejected: the firewall cannot reach the client's identd",
	93: "request rejected: the user id does not match identd's (check FirewallUser)",
}

// socks4 asks a SOCKS4 server to connect to target; a host name goes as SOCKS4a, for the
// firewall to resolve.
func (f *firewall) socks4(conn net.Conn, target string) error {
	host, port, err := splitTarget(target)
	if err != nil {
		return f.fail(err, "cannot be asked for %s: %v", target, err)
	}
	req := []byte{4, 1, 0, 0}
	binary.BigEndian.PutUint16(req[2:], port)
	ip := net.ParseIP(host)
	switch {
	case ip == nil:
		req = append(req, 0, 0, 0, 1) // SOCKS4a: the name follows the user id
	case ip.To4() != nil:
		req = append(req, ip.To4()...)
	default:
		return f.fail(nil, "cannot connect to the IPv6 address %s: SOCKS4 carries IPv4 only (use FirewallType=SOCKS5)", host)
	}
	req = append(append(req, f.user...), 0)
	if ip == nil {
		req = append(append(req, host...), 0)
	}
	var reply [8]byte // version 0, reply code, port, address
	if err := f.exchange(conn, req, reply[:]); err != nil {
		return err
	}
	if reply[0] != 0 {
		return f.wrongProtocol()
	}
	if reply[1] != 90 {
		return f.refusal(target, reply[1], socks4Replies)
	}
	return nil
}

// SOCKS5 authentication methods (RFC 1928) and their outcomes.
const (
	socks5NoAuth       = 0x00
	socks5UserPassword = 0x02
	socks5NoAcceptable = 0xff
)

// socks5Replies are the SOCKS5 reply codes other than 0 (succeeded), as RFC 1928 names them.
var socks5Replies = map[byte]string{
	1: "general SOCKS server failure",
	2: "connection not allowed by ruleset",
	3: "network unreachable",
	4: "host unreachable",
	5: "connection refused",
	6: "TTL expired",
	7: "command not supported",
	8: "address type not supported",
}

// socks5 asks a SOCKS5 server to connect to target, authenticating with user name and password
// when a user is given; a host name goes as is, for the firewall to resolve.
func (f *firewall) socks5(conn net.Conn, target string) error {
	host, port, err := splitTarget(target)
	if err != nil {
		return f.fail(err, "cannot be asked for %s: %v", target, err)
	}
	greeting := []byte{5, 1, socks5NoAuth}
	if f.user != "" {
		greeting = []byte{5, 2, socks5NoAuth, socks5UserPassword}
	}
	var choice [2]byte // version, method
	if err := f.exchange(conn, greeting, choice[:]); err != nil {
		return err
	}
	switch {
	case choice[0] != 5:
		return f.wrongProtocol()
	case choice[1] == socks5NoAuth:
	case choice[1] == socks5UserPassword && f.user != "":
		if err := f.socks5Login(conn); err != nil {
			return err
		}
	case choice[1] == socks5NoAcceptable && f.user == "":
		return f.fail(nil, "asks for credentials (SOCKS5 offered no acceptable authentication method): give FirewallUser and FirewallPassword")
	case choice[1] == socks5NoAcceptable:
		return f.fail(nil, "accepts neither user name and password nor no authentication (SOCKS5 offered no acceptable method)")
	default:
		return f.fail(nil, "chose SOCKS5 authentication method %d, which was not offered", choice[1])
	}

	req := []byte{5, 1, 0}
	switch ip := net.ParseIP(host); {
	case ip == nil:
		if len(host) > 255 {
			return f.fail(nil, "cannot be asked for a host name longer than 255 bytes")
		}
		req = append(append(req, 3, byte(len(host))), host...)
	case ip.To4() != nil:
		req = append(append(req, 1), ip.To4()...)
	default:
		req = append(append(req, 4), ip.To16()...)
	}
	var head [4]byte // version, reply code, reserved, address type
	if err := f.exchange(conn, binary.BigEndian.AppendUint16(req, port), head[:]); err != nil {
		return err
	}
	if head[0] != 5 {
		return f.wrongProtocol()
	}
	if head[1] != 0 {
		return f.refusal(target, head[1], socks5Replies)
	}
	// The bound address and port follow; they are not needed, but must be read.
	var skip int
	switch head[3] {
	case 1:
		skip = net.IPv4len + 2
	case 4:
		skip = net.IPv6len + 2
	case 3:
		var n [1]byte
		if _, err := io.ReadFull(conn, n[:]); err != nil {
			return f.ioFail(err)
		}
		skip = int(n[0]) + 2
	default:
		return f.fail(nil, "sent a SOCKS5 reply with an unknown address type %d", head[3])
	}
	if _, err := io.CopyN(io.Discard, conn, int64(skip)); err != nil {
		return f.ioFail(err)
	}
	return nil
}

// socks5Login is the username/password authentication of RFC 1929.
func (f *firewall) socks5Login(conn net.Conn) error {
	msg := append(append([]byte{1, byte(len(f.user))}, f.user...), byte(len(f.password)))
	var status [2]byte // version, status
	if err := f.exchange(conn, append(msg, f.password...), status[:]); err != nil {
		return err
	}
	if status[1] != 0 {
		return f.fail(nil, "refused the credentials (SOCKS5 authentication status %d): check FirewallUser and FirewallPassword", status[1])
	}
	return nil
}

// splitTarget splits host:port, the port as a number.
func splitTarget(target string) (string, uint16, error) {
	host, p, err := net.SplitHostPort(target)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.ParseUint(p, 10, 16)
	if err != nil {
		return "", 0, fmt.Errorf("bad port %q", p)
	}
	return host, uint16(port), nil
}
