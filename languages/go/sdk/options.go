package courier

import (
	"context"
	"fmt"
	"time"

	raw "courier.dev/courier/internal/wit/imports/wasi_http_types"
	witTypes "go.bytecodealliance.org/pkg/wit/types"
)

var _ time.Duration

// RequestOptions are the properties of the WIT request-options resource. A zero (or nil)
// field leaves the host's default; durations are enforced by the host, not by Go timers.
type RequestOptions struct {
	// The timeout for the initial connect to the HTTP Server.
	ConnectTimeout time.Duration
	// The timeout for receiving the first byte of the Response body.
	FirstByteTimeout time.Duration
	// The timeout for receiving subsequent chunks of bytes in the Response
	// body stream.
	BetweenBytesTimeout time.Duration
}

type optionsKey struct{}

// WithRequestOptions returns a context that makes Send (and a Transport) use o for requests
// made with it: req = req.WithContext(WithRequestOptions(req.Context(), o)).
func WithRequestOptions(ctx context.Context, o RequestOptions) context.Context {
	return context.WithValue(ctx, optionsKey{}, o)
}

// RequestOptionsFrom returns the options WithRequestOptions stored in ctx.
func RequestOptionsFrom(ctx context.Context) (RequestOptions, bool) {
	o, ok := ctx.Value(optionsKey{}).(RequestOptions)
	return o, ok
}

// merged returns o with every unset field taken from defaults.
func (o RequestOptions) merged(defaults RequestOptions) RequestOptions {
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = defaults.ConnectTimeout
	}
	if o.FirstByteTimeout == 0 {
		o.FirstByteTimeout = defaults.FirstByteTimeout
	}
	if o.BetweenBytesTimeout == 0 {
		o.BetweenBytesTimeout = defaults.BetweenBytesTimeout
	}
	return o
}

// toRaw builds the WIT resource, or returns nil when nothing is set.
func (o RequestOptions) toRaw() (*raw.RequestOptions, error) {
	if o == (RequestOptions{}) {
		return nil, nil
	}
	r := raw.MakeRequestOptions()
	if o.ConnectTimeout > 0 {
		// WIT durations are nanoseconds.
		if r.SetConnectTimeout(witTypes.Some(uint64(o.ConnectTimeout.Nanoseconds()))).IsErr() {
			r.Drop()
			return nil, fmt.Errorf("the host does not support request option connect-timeout")
		}
	}
	if o.FirstByteTimeout > 0 {
		// WIT durations are nanoseconds.
		if r.SetFirstByteTimeout(witTypes.Some(uint64(o.FirstByteTimeout.Nanoseconds()))).IsErr() {
			r.Drop()
			return nil, fmt.Errorf("the host does not support request option first-byte-timeout")
		}
	}
	if o.BetweenBytesTimeout > 0 {
		// WIT durations are nanoseconds.
		if r.SetBetweenBytesTimeout(witTypes.Some(uint64(o.BetweenBytesTimeout.Nanoseconds()))).IsErr() {
			r.Drop()
			return nil, fmt.Errorf("the host does not support request option between-bytes-timeout")
		}
	}
	return r, nil
}
