{# One field per `request-options` getter/setter pair found in the WIT. -#}
package {{ package }}

import (
	"context"
	"fmt"
	"time"

	raw "{{ module }}/internal/wit/imports/{{ types_pkg }}"
	witTypes "go.bytecodealliance.org/pkg/wit/types"
)

var _ time.Duration

// RequestOptions are the properties of the WIT request-options resource. A zero (or nil)
// field leaves the host's default; durations are enforced by the host, not by Go timers.
type RequestOptions struct {
{%- for option in options %}
	{%- for line in option.docs %}
	// {{ line }}
	{%- endfor %}
	{%- if option.is_duration %}
	{{ option.go_name }} {{ option.ty }}
	{%- else %}
	{{ option.go_name }} *{{ option.ty }}
	{%- endif %}
{%- endfor %}
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
{%- for option in options %}
	{%- if option.is_duration %}
	if o.{{ option.go_name }} == 0 {
	{%- else %}
	if o.{{ option.go_name }} == nil {
	{%- endif %}
		o.{{ option.go_name }} = defaults.{{ option.go_name }}
	}
{%- endfor %}
	return o
}

// toRaw builds the WIT resource, or returns nil when nothing is set.
func (o RequestOptions) toRaw() (*raw.RequestOptions, error) {
	if o == (RequestOptions{}) {
		return nil, nil
	}
	r := raw.MakeRequestOptions()
{%- for option in options %}
	{%- if option.is_duration %}
	if o.{{ option.go_name }} > 0 {
		// WIT durations are nanoseconds.
		if r.{{ option.setter }}(witTypes.Some(uint64(o.{{ option.go_name }}.Nanoseconds()))).IsErr() {
	{%- else %}
	if o.{{ option.go_name }} != nil {
		if r.{{ option.setter }}(witTypes.Some(*o.{{ option.go_name }})).IsErr() {
	{%- endif %}
			r.Drop()
			return nil, fmt.Errorf("the host does not support request option {{ option.wit_name }}")
		}
	}
{%- endfor %}
	return r, nil
}
