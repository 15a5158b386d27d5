package chain

import (
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// rpcIdleConns is how many idle connections to the JSON-RPC endpoint a client
// keeps. go-ethereum's HTTP client keeps net/http's default of 2, so a node whose
// workers, HTTP handlers and publisher read the chain concurrently opened (and
// closed) a TCP connection for most reads under load.
const rpcIdleConns = 64

// DialClient connects to a JSON-RPC endpoint. Over HTTP(S) its client keeps up to
// rpcIdleConns idle connections, so concurrent reads reuse them.
//
// No error of the client's holds the URL's path, query or user info, where
// providers put API keys, so neither do the logs and API answers that quote one.
// net/http writes a request's URL into its errors (Post "https://host/v3/KEY":
// dial tcp ...) and go-ethereum returns them as they are: over HTTP(S) the client
// is therefore dialled at the URL's redacted form (RedactURL) and its transport
// sends each request to the real URL (endpointTransport), so an error reads
// Post "https://host/...": ...; the bodies of its answers, which go-ethereum
// quotes in its errors (a non-2xx body, a JSON-RPC error's message and data),
// have the URL's secrets cut out (endpointTransport), and redirects are not
// followed (net/http would quote the target URL, which may carry the key; the 3xx
// answer is the error). Over WebSocket the dial's errors name no URL. A dial error
// names the endpoint as RedactURL shows it.
func DialClient(ctx context.Context, rawURL string) (*ethclient.Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse's error quotes the whole URL.
		return nil, fmt.Errorf("RPC URL %s is not a URL", RedactURL(rawURL))
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = rpcIdleConns, rpcIdleConns
	dialURL, opts := rawURL, []rpc.ClientOption{rpc.WithHTTPClient(&http.Client{Transport: t})}
	if (u.Scheme == "http" || u.Scheme == "https") && RedactURL(rawURL) != u.Scheme+"://"+u.Host {
		dialURL = RedactURL(rawURL)
		opts[0] = rpc.WithHTTPClient(&http.Client{
			Transport:     newEndpointTransport(u, dialURL, t),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		})
	}
	c, err := rpc.DialOptions(ctx, dialURL, opts...)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", RedactURL(rawURL), ScrubURL(err, rawURL))
	}
	return ethclient.NewClient(c), nil
}

// errBodyLimit bounds how much of a non-2xx answer's body endpointTransport reads
// (go-ethereum quotes the body in its error).
const errBodyLimit = 16 << 10

// endpointTransport sends the requests its client addresses to the redacted URL
// (its client follows no redirect, so there are no others) to endpoint, with
// endpoint's user info as basic authentication as net/http's client would send
// it. It cuts the URL's secrets (urlSecrets) out of answers' bodies, replacing
// each with "...": go-ethereum quotes a non-2xx answer's body in its error, and a
// JSON-RPC error (answered with 200) is an error whose text is the answer's
// message. Out of 2xx bodies it cuts those of at least minSecretLen characters,
// streaming (newScrubReader), so results of any size pass unchanged unless they
// hold one. It adds the redacted URL to a non-2xx answer's status, which
// go-ethereum's error quotes with the body (500 Internal Server Error from
// https://host/...: body).
type endpointTransport struct {
	endpoint *url.URL
	redacted string
	secrets  []string // cut out of non-2xx bodies
	// streamed are the secrets of at least minSecretLen characters, cut out of 2xx
	// bodies: a shorter user name or password (a, rpc, root) occurs in results
	// (hex digits, member names), which cutting it would corrupt.
	streamed []string
	base     http.RoundTripper
}

// newEndpointTransport returns a transport sending to endpoint over base, with
// endpoint's secrets worked out once.
func newEndpointTransport(endpoint *url.URL, redacted string, base http.RoundTripper) *endpointTransport {
	secrets := urlSecrets(endpoint)
	var streamed []string
	for _, s := range secrets {
		if len(s) >= minSecretLen {
			streamed = append(streamed, s)
		}
	}
	return &endpointTransport{endpoint: endpoint, redacted: redacted, secrets: secrets, streamed: streamed, base: base}
}

func (t *endpointTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := new(http.Request)
	*r = *req // a RoundTripper must not change its request
	u := *t.endpoint
	u.User = nil
	r.URL, r.Host = &u, ""
	if user := t.endpoint.User; user != nil && req.Header.Get("Authorization") == "" {
		r.Header = req.Header.Clone()
		pw, _ := user.Password()
		r.SetBasicAuth(user.Username(), pw)
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	if resp.StatusCode/100 == 2 {
		// A JSON-RPC error comes with 200 and go-ethereum's error is its message.
		if len(t.streamed) > 0 {
			resp.Body = scrubBody{newScrubReader(resp.Body, t.streamed, "..."), resp.Body}
			resp.ContentLength = -1
			resp.Header.Del("Content-Length")
		}
		return resp, nil
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, errBodyLimit))
	_ = resp.Body.Close()
	if rerr != nil {
		body = nil
	}
	s := string(body)
	for _, sec := range t.secrets {
		s = strings.ReplaceAll(s, sec, "...")
	}
	// go-ethereum's error is the status and the body: the status names the endpoint.
	resp.Status += " from " + t.redacted
	resp.Body, resp.ContentLength = io.NopCloser(strings.NewReader(s)), int64(len(s))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// minSecretLen is the length (decoded) from which a path segment or query value
// of an RPC URL counts as a secret. Provider keys are far longer (an Infura key
// is 32 hex characters); shorter parts are words such as v3, rpc or a
// chain number, which cut out would make the endpoint's answers unreadable.
const minSecretLen = 8

// scrubBody reads a body with secrets cut out (newScrubReader) and closes the body.
type scrubBody struct {
	io.Reader
	io.Closer
}

// urlSecrets lists what of u may be a credential, longest first: its user name,
// password and the Basic credential sent for them (base64 of user:password),
// whatever their length, and its path segments and query values of at least
// minSecretLen characters once decoded (a query item without "=" is a value), in
// their escaped and decoded forms. Query names are not secrets.
func urlSecrets(u *url.URL) []string {
	var out []string
	add := func(s string) {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	addPart := func(escaped string, unescape func(string) (string, error)) {
		dec, err := unescape(escaped)
		if err != nil {
			dec = escaped
		}
		if len(dec) >= minSecretLen {
			add(escaped)
			add(dec)
		}
	}
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		addPart(seg, url.PathUnescape)
	}
	for _, kv := range strings.Split(u.RawQuery, "&") {
		_, v, ok := strings.Cut(kv, "=")
		if !ok {
			v = kv // a bare token (?KEY) is a value, not a name
		}
		addPart(v, url.QueryUnescape)
	}
	if u.User != nil {
		add(u.User.Username())
		pw, _ := u.User.Password()
		add(pw)
		// What the transport sends: an endpoint quoting its Authorization header
		// would otherwise give the password away in base64.
		add(base64.StdEncoding.EncodeToString([]byte(u.User.Username() + ":" + pw)))
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// Conn is a dialled chain: the client, the chain id it serves and, when one was
// asked for, the registry on it.
type Conn struct {
	Client   *ethclient.Client
	ChainID  uint64
	Registry *Registry // nil when Dial was given no registry address
}

// Sender returns a sender that signs with key for c's chain and waits for each
// transaction's receipt (NewDirectSender).
func (c *Conn) Sender(key *ecdsa.PrivateKey) (*DirectSender, error) {
	return NewDirectSender(c.Client, bind.NewKeyedTransactor(key, new(big.Int).SetUint64(c.ChainID)), nil)
}

// Close closes the client.
func (c *Conn) Close() { c.Client.Close() }

// Dial connects to the JSON-RPC endpoint at rawURL, checks that it serves chain
// wantChainID (0: any), and, unless registry is zero, opens the registry there
// (OpenRegistry: there must be code at the address). Errors show the URL
// redacted (RedactURL) and never the key a provider puts in it (ScrubURL).
func Dial(ctx context.Context, rawURL string, registry common.Address, wantChainID uint64) (*Conn, error) {
	client, err := DialClient(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	conn := &Conn{Client: client}
	if registry != (common.Address{}) {
		conn.Registry, err = OpenRegistry(ctx, client, registry, wantChainID)
		if err == nil {
			conn.ChainID = conn.Registry.ChainID()
		}
	} else {
		conn.ChainID, err = CheckChainID(ctx, client, wantChainID)
	}
	if err != nil {
		client.Close()
		return nil, ScrubURL(err, rawURL)
	}
	return conn, nil
}
