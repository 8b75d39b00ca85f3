package kclient

import (
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/kintone-oss/cdata-kintone/gokintone/kerr"
)

// ProxyOptions configures an HTTP proxy. The zero value means no proxy at all (the
// environment's HTTPS_PROXY and HTTP_PROXY are used only with AutoDetect).
type ProxyOptions struct {
	// AutoDetect takes the proxy from the environment as curl and Go do: HTTPS_PROXY for https
	// URLs, HTTP_PROXY for http URLs (upper or lower case), NO_PROXY for exceptions; loopback
	// hosts are never proxied. It cannot be combined with Server.
	AutoDetect bool
	// Server and Port name the proxy (ProxyServer, ProxyPort); Port 0 = 80.
	Server string
	Port   int
	// AuthScheme is BASIC (default: Basic credentials when User is given) or NONE.
	AuthScheme     string
	User, Password string
	// SSLType is AUTO (default: CONNECT tunnel for https, forwarding for http) or TUNNEL (CONNECT
	// tunnel only; plain http URLs are refused).
	SSLType string
	// Exceptions are hosts reached directly (ProxyExceptions): a host name, *.domain or .domain
	// (any subdomain), * (every host), an IP address or a CIDR range, optionally with :port.
	Exceptions []string
	// Getenv reads the environment for AutoDetect; nil = os.Getenv.
	Getenv func(string) string
}

func (o ProxyOptions) isZero() bool {
	return !o.AutoDetect && o.Server == "" && o.Port == 0 && o.AuthScheme == "" && o.User == "" &&
		o.Password == "" && o.SSLType == "" && len(o.Exceptions) == 0
}

// proxySetup is the resolved proxy configuration of a client.
type proxySetup struct {
	fixed      *url.URL            // ProxyServer, credentials included; nil with AutoDetect
	env        map[string]*url.URL // AutoDetect: "https", "http" → proxy
	noProxy    []hostPattern       // NO_PROXY (AutoDetect)
	exceptions []hostPattern       // ProxyExceptions
	secrets    []string            // credentials found in the environment
}

// newProxySetup checks o and returns nil when no proxy is configured.
func newProxySetup(o ProxyOptions, base *url.URL) (*proxySetup, []string, error) {
	if o.isZero() {
		return nil, nil, nil
	}
	cerr := func(format string, args ...any) error { return kerr.New(kerr.KindInvalidConfig, format, args...) }
	switch strings.ToUpper(o.AuthScheme) {
	case "", "BASIC":
	case "NONE":
		if o.User != "" || o.Password != "" {
			return nil, nil, cerr("ProxyAuthScheme=NONE sends no proxy credentials: remove ProxyUser and ProxyPassword, or use ProxyAuthScheme=BASIC")
		}
	default:
		return nil, nil, kerr.New(kerr.KindNotSupported, "ProxyAuthScheme=%s is not supported by this driver; use BASIC or NONE", o.AuthScheme)
	}
	switch strings.ToUpper(o.SSLType) {
	case "", "AUTO":
	case "TUNNEL":
		if base != nil && base.Scheme == "http" {
			return nil, nil, cerr("ProxySSLType=TUNNEL tunnels https only, but the Url is plain http; use ProxySSLType=AUTO")
		}
	default:
		return nil, nil, kerr.New(kerr.KindNotSupported, "ProxySSLType=%s is not supported by this driver; use AUTO or TUNNEL", o.SSLType)
	}
	if o.Password != "" && o.User == "" {
		return nil, nil, cerr("ProxyPassword is given without ProxyUser")
	}
	ps := &proxySetup{}
	for _, e := range o.Exceptions {
		p, err := parseHostPattern(e)
		if err != nil {
			return nil, nil, cerr("ProxyExceptions: %v", err)
		}
		ps.exceptions = append(ps.exceptions, p)
	}
	var user *url.Userinfo
	if o.User != "" {
		user = url.UserPassword(o.User, o.Password)
	}
	switch {
	case o.AutoDetect && o.Server != "":
		return nil, nil, cerr("ProxyAutoDetect=true takes the proxy from the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY); " +
			"remove ProxyServer, or set ProxyAutoDetect=false to use ProxyServer")
	case o.AutoDetect:
		getenv := o.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		env := func(name string) string {
			if v := getenv(name); v != "" {
				return v
			}
			return getenv(strings.ToLower(name))
		}
		ps.env = map[string]*url.URL{}
		for scheme, name := range map[string]string{"https": "HTTPS_PROXY", "http": "HTTP_PROXY"} {
			v := strings.TrimSpace(env(name))
			if v == "" {
				continue
			}
			u, err := parseEnvProxy(v)
			if err != nil {
				return nil, nil, cerr("ProxyAutoDetect: the environment variable %s is not a proxy URL such as http://proxy.example.com:3128", name)
			}
			if u.User != nil {
				if p, ok := u.User.Password(); ok {
					ps.secrets = append(ps.secrets, p, u.User.String())
				}
			}
			if user != nil {
				u.User = user
			}
			ps.env[scheme] = u
		}
		for _, e := range strings.Split(env("NO_PROXY"), ",") {
			if e = strings.TrimSpace(e); e == "" {
				continue
			}
			if p, err := parseHostPattern(e); err == nil {
				if p.name != "" { // NO_PROXY: a domain name matches its subdomains too
					p.suffix = "." + strings.TrimPrefix(p.name, ".")
				}
				ps.noProxy = append(ps.noProxy, p)
			}
		}
	case o.Server != "":
		port := o.Port
		if port == 0 {
			port = 80
		}
		if port < 1 || port > 65535 {
			return nil, nil, cerr("ProxyPort must be from 1 to 65535, not %d", o.Port)
		}
		host := strings.Trim(strings.TrimSpace(o.Server), "[]")
		if host == "" || strings.ContainsAny(host, "/@ ") {
			return nil, nil, cerr("ProxyServer must be a host name or IP address, such as proxy.example.com")
		}
		ps.fixed = &url.URL{Scheme: "http", Host: net.JoinHostPort(host, strconv.Itoa(port)), User: user}
	default:
		return nil, nil, cerr("proxy settings are given but no proxy: set ProxyServer (and ProxyPort), or ProxyAutoDetect=true")
	}
	var secrets []string
	if o.Password != "" {
		secrets = append(secrets, o.Password, url.UserPassword(o.User, o.Password).String())
	}
	return ps, append(secrets, ps.secrets...), nil
}

// parseEnvProxy reads HTTPS_PROXY-style values: a URL, or host:port taken as http://host:port.
func parseEnvProxy(v string) (*url.URL, error) {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
		u, err = url.Parse("http://" + v)
		if err != nil || u.Host == "" {
			return nil, errBadProxy
		}
	}
	return u, nil
}

var errBadProxy = kerr.New(kerr.KindInvalidConfig, "bad proxy URL")

// proxyFor is the transport's Proxy function.
func (ps *proxySetup) proxyFor(req *http.Request) (*url.URL, error) {
	host, port := req.URL.Hostname(), req.URL.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[req.URL.Scheme]
	}
	for _, p := range ps.exceptions {
		if p.match(host, port) {
			return nil, nil
		}
	}
	if ps.fixed != nil {
		return ps.fixed, nil
	}
	if isLoopback(host) {
		return nil, nil // as Go's ProxyFromEnvironment: loopback is never proxied
	}
	for _, p := range ps.noProxy {
		if p.match(host, port) {
			return nil, nil
		}
	}
	return ps.env[req.URL.Scheme], nil
}

// address names the proxy a request goes through, for messages ("" when none).
func (ps *proxySetup) address(u *url.URL) string {
	if ps == nil || u == nil {
		return ""
	}
	p, _ := ps.proxyFor(&http.Request{URL: u})
	if p == nil {
		return ""
	}
	return p.Host
}

// hostPattern is one ProxyExceptions or NO_PROXY entry.
type hostPattern struct {
	all    bool       // *
	ipnet  *net.IPNet // an IP address or CIDR range
	name   string     // exact host name, lower case
	suffix string     // ".example.com": any subdomain
	port   string     // "" = any port
}

func parseHostPattern(s string) (hostPattern, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "*" {
		return hostPattern{all: true}, nil
	}
	var p hostPattern
	if _, n, err := net.ParseCIDR(s); err == nil {
		p.ipnet = n
		return p, nil
	}
	if h, port, err := net.SplitHostPort(s); err == nil {
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return p, kerr.New(kerr.KindInvalidConfig, "%q has a bad port", s)
		}
		s, p.port = h, port
	}
	s = strings.Trim(s, "[]")
	if ip := net.ParseIP(s); ip != nil {
		bits := 8 * len(ip.To16())
		if ip.To4() != nil {
			ip, bits = ip.To4(), 32
		}
		p.ipnet = &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}
		return p, nil
	}
	switch {
	case strings.HasPrefix(s, "*."):
		p.suffix = s[1:]
	case strings.HasPrefix(s, "."):
		p.suffix = s
	default:
		p.name = s
	}
	if strings.ContainsAny(s[strings.LastIndex(s, "*")+1:], "*/@ ") || strings.Count(s, "*") > 1 ||
		(strings.Contains(s, "*") && !strings.HasPrefix(s, "*.")) || strings.Trim(s, ".*") == "" {
		return p, kerr.New(kerr.KindInvalidConfig, "%q is not a host pattern (a host name, *.domain, .domain, *, an IP address or a CIDR range)", s)
	}
	return p, nil
}

func (p hostPattern) match(host, port string) bool {
	if p.all {
		return true
	}
	if p.port != "" && p.port != port {
		return false
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if p.ipnet != nil {
		ip := net.ParseIP(host)
		return ip != nil && p.ipnet.Contains(ip)
	}
	return host == p.name || (p.suffix != "" && strings.HasSuffix(host, p.suffix))
}
