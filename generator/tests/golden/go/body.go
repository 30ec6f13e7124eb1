package sdk

import (
	"io"
	"net/http"
	"runtime/debug"

	witTypes "go.bytecodealliance.org/pkg/wit/types"
	raw "golden.example/sdk/internal/wit/imports/wasi_http_types"
	streams "golden.example/sdk/internal/wit/imports/wasi_io_streams"
)

// maxWrite is the most blocking-write-and-flush accepts in one call.
const maxWrite = 4096

// maxRead is the most one blocking-read asks for.
const maxRead = 64 * 1024

// writeBody writes everything src yields into the outgoing body, flushing after each piece
// src returns, then finishes the body. The body is always finished or dropped.
func writeBody(body *raw.OutgoingBody, src io.Reader) error {
	if src == nil || src == http.NoBody {
		return finishBody(body)
	}
	opened := body.Write()
	if opened.IsErr() {
		body.Drop()
		return &ErrorCode{Code: CodeInternalError, Detail: "the request body stream was already taken"}
	}
	stream := opened.Ok()
	buf := make([]byte, maxRead)
	for {
		n, readErr := src.Read(buf)
		if err := writeAll(stream, buf[:n]); err != nil {
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
			return &ErrorCode{Code: CodeInternalError, Detail: "reading the request body: " + readErr.Error()}
		}
	}
	// The stream is a child of the body: drop it before finishing.
	stream.Drop()
	return finishBody(body)
}

func finishBody(body *raw.OutgoingBody) error {
	defer pauseGC()()
	finished := raw.OutgoingBodyFinish(body, witTypes.None[*raw.Fields]())
	if finished.IsErr() {
		return errorCodeFromRaw(finished.Err())
	}
	return nil
}

// writeAll writes p in pieces the host accepts, blocking until each is flushed.
func writeAll(stream *streams.OutputStream, p []byte) error {
	for len(p) > 0 {
		n := min(len(p), maxWrite)
		written := stream.BlockingWriteAndFlush(p[:n])
		if written.IsErr() {
			return writeError(written.Err())
		}
		p = p[n:]
	}
	return nil
}

func writeError(e streams.StreamError) error {
	if e.Tag() == streams.StreamError_LastOperationFailed {
		return streamError(e.LastOperationFailed())
	}
	return &ErrorCode{Code: CodeInternalError, Detail: "the body stream was closed by the host"}
}

// incomingBody is an http.Response or http.Request body over a WIT incoming-body. Read blocks
// on the host; Close releases the stream, the body and the parent resource in that order.
type incomingBody struct {
	stream *streams.InputStream
	body   *raw.IncomingBody
	// parent is the response or request the body belongs to, dropped last.
	parent interface{ Drop() }
	done   bool
	err    error
}

func newIncomingBody(body *raw.IncomingBody, parent interface{ Drop() }) (*incomingBody, error) {
	opened := body.Stream()
	if opened.IsErr() {
		body.Drop()
		if parent != nil {
			parent.Drop()
		}
		return nil, &ErrorCode{Code: CodeInternalError, Detail: "the body stream was already taken"}
	}
	return &incomingBody{stream: opened.Ok(), body: body, parent: parent}, nil
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
		got := b.stream.BlockingRead(uint64(min(len(p), maxRead)))
		resume()
		if got.IsErr() {
			e := got.Err()
			if e.Tag() == streams.StreamError_Closed {
				b.err = io.EOF
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

func (b *incomingBody) release() {
	if b.done {
		return
	}
	b.done = true
	b.stream.Drop()
	// finish hands back the trailers future; this SDK does not read trailers.
	raw.IncomingBodyFinish(b.body).Drop()
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
