package courier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"

	outgoing "courier.dev/courier/internal/wit/imports/wasi_http_outgoing_handler"
	raw "courier.dev/courier/internal/wit/imports/wasi_http_types"
	witTypes "go.bytecodealliance.org/pkg/wit/types"
)

// Transport is an http.RoundTripper that sends requests through wasi:http/outgoing-handler@0.2.12.
// Options apply to every request; WithRequestOptions on a request's context overrides them
// field by field.
type Transport struct {
	Options RequestOptions
}

// NewTransport returns a Transport with the host's default options.
func NewTransport() *Transport {
	return &Transport{}
}

// RoundTrip sends req and returns its response; see Send.
// As the RoundTripper contract says, a failure is the bare cause: http.Client adds the
// *url.Error.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	return send(req, t.Options)
}

// NewClient returns an *http.Client whose transport is NewTransport(): net/http code
// (redirects, cookies, client timeouts checked between calls) works unchanged.
func NewClient() *http.Client {
	return &http.Client{Transport: NewTransport()}
}

// Send sends req through wasi:http/outgoing-handler@0.2.12 and returns the response once
// its head has arrived; resp.Body streams the rest and must be closed. The request body is
// written in full first (with a content-length when req.ContentLength is positive, else
// chunked) and is closed; with no body (nil or http.NoBody) none is sent, and a POST, PUT or
// PATCH says content-length: 0, as net/http does. A relative URL ("/path") is a request to
// the component's own app. The request's context ends the wait early, with its error, and
// cancels the request in the host; it also bounds reading resp.Body.
// Failures are *url.Error, as from http.Client, and unwrap to *ErrorCode or *HeaderError
// (errors.As), or to the context's error.
func Send(req *http.Request) (*http.Response, error) {
	resp, err := send(req, RequestOptions{})
	if err != nil {
		// As http.Client's methods do: the method, the URL (its password redacted) and the cause.
		return nil, &url.Error{Op: opName(req.Method), URL: redacted(req), Err: err}
	}
	return resp, nil
}

func redacted(req *http.Request) string {
	if req.URL == nil {
		return ""
	}
	return req.URL.Redacted()
}

// Get sends a GET request to url. Credentials in the URL go out as basic authentication,
// as from http.Get.
func Get(url string) (*http.Response, error) {
	req, err := newRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return Send(withURLCredentials(req))
}

// Post sends a POST request to url with the given content type and body. Credentials in the
// URL go out as basic authentication, as from http.Post.
func Post(url, contentType string, body io.Reader) (*http.Response, error) {
	req, err := newRequest(http.MethodPost, url, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	return Send(withURLCredentials(req))
}

// newRequest is http.NewRequest for Get and Post, whose failure is a URL that does not parse:
// a *url.Error, as from http.Get, unwrapping to HTTP-request-URI-invalid.
func newRequest(method, rawURL string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		detail := err.Error()
		var parse *url.Error
		if errors.As(err, &parse) {
			detail = parse.Err.Error()
		}
		return nil, &url.Error{Op: opName(method), URL: rawURL, Err: &ErrorCode{Code: CodeHttpRequestUriInvalid, Detail: detail}}
	}
	return req, nil
}

// opName is the method as http.Client's errors spell it: "Get", "Post".
func opName(method string) string {
	if method == "" {
		return "Get"
	}
	return method[:1] + strings.ToLower(method[1:])
}

// withURLCredentials sets basic authentication from the URL's user info, unless the request
// already has an Authorization header, as http.Client does.
func withURLCredentials(req *http.Request) *http.Request {
	if user := req.URL.User; user != nil && req.Header.Get("Authorization") == "" {
		password, _ := user.Password()
		req.SetBasicAuth(user.Username(), password)
	}
	return req
}

func send(req *http.Request, defaults RequestOptions) (*http.Response, error) {
	if req.Body != nil {
		// The RoundTripper contract: the request body is closed, even on errors.
		defer req.Body.Close()
	}
	if req.URL == nil {
		return nil, &ErrorCode{Code: CodeHttpRequestUriInvalid, Detail: "the request has no URL"}
	}
	req, err := probeBody(req)
	if err != nil {
		return nil, err
	}
	return roundTrip(req, defaults)
}

// roundTrip performs the canonical wasi:http sequence: build the request, hand it to the
// host, write the body, finish it, wait for the response head.
//
// Host calls that return lists or strings run with the GC paused (see pauseGC); reading the
// caller's request body does not, so a large upload is collected as usual.
func roundTrip(req *http.Request, defaults RequestOptions) (*http.Response, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	headers, err := outgoingFields(req)
	if err != nil {
		return nil, err
	}
	request := raw.MakeOutgoingRequest(headers)
	if request.SetMethod(rawMethod(method)).IsErr() {
		request.Drop()
		return nil, &ErrorCode{Code: CodeHttpRequestMethodInvalid, Detail: fmt.Sprintf("method %q", method)}
	}
	if err := setTarget(request, req); err != nil {
		request.Drop()
		return nil, err
	}
	options, _ := RequestOptionsFrom(req.Context())
	rawOptions, err := options.merged(defaults).toRaw()
	if err != nil {
		request.Drop()
		return nil, err
	}
	// As net/http: a request without a body goes out without one. Taking the body handle
	// would make the host frame an empty body of unknown length (chunked).
	var body *raw.OutgoingBody
	if hasBody(req) {
		body = request.Body().Ok()
	}
	opt := witTypes.None[*raw.RequestOptions]()
	if rawOptions != nil {
		opt = witTypes.Some(rawOptions)
	}
	resume := pauseGC()
	handled := outgoing.Handle(request, opt)
	resume()
	if handled.IsErr() {
		if body != nil {
			body.Drop()
		}
		return nil, errorCodeFromRaw(handled.Err())
	}
	future := handled.Ok()
	// As in net/http, the request's context can end the wait; dropping the future then
	// cancels the request in the host.
	ctx := req.Context()
	if body != nil {
		err = writeBody(ctx, body, req.Body, req.Trailer, declaredLength(req.ContentLength, req.Header))
	}
	var response *raw.IncomingResponse
	if err != nil {
		response, err = afterFailedWrite(err, future)
	} else {
		response, err = awaitResponse(ctx, future)
	}
	if err != nil {
		return nil, err
	}
	return incomingResponse(req, response)
}

// awaitResponse waits for the response head (ctx may end the wait) and takes it, or the
// host's error code; the future is dropped either way.
func awaitResponse(ctx context.Context, future *raw.FutureIncomingResponse) (*raw.IncomingResponse, error) {
	defer future.Drop()
	if err := await(ctx, future.Subscribe()); err != nil {
		return nil, err
	}
	resume := pauseGC()
	got := future.Get()
	resume()
	if got.IsNone() {
		return nil, &ErrorCode{Code: CodeInternalError, Detail: "the response future was not ready after waiting"}
	}
	if got.Some().IsErr() {
		return nil, &ErrorCode{Code: CodeInternalError, Detail: "the response was already taken"}
	}
	result := got.Some().Ok()
	if result.IsErr() {
		return nil, errorCodeFromRaw(result.Err())
	}
	return result.Ok(), nil
}

// probeBody settles a body of unknown length (a Body with ContentLength 0, as net/http reads
// it) that is in fact empty: it goes out as no body, as from net/http's transport. A byte
// read to find out is put back. The caller's req is not changed.
func probeBody(req *http.Request) (*http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody || req.ContentLength != 0 {
		return req, nil
	}
	var first [1]byte
	var n int
	var err error
	for n == 0 && err == nil {
		n, err = readContext(req.Context(), req.Body, first[:])
	}
	probed := *req
	switch {
	case n == 1:
		probed.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(first[:]), req.Body), req.Body}
	case err == io.EOF:
		probed.Body = http.NoBody
	case isContextError(err):
		return req, err
	default:
		return req, &bodyReadError{err}
	}
	return &probed, nil
}

// carriesBody reports whether method gives a request body meaning (RFC 9110 section 8.6).
func carriesBody(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}

// hasBody reports whether req has a body or trailers to send.
func hasBody(req *http.Request) bool {
	return (req.Body != nil && req.Body != http.NoBody) || len(req.Trailer) > 0
}

// afterFailedWrite settles a request whose body could not be written. The host drops the body
// of a request it has failed (denied, refused, timed out), so the write sees only a closed
// stream: the response then says why. A server may also answer before reading the whole
// body (a 413, a 401) and close: that response is the result, as in net/http. A body of the
// wrong size, a refused trailer, the body's own read error and an ended context keep their
// own error.
func afterFailedWrite(err error, future *raw.FutureIncomingResponse) (*raw.IncomingResponse, error) {
	var code *ErrorCode
	var header *HeaderError
	var read *bodyReadError
	if errors.As(err, &code) && code.Code == CodeHttpRequestBodySize || errors.As(err, &header) ||
		errors.As(err, &read) || isContextError(err) {
		future.Drop()
		return nil, err
	}
	return awaitResponse(context.Background(), future)
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// bodyReadError is the request body's own read error, returned as net/http's Transport
// returns it: errors.Is finds the reader's error.
type bodyReadError struct{ err error }

func (e *bodyReadError) Error() string { return "reading the request body: " + e.err.Error() }
func (e *bodyReadError) Unwrap() error { return e.err }

// readContext is src.Read that gives up when ctx ends first, as net/http's Transport does
// for a body that stalls. With no way for ctx to end it reads directly; otherwise the read
// runs in a goroutine, into its own buffer, which is abandoned if ctx ends first (the caller
// closes the body, which ends such a read for pipes and network bodies).
func readContext(ctx context.Context, src io.Reader, buf []byte) (int, error) {
	if ctx.Done() == nil {
		return src.Read(buf)
	}
	type result struct {
		n   int
		err error
	}
	own := make([]byte, len(buf))
	done := make(chan result, 1)
	go func() {
		n, err := src.Read(own)
		done <- result{n, err}
	}()
	select {
	case r := <-done:
		return copy(buf, own[:r.n]), r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// outgoingFields builds the request's header fields: every header of req.Header (names in
// sorted order, repeated values in order), plus content-length from req.ContentLength and,
// as net/http does, a Trailer header naming the keys of req.Trailer, when those headers are
// not set. The host rejects forbidden names with a *HeaderError.
func outgoingFields(req *http.Request) (*raw.Fields, error) {
	entries := fieldEntries(req.Header)
	if req.Header.Get("Content-Length") == "" {
		switch {
		case req.ContentLength > 0 && hasBody(req):
			entries = append(entries, witTypes.Tuple2[string, []uint8]{F0: "content-length", F1: []byte(strconv.FormatInt(req.ContentLength, 10))})
		case !hasBody(req) && carriesBody(req.Method):
			// As net/http: an empty POST, PUT or PATCH still says its body is empty.
			entries = append(entries, witTypes.Tuple2[string, []uint8]{F0: "content-length", F1: []byte("0")})
		}
	}
	if req.Header.Get("Trailer") == "" && len(req.Trailer) > 0 {
		names := make([]string, 0, len(req.Trailer))
		for name := range req.Trailer {
			names = append(names, textproto.CanonicalMIMEHeaderKey(name))
		}
		sort.Strings(names)
		entries = append(entries, witTypes.Tuple2[string, []uint8]{F0: "trailer", F1: []byte(strings.Join(names, ", "))})
	}
	return makeFields(entries)
}

// makeFields is raw.FieldsFromList with a refusal that names the first field the host
// refuses alone: the WIT's header-error does not say which one it was.
func makeFields(entries []witTypes.Tuple2[string, []uint8]) (*raw.Fields, error) {
	fields := raw.FieldsFromList(entries)
	if !fields.IsErr() {
		return fields.Ok(), nil
	}
	err := headerErrorFromRaw(fields.Err())
	for _, entry := range entries {
		one := raw.FieldsFromList([]witTypes.Tuple2[string, []uint8]{entry})
		if one.IsErr() {
			err.Name = entry.F0
			break
		}
		one.Ok().Drop()
	}
	return nil, err
}

// setTarget sets scheme, authority and path-with-query from the URL. A URL without scheme
// and host leaves both unset: a request to the component's own app.
func setTarget(request *raw.OutgoingRequest, req *http.Request) error {
	u := req.URL
	authority := u.Host
	// In net/http req.Host sets only the Host header; wasi:http sends Host from the URL's
	// authority and lets no guest set it, so a different req.Host cannot be honoured.
	if req.Host != "" && !strings.EqualFold(req.Host, u.Host) {
		return &ErrorCode{Code: CodeHttpRequestUriInvalid, Detail: fmt.Sprintf("req.Host %q differs from the URL's host %q: wasi:http takes Host from the URL", req.Host, u.Host)}
	}
	scheme := u.Scheme
	if scheme == "" && authority != "" {
		// "//host/path" names a host but not how to reach it.
		return &ErrorCode{Code: CodeHttpRequestUriInvalid, Detail: fmt.Sprintf("URL %q has a host but no scheme; write http://…", u.String())}
	}
	if scheme == "" && authority == "" && strings.HasPrefix(u.Path, "/") {
		// A path alone is a request to the component's own app. wasi:http needs an
		// authority to send a request, so it gets one with no host, which a Spin-style
		// host reads as a self request.
		scheme, authority = "http", ":80"
	}
	if scheme != "" {
		if request.SetScheme(witTypes.Some(rawScheme(scheme))).IsErr() {
			return &ErrorCode{Code: CodeHttpRequestUriInvalid, Detail: fmt.Sprintf("scheme %q", scheme)}
		}
	}
	if authority != "" {
		if request.SetAuthority(witTypes.Some(authority)).IsErr() {
			return &ErrorCode{Code: CodeHttpRequestUriInvalid, Detail: fmt.Sprintf("authority %q", authority)}
		}
	}
	target := asciiTarget(requestTarget(u))
	if u.Opaque != "" && !strings.HasPrefix(u.Opaque, "/") {
		return &ErrorCode{Code: CodeHttpRequestUriInvalid, Detail: fmt.Sprintf("URL %q has no path", u.String())}
	}
	if request.SetPathWithQuery(witTypes.Some(target)).IsErr() {
		return &ErrorCode{Code: CodeHttpRequestUriInvalid, Detail: fmt.Sprintf("path %q", target)}
	}
	return nil
}

// requestTarget is u.RequestURI() with the path as written: RequestURI re-escapes a path
// that has UTF-8 in it, undoing escapes such as %41 along the way.
func requestTarget(u *url.URL) string {
	if u.Opaque != "" || u.RawPath == "" {
		return u.RequestURI()
	}
	if path, err := url.PathUnescape(u.RawPath); err != nil || path != u.Path {
		return u.RequestURI() // Path was changed after parsing: RawPath is stale.
	}
	target := u.RawPath
	if u.ForceQuery || u.RawQuery != "" {
		target += "?" + u.RawQuery
	}
	return target
}

// asciiTarget writes the bytes of a request-target beyond ASCII as percent-escapes: RFC 9112
// allows only ASCII there, and url.URL keeps a query's UTF-8 raw.
func asciiTarget(target string) string {
	var b strings.Builder
	for i := 0; i < len(target); i++ {
		if c := target[i]; c >= 0x80 {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// incomingResponse turns the WIT response into an *http.Response whose Body reads the
// response body stream; Trailer holds the trailers once the body has returned io.EOF.
func incomingResponse(req *http.Request, response *raw.IncomingResponse) (*http.Response, error) {
	defer pauseGC()()
	status := int(response.Status())
	headerFields := response.Headers()
	header := headerFromEntries(headerFields.Entries())
	headerFields.Drop()
	consumed := response.Consume()
	if consumed.IsErr() {
		response.Drop()
		return nil, &ErrorCode{Code: CodeInternalError, Detail: "the response body was already taken"}
	}
	body, err := newIncomingBody(req.Context(), consumed.Ok(), response)
	if err != nil {
		return nil, err
	}
	contentLength := declaredLength(0, header)
	if status == http.StatusNoContent || status == http.StatusNotModified {
		// As net/http: these responses have no body, whatever a header says.
		contentLength = 0
	}
	resp := &http.Response{
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          body,
		ContentLength: contentLength,
		Trailer:       declaredTrailers(header),
		Request:       req,
	}
	body.trailer = &resp.Trailer
	return resp, nil
}
