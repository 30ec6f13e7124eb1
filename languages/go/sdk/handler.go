package courier

import (
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"sort"
	"strconv"

	"courier.dev/courier/internal/inbound"
	raw "courier.dev/courier/internal/wit/imports/wasi_http_types"
	streams "courier.dev/courier/internal/wit/imports/wasi_io_streams"
	witTypes "go.bytecodealliance.org/pkg/wit/types"

	// The //go:wasmexport entry points of wasi:http/incoming-handler@0.2.12.
	_ "courier.dev/courier/internal/wit/exports/wit_exports"
)

// Handle registers fn to serve the component's inbound requests (wasi:http/incoming-handler@0.2.12).
// Call it from an init function. fn runs on the export's goroutine; the response head goes
// out on the first Write (or WriteHeader), and every Write is flushed to the host.
func Handle(fn func(http.ResponseWriter, *http.Request)) {
	inbound.Handler = func(request *raw.IncomingRequest, out *raw.ResponseOutparam) {
		serve(fn, request, out)
	}
}

func serve(fn func(http.ResponseWriter, *http.Request), request *raw.IncomingRequest, out *raw.ResponseOutparam) {
	r, err := incomingRequest(request)
	if err != nil {
		raw.ResponseOutparamSet(out, witTypes.Err[*raw.OutgoingResponse](errorCodeToRaw(err)))
		return
	}
	w := &responseWriter{out: out, header: http.Header{}}
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(os.Stderr, "handler panicked: %v\n", p)
			if !w.started {
				w.header = http.Header{}
				w.WriteHeader(http.StatusInternalServerError)
			}
		}
		w.finish()
		_ = r.Body.Close()
	}()
	fn(w, r)
}

// incomingRequest turns the WIT request into an *http.Request whose Body reads the request
// body stream; closing the body releases the request.
func incomingRequest(request *raw.IncomingRequest) (*http.Request, error) {
	defer pauseGC()()
	method := methodString(request.Method())
	target := "/"
	if p := request.PathWithQuery(); p.IsSome() {
		target = p.Some()
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		request.Drop()
		return nil, &ErrorCode{Code: CodeHttpRequestUriInvalid, Detail: err.Error()}
	}
	if s := request.Scheme(); s.IsSome() {
		u.Scheme = schemeString(s.Some())
	}
	host := ""
	if a := request.Authority(); a.IsSome() {
		host = a.Some()
		u.Host = host
	}
	headerFields := request.Headers()
	entries := headerFields.Entries()
	headerFields.Drop()
	header := make(http.Header, len(entries))
	for _, e := range entries {
		name := textproto.CanonicalMIMEHeaderKey(e.F0)
		header[name] = append(header[name], string(e.F1))
	}
	consumed := request.Consume()
	if consumed.IsErr() {
		request.Drop()
		return nil, &ErrorCode{Code: CodeInternalError, Detail: "the request body was already taken"}
	}
	body, err := newIncomingBody(consumed.Ok(), request)
	if err != nil {
		return nil, err
	}
	contentLength := int64(-1)
	if v := header.Get("Content-Length"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			contentLength = n
		}
	}
	return &http.Request{
		Method:        method,
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          body,
		ContentLength: contentLength,
		Host:          host,
		RequestURI:    target,
	}, nil
}

// responseWriter is the http.ResponseWriter of one inbound request.
type responseWriter struct {
	out     *raw.ResponseOutparam
	header  http.Header
	started bool
	body    *raw.OutgoingBody
	stream  *streams.OutputStream
	err     error
}

func (w *responseWriter) Header() http.Header {
	return w.header
}

// WriteHeader sends the response head: the status and the headers set so far.
func (w *responseWriter) WriteHeader(status int) {
	if w.started {
		return
	}
	w.started = true
	names := make([]string, 0, len(w.header))
	for name := range w.header {
		names = append(names, name)
	}
	sort.Strings(names)
	var entries []witTypes.Tuple2[string, []uint8]
	for _, name := range names {
		for _, value := range w.header[name] {
			entries = append(entries, witTypes.Tuple2[string, []uint8]{F0: name, F1: []byte(value)})
		}
	}
	fields := raw.FieldsFromList(entries)
	if fields.IsErr() {
		w.err = headerErrorFromRaw(fields.Err())
		fmt.Fprintf(os.Stderr, "response headers rejected: %v\n", w.err)
		fields = witTypes.Ok[*raw.Fields, raw.HeaderError](raw.MakeFields())
		status = http.StatusInternalServerError
	}
	response := raw.MakeOutgoingResponse(fields.Ok())
	if response.SetStatusCode(uint16(status)).IsErr() {
		fmt.Fprintf(os.Stderr, "status %d rejected\n", status)
		response.SetStatusCode(http.StatusInternalServerError)
	}
	w.body = response.Body().Ok()
	raw.ResponseOutparamSet(w.out, witTypes.Ok[*raw.OutgoingResponse, raw.ErrorCode](response))
	w.stream = w.body.Write().Ok()
}

// Write sends p as part of the body, sending the head first if needed.
func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	if w.err != nil {
		return 0, w.err
	}
	if err := writeAll(w.stream, p); err != nil {
		w.err = err
		return 0, err
	}
	return len(p), nil
}

// Flush is a no-op: every Write is already flushed to the host.
func (w *responseWriter) Flush() {}

func (w *responseWriter) finish() {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	w.stream.Drop()
	defer pauseGC()()
	if finished := raw.OutgoingBodyFinish(w.body, witTypes.None[*raw.Fields]()); finished.IsErr() {
		fmt.Fprintf(os.Stderr, "finishing the response body: %v\n", errorCodeFromRaw(finished.Err()))
	}
}

// errorCodeToRaw maps an SDK error back to a WIT error-code for the host.
func errorCodeToRaw(err error) raw.ErrorCode {
	return raw.MakeErrorCodeInternalError(witTypes.Some(err.Error()))
}
