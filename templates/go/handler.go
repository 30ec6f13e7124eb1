package {{ package }}

import (
	"context"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"strings"

	"{{ module }}/internal/inbound"
	raw "{{ module }}/internal/wit/imports/{{ types_pkg }}"
	streams "{{ module }}/internal/wit/imports/wasi_io_streams"
	witTypes "go.bytecodealliance.org/pkg/wit/types"

	// The //go:wasmexport entry points of {{ model.incoming_handler.interface }}.
	_ "{{ module }}/internal/wit/exports/wit_exports"
)

// Handle registers fn to serve the component's inbound requests ({{ model.incoming_handler.interface }}).
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
		defer func() { _ = r.Body.Close() }()
		p := recover()
		if p == nil {
			w.finish()
			return
		}
		// As net/http: http.ErrAbortHandler aborts quietly; any other panic is logged.
		if p != http.ErrAbortHandler {
			fmt.Fprintf(os.Stderr, "handler panicked: %v\n", p)
		}
		if !w.started {
			w.header = http.Header{}
			w.WriteHeader(http.StatusInternalServerError)
			w.finish()
			return
		}
		// The head is out: the body ends as an error, never as if it were complete.
		w.abort()
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
		return nil, &ErrorCode{Code: Code{{ uri_invalid }}, Detail: err.Error()}
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
	header := headerFromEntries(headerFields.Entries())
	headerFields.Drop()
	consumed := request.Consume()
	if consumed.IsErr() {
		request.Drop()
		return nil, &ErrorCode{Code: Code{{ internal_error }}, Detail: "the request body was already taken"}
	}
	body, err := newIncomingBody(context.Background(), consumed.Ok(), request)
	if err != nil {
		return nil, err
	}
	contentLength := declaredLength(0, header)
	r := &http.Request{
		Method:        method,
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          body,
		ContentLength: contentLength,
		Trailer:       declaredTrailers(header),
		Host:          host,
		RequestURI:    target,
	}
	body.trailer = &r.Trailer
	return r, nil
}

// responseWriter is the http.ResponseWriter of one inbound request.
type responseWriter struct {
	out     *raw.ResponseOutparam
	header  http.Header
	started bool
	body    *raw.OutgoingBody
	stream  *streams.OutputStream
	err     error
	// declared is the Content-Length the head carried (-1 for none); written counts the body.
	declared int64
	written  int64
}

func (w *responseWriter) Header() http.Header {
	return w.header
}

// WriteHeader sends the response head: the status and the headers set so far, except
// trailers (names with http.TrailerPrefix), which go out after the body.
func (w *responseWriter) WriteHeader(status int) {
	// wasi:http 0.2 sends no interim responses: a 1xx (103 Early Hints) is skipped, and the
	// final status follows, as net/http allows.
	if w.started || (status >= 100 && status <= 199) {
		return
	}
	w.started = true
	w.declared = declaredLength(0, w.header)
	head := http.Header{}
	for name, values := range w.header {
		if !strings.HasPrefix(name, http.TrailerPrefix) {
			head[name] = values
		}
	}
	fields, err := makeFields(fieldEntries(head))
	if err != nil {
		w.err = err
		fmt.Fprintf(os.Stderr, "response headers rejected: %v\n", w.err)
		fields = raw.MakeFields()
		status = http.StatusInternalServerError
	}
	response := raw.MakeOutgoingResponse(fields)
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
	// As net/http: bytes past the declared length are refused, not sent.
	if w.declared >= 0 && w.written+int64(len(p)) > w.declared {
		return 0, http.ErrContentLength
	}
	w.written += int64(len(p))
	if err := writeAll(context.Background(), w.stream, p); err != nil {
		w.err = err
		return 0, err
	}
	return len(p), nil
}

// Flush is a no-op: every Write is already flushed to the host.
func (w *responseWriter) Flush() {}

// abort drops the body unfinished, which the host reports to the client as a failed
// response rather than a complete one.
func (w *responseWriter) abort() {
	w.stream.Drop()
	w.body.Drop()
}

func (w *responseWriter) finish() {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	w.stream.Drop()
	if err := finishBody(w.body, w.trailers()); err != nil {
		fmt.Fprintf(os.Stderr, "finishing the response body: %v\n", err)
	}
}

// trailers collects the response trailers as net/http does: the values of the names the
// Trailer header declared, and every name set with http.TrailerPrefix.
func (w *responseWriter) trailers() http.Header {
	trailer := http.Header{}
	for name := range declaredTrailers(w.header) {
		if values := w.header[name]; len(values) > 0 {
			trailer[name] = values
		}
	}
	for name, values := range w.header {
		if key, ok := strings.CutPrefix(name, http.TrailerPrefix); ok {
			trailer[textproto.CanonicalMIMEHeaderKey(key)] = values
		}
	}
	return trailer
}

// errorCodeToRaw maps an SDK error back to a WIT error-code for the host.
func errorCodeToRaw(err error) raw.ErrorCode {
	return raw.{{ internal_error_ctor }}(witTypes.Some(err.Error()))
}
