package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	courier "courier.dev/courier"
)

type instruction struct {
	Concurrent bool   `json:"concurrent"`
	Steps      []step `json:"steps"`
}

type step struct {
	API                   string      `json:"api"`
	Method                string      `json:"method"`
	URL                   *string     `json:"url"`
	URLParts              *urlParts   `json:"url_parts"`
	Headers               [][2]string `json:"headers"`
	Body                  *body       `json:"body"`
	Chunks                []int       `json:"chunks"`
	Trailers              [][2]string `json:"trailers"`
	Options               *options    `json:"options"`
	Lookup                []string    `json:"lookup"`
	ForwardInboundHeaders bool        `json:"forward_inbound_headers"`
	MaxInlineBody         *int64      `json:"max_inline_body"`
}

type urlParts struct {
	Scheme        *string `json:"scheme"`
	Authority     *string `json:"authority"`
	PathWithQuery *string `json:"path_with_query"`
}

type body struct {
	Text    *string `json:"text"`
	Base64  *string `json:"base64"`
	Pattern *int    `json:"pattern"`
}

type options struct {
	ConnectTimeoutMs      *int64 `json:"connect_timeout_ms"`
	FirstByteTimeoutMs    *int64 `json:"first_byte_timeout_ms"`
	BetweenBytesTimeoutMs *int64 `json:"between_bytes_timeout_ms"`
}

func (b *body) bytes() ([]byte, error) {
	switch {
	case b.Text != nil:
		return []byte(*b.Text), nil
	case b.Base64 != nil:
		return base64.StdEncoding.DecodeString(*b.Base64)
	case b.Pattern != nil:
		out := make([]byte, *b.Pattern)
		for i := range out {
			out[i] = byte(i % 251)
		}
		return out, nil
	}
	return nil, nil
}

// codeOf is the WIT name of an SDK error: the error-code or header-error case it unwraps to.
func codeOf(err error) string {
	var code *courier.ErrorCode
	if errors.As(err, &code) {
		return code.WITName()
	}
	var header *courier.HeaderError
	if errors.As(err, &header) {
		return header.WITName()
	}
	return "other"
}

func errorVerdict(err error, stage string, status int, elapsed int64) map[string]any {
	v := map[string]any{"kind": "error", "code": codeOf(err), "message": err.Error(), "stage": stage}
	if status != 0 {
		v["status"] = status
	}
	if elapsed >= 0 {
		v["elapsed_ms"] = elapsed
	}
	return v
}

func plainError(code, message, stage string) map[string]any {
	return map[string]any{"kind": "error", "code": code, "message": message, "stage": stage}
}

func unsupported(reason string) map[string]any {
	return map[string]any{"kind": "unsupported", "reason": reason}
}

func ms(since time.Time) int64 {
	return time.Since(since).Milliseconds()
}

// validMethod is RFC 9110's token rule, which Go's net/http also applies.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range []byte(m) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

func stepURL(s *step) string {
	if s.URL != nil {
		return *s.URL
	}
	// A URL-only SDK: join the parts and let net/url decide.
	var scheme, authority, path string
	if p := s.URLParts; p != nil {
		if p.Scheme != nil {
			scheme = *p.Scheme
		}
		if p.Authority != nil {
			authority = *p.Authority
		}
		if p.PathWithQuery != nil {
			path = *p.PathWithQuery
		}
	}
	switch {
	case scheme != "" && authority != "":
		return scheme + "://" + authority + path
	case authority != "":
		return "//" + authority + path
	}
	return path
}

// parseURL parses an absolute or relative URL the way net/http clients do; a URL net/url
// refuses never reaches the host.
func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &courier.ErrorCode{Code: uriInvalid(), Detail: err.Error()}
	}
	return u, nil
}

// uriInvalid is the error-code the protocol asks for when the URL is refused.
func uriInvalid() courier.Code {
	for i, name := range courier.CodeNames() {
		if name == "HTTP-request-URI-invalid" {
			return courier.Code(i)
		}
	}
	panic("the SDK has no HTTP-request-URI-invalid")
}

func stepOptions(s *step) courier.RequestOptions {
	var o courier.RequestOptions
	if s.Options == nil {
		return o
	}
	d := func(v *int64) time.Duration {
		if v == nil {
			return 0
		}
		return time.Duration(*v) * time.Millisecond
	}
	o.ConnectTimeout = d(s.Options.ConnectTimeoutMs)
	o.FirstByteTimeout = d(s.Options.FirstByteTimeoutMs)
	o.BetweenBytesTimeout = d(s.Options.BetweenBytesTimeoutMs)
	return o
}

// chunkReader yields one piece per Read, so the SDK writes and flushes each piece on its own.
type chunkReader struct {
	pieces [][]byte
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.pieces) > 0 && len(c.pieces[0]) == 0 {
		c.pieces = c.pieces[1:]
	}
	if len(c.pieces) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.pieces[0])
	c.pieces[0] = c.pieces[0][n:]
	return n, nil
}

func split(data []byte, sizes []int) [][]byte {
	var pieces [][]byte
	for _, size := range sizes {
		n := min(size, len(data))
		pieces = append(pieces, data[:n])
		data = data[n:]
	}
	if len(data) > 0 {
		pieces = append(pieces, data)
	}
	return pieces
}

// perform runs one step with the SDK and returns its verdict; it never panics on a failed request.
func perform(s *step, inbound http.Header) map[string]any {
	api := s.API
	if api == "" {
		api = "send"
	}
	method := s.Method
	if method == "" {
		method = http.MethodGet
	}
	if !validMethod(method) {
		return plainError("HTTP-request-method-invalid", fmt.Sprintf("method %q is not a token", method), "request")
	}
	var data []byte
	if s.Body != nil {
		var err error
		if data, err = s.Body.bytes(); err != nil {
			return plainError("other", "bad body in the instruction: "+err.Error(), "request")
		}
	}
	started := time.Now()
	u, err := parseURL(stepURL(s))
	if err != nil {
		return errorVerdict(err, "request", 0, ms(started))
	}
	header := http.Header{}
	if s.ForwardInboundHeaders {
		for name, values := range inbound {
			header[name] = append([]string(nil), values...)
		}
	}
	for _, h := range s.Headers {
		header.Add(h[0], h[1])
	}
	plain := len(s.Headers) == 0 && s.Options == nil && !s.ForwardInboundHeaders
	var resp *http.Response
	switch {
	case (api == "get" || api == "post") && (s.Chunks != nil || len(s.Trailers) > 0):
		return unsupported("get/post take a whole body; chunked bodies and trailers need send or stream")
	case api == "get" && method != http.MethodGet, api == "post" && method != http.MethodPost:
		return unsupported("get/post entries only make GET/POST requests")
	case api == "get" && plain:
		resp, err = courier.Get(u.String())
	// Post always sets its content type, as net/http's does: without one, POST goes through Send.
	case api == "post" && s.Options == nil && !s.ForwardInboundHeaders && onlyContentType(s.Headers):
		contentType := header.Get("Content-Type")
		resp, err = courier.Post(u.String(), contentType, bytes.NewReader(data))
	case api == "send" || api == "fetch" || api == "stream" || api == "get" || api == "post":
		req := &http.Request{Method: method, URL: u, Header: header, Host: u.Host}
		req = req.WithContext(courier.WithRequestOptions(context.Background(), stepOptions(s)))
		if s.Body != nil {
			if s.Chunks != nil {
				// Streamed: no length declared unless a content-length header says one.
				req.Body = io.NopCloser(&chunkReader{pieces: split(data, s.Chunks)})
				req.ContentLength = -1
			} else {
				req.Body = io.NopCloser(bytes.NewReader(data))
				req.ContentLength = int64(len(data))
			}
		}
		if len(s.Trailers) > 0 {
			// net/http's way: the keys announce the trailers, the values go out after the body.
			req.Trailer = http.Header{}
			for _, t := range s.Trailers {
				req.Trailer.Add(t[0], t[1])
			}
		}
		resp, err = courier.Send(req)
	default:
		return unsupported(fmt.Sprintf("unknown api %q", api))
	}
	if err != nil {
		// The SDK's contract, as net/http's: a failed request is a *url.Error.
		if _, ok := err.(*url.Error); !ok {
			return plainError("other", fmt.Sprintf("SDK contract broken: %T is not *url.Error: %v", err, err), "response")
		}
		return errorVerdict(err, "response", 0, ms(started))
	}
	return responseVerdict(s, resp, started)
}

func onlyContentType(headers [][2]string) bool {
	return len(headers) == 1 && strings.EqualFold(headers[0][0], "content-type")
}

// responseVerdict reads the body incrementally, hashing it and keeping it when small.
func responseVerdict(s *step, resp *http.Response, started time.Time) map[string]any {
	defer resp.Body.Close()
	maxInline := int64(64 * 1024)
	if s.MaxInlineBody != nil {
		maxInline = *s.MaxInlineBody
	}
	lookups := map[string][]string{}
	for _, name := range s.Lookup {
		values := resp.Header.Values(name)
		if values == nil {
			values = []string{}
		}
		lookups[name] = values
	}
	hash := sha256.New()
	var kept bytes.Buffer
	var length int64
	buf := make([]byte, 64*1024)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			hash.Write(buf[:n])
			length += int64(n)
			if length <= maxInline {
				kept.Write(buf[:n])
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return errorVerdict(err, "body-read", resp.StatusCode, ms(started))
		}
	}
	v := map[string]any{
		"kind":        "response",
		"status":      resp.StatusCode,
		"headers":     headerPairs(resp.Header),
		"trailers":    headerPairs(resp.Trailer),
		"body_len":    length,
		"body_sha256": hex.EncodeToString(hash.Sum(nil)),
		"lookups":     lookups,
		"elapsed_ms":  ms(started),
	}
	if length <= maxInline {
		if utf8.Valid(kept.Bytes()) {
			v["body"] = kept.String()
		} else {
			v["body_base64"] = base64.StdEncoding.EncodeToString(kept.Bytes())
		}
	}
	return v
}
