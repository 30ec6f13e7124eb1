package courier

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"

	raw "courier.dev/courier/internal/wit/imports/wasi_http_types"
	streams "courier.dev/courier/internal/wit/imports/wasi_io_streams"
	witTypes "go.bytecodealliance.org/pkg/wit/types"
)

// maxRead is the most one read asks for.
const maxRead = 64 * 1024

// writeBody writes everything src yields into the outgoing body, flushing after each piece
// src returns, then finishes the body with the trailers that have values once src is done
// (trailer may be nil). Bytes past declared (the content-length; negative for none) are
// refused before any of them reaches the host, which could otherwise send the declared
// prefix on as a complete request. The body is always finished or dropped.
func writeBody(ctx context.Context, body *raw.OutgoingBody, src io.Reader, trailer http.Header, declared int64) error {
	if src == nil || src == http.NoBody {
		return finishBody(body, trailer)
	}
	opened := body.Write()
	if opened.IsErr() {
		body.Drop()
		return &ErrorCode{Code: CodeInternalError, Detail: "the request body stream was already taken"}
	}
	stream := opened.Ok()
	buf := make([]byte, maxRead)
	var written uint64
	for {
		n, readErr := readContext(ctx, src, buf)
		written += uint64(n)
		if declared >= 0 && written > uint64(declared) {
			stream.Drop()
			body.Drop()
			return &ErrorCode{Code: CodeHttpRequestBodySize, Payload: &written, Detail: fmt.Sprintf("the body is longer than its content-length %d", declared)}
		}
		if err := writeAll(ctx, stream, buf[:n]); err != nil {
			stream.Drop()
			body.Drop()
			return err
		}
		if readErr == io.EOF {
			break
		}
		if readErr != nil {
			stream.Drop()
			body.Drop()
			if isContextError(readErr) {
				return readErr
			}
			return &bodyReadError{readErr}
		}
	}
	// The stream is a child of the body: drop it before finishing.
	stream.Drop()
	return finishBody(body, trailer)
}

// finishBody ends the body, sending the entries of trailer that have values as its trailers.
func finishBody(body *raw.OutgoingBody, trailer http.Header) error {
	defer pauseGC()()
	trailers := witTypes.None[*raw.Fields]()
	if entries := fieldEntries(trailer); len(entries) > 0 {
		fields, err := makeFields(entries)
		if err != nil {
			body.Drop()
			return err
		}
		trailers = witTypes.Some(fields)
	}
	finished := raw.OutgoingBodyFinish(body, trailers)
	if finished.IsErr() {
		return errorCodeFromRaw(finished.Err())
	}
	return nil
}

// declaredLength is the content-length a message declares: contentLength when positive
// (net/http's field), else a valid Content-Length header, else -1.
func declaredLength(contentLength int64, h http.Header) int64 {
	if contentLength > 0 {
		return contentLength
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(h.Get("Content-Length")), 10, 64); err == nil && n >= 0 {
		return n
	}
	return -1
}

// fieldEntries lists h as WIT field entries: names in sorted order, repeated values in order.
func fieldEntries(h http.Header) []witTypes.Tuple2[string, []uint8] {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	var entries []witTypes.Tuple2[string, []uint8]
	for _, name := range names {
		for _, value := range h[name] {
			entries = append(entries, witTypes.Tuple2[string, []uint8]{F0: name, F1: []byte(value)})
		}
	}
	return entries
}

// headerFromEntries builds an http.Header from WIT field entries, names canonicalised.
func headerFromEntries(entries []witTypes.Tuple2[string, []uint8]) http.Header {
	h := make(http.Header, len(entries))
	for _, e := range entries {
		name := textproto.CanonicalMIMEHeaderKey(e.F0)
		h[name] = append(h[name], string(e.F1))
	}
	return h
}

// declaredTrailers is what net/http puts in Request.Trailer and Response.Trailer before the
// body is read: a nil value for every name the message's Trailer header announces.
func declaredTrailers(h http.Header) http.Header {
	var declared http.Header
	for _, value := range h.Values("Trailer") {
		for _, name := range strings.Split(value, ",") {
			if name = strings.TrimSpace(name); name != "" {
				if declared == nil {
					declared = http.Header{}
				}
				declared[textproto.CanonicalMIMEHeaderKey(name)] = nil
			}
		}
	}
	return declared
}

// writeAll writes p in the pieces the host accepts and flushes it, waiting (without stopping
// other goroutines) whenever the host's buffer is full and until the flush completes.
func writeAll(ctx context.Context, stream *streams.OutputStream, p []byte) error {
	for len(p) > 0 {
		allowed, err := writable(ctx, stream)
		if err != nil {
			return err
		}
		if allowed == 0 {
			return closedByHost()
		}
		n := int(min(uint64(len(p)), allowed))
		if written := stream.Write(p[:n]); written.IsErr() {
			return writeError(written.Err())
		}
		p = p[n:]
	}
	// The flush is complete once the stream accepts bytes again, or is closed: the host
	// closes a body as soon as it reaches its declared content-length.
	if flushed := stream.Flush(); flushed.IsErr() {
		if flushed.Err().Tag() == streams.StreamError_Closed {
			return nil
		}
		return writeError(flushed.Err())
	}
	_, err := writable(ctx, stream)
	return err
}

// writable waits until stream accepts bytes and says how many; 0 means the host closed it.
func writable(ctx context.Context, stream *streams.OutputStream) (uint64, error) {
	for {
		checked := stream.CheckWrite()
		if checked.IsErr() {
			if checked.Err().Tag() == streams.StreamError_Closed {
				return 0, nil
			}
			return 0, writeError(checked.Err())
		}
		if n := checked.Ok(); n > 0 {
			return n, nil
		}
		err := await(ctx, stream.Subscribe())
		if err != nil {
			return 0, err
		}
	}
}

func writeError(e streams.StreamError) error {
	if e.Tag() == streams.StreamError_LastOperationFailed {
		return streamError(e.LastOperationFailed())
	}
	return closedByHost()
}

func closedByHost() error {
	return &ErrorCode{Code: CodeInternalError, Detail: "the body stream was closed by the host"}
}

// incomingBody is an http.Response or http.Request body over a WIT incoming-body. Read waits
// for the host (other goroutines run meanwhile); at the end of the body it stores the
// trailers in *trailer, as net/http does before returning io.EOF. Close releases the stream,
// the body and the parent resource in that order.
type incomingBody struct {
	// ctx ends reads early, as the request's context does in net/http.
	ctx    context.Context
	stream *streams.InputStream
	body   *raw.IncomingBody
	// parent is the response or request the body belongs to, dropped last.
	parent  interface{ Drop() }
	trailer *http.Header
	done    bool
	err     error
}

func newIncomingBody(ctx context.Context, body *raw.IncomingBody, parent interface{ Drop() }) (*incomingBody, error) {
	opened := body.Stream()
	if opened.IsErr() {
		body.Drop()
		if parent != nil {
			parent.Drop()
		}
		return nil, &ErrorCode{Code: CodeInternalError, Detail: "the body stream was already taken"}
	}
	return &incomingBody{ctx: ctx, stream: opened.Ok(), body: body, parent: parent}, nil
}

func (b *incomingBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		resume := pauseGC()
		got := b.stream.Read(uint64(min(len(p), maxRead)))
		resume()
		if got.IsErr() {
			e := got.Err()
			if e.Tag() == streams.StreamError_Closed {
				b.err = b.readTrailers()
			} else {
				b.err = streamError(e.LastOperationFailed())
			}
			b.release()
			return 0, b.err
		}
		data := got.Ok()
		if len(data) > 0 {
			return copy(p, data), nil
		}
		err := await(b.ctx, b.stream.Subscribe())
		if err != nil {
			b.err = err
			b.release()
			return 0, err
		}
	}
}

// Close releases the host resources; reading after Close returns an error.
func (b *incomingBody) Close() error {
	if b.err == nil {
		b.err = errClosed
	}
	b.release()
	return nil
}

// readTrailers ends the body and waits for its trailers, merging them into *b.trailer. It
// returns io.EOF, or the error the host reports instead of the trailers.
func (b *incomingBody) readTrailers() error {
	b.stream.Drop()
	b.stream = nil
	future := raw.IncomingBodyFinish(b.body)
	b.body = nil
	defer future.Drop()
	err := await(b.ctx, future.Subscribe())
	if err != nil {
		return err
	}
	defer pauseGC()()
	got := future.Get()
	switch {
	case got.IsNone() || got.Some().IsErr():
		return &ErrorCode{Code: CodeInternalError, Detail: "the trailers were not delivered"}
	case got.Some().Ok().IsErr():
		return errorCodeFromRaw(got.Some().Ok().Err())
	}
	if fields := got.Some().Ok().Ok(); fields.IsSome() {
		received := headerFromEntries(fields.Some().Entries())
		fields.Some().Drop()
		if b.trailer != nil && len(received) > 0 {
			if *b.trailer == nil {
				*b.trailer = http.Header{}
			}
			for name, values := range received {
				(*b.trailer)[name] = values
			}
		}
	}
	return io.EOF
}

func (b *incomingBody) release() {
	if b.done {
		return
	}
	b.done = true
	// The stream is a child of the body, and both are gone once the trailers were read.
	if b.stream != nil {
		b.stream.Drop()
	}
	if b.body != nil {
		b.body.Drop()
	}
	if b.parent != nil {
		b.parent.Drop()
	}
}

// pauseGC keeps the Go garbage collector from finishing a cycle until resume is called.
// Host calls that return lists or strings call back into the module (cabi_realloc) to
// allocate, and a GC cycle that ends inside that callback reads the wall clock, which the
// component model forbids there ("cannot leave component instance"; the preview1 adapter
// pauses only the monotonic clock). Disabling GC first waits for a running cycle to end, so
// none can end inside the call. Pauses nest.
func pauseGC() (resume func()) {
	old := debug.SetGCPercent(-1)
	return func() { debug.SetGCPercent(old) }
}

type closedError struct{}

func (closedError) Error() string { return "read on a closed body" }

var errClosed error = closedError{}
