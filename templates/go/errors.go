{# Every constant and case here is a loop over the model: a case added to the WIT shows up
   on the next `courier generate` without an edit to this file. -#}
package {{ package }}

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	raw "{{ module }}/internal/wit/imports/{{ types_pkg }}"
	ioerror "{{ module }}/internal/wit/imports/wasi_io_error"
	witTypes "go.bytecodealliance.org/pkg/wit/types"
)

// Code is a case of the {{ model.package }} error-code variant. String returns the case
// name exactly as the WIT spells it.
type Code uint8

// The error-code cases of {{ model.package }}, in WIT order.
const (
{%- for case in error_codes %}
	{%- for line in case.docs %}
	// {{ line }}
	{%- endfor %}
	Code{{ case.const_name }} Code = {{ loop.index0 }}
{%- endfor %}
)

var codeNames = [...]string{
{%- for case in error_codes %}
	"{{ case.wit_name }}",
{%- endfor %}
}

// String returns the WIT name of the case, e.g. "HTTP-request-denied".
func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("Code(%d)", uint8(c))
}

// CodeNames lists every error-code case name of {{ model.package }}, in WIT order.
func CodeNames() []string {
	return append([]string(nil), codeNames[:]...)
}

// ErrorCode is why the host refused or failed a request: an error-code of {{ model.package }}.
// Errors returned by Send, Get, Post, a Transport and by response bodies unwrap to it with
// errors.As; errors.Is(err, &ErrorCode{Code: CodeConnectionRefused}) matches by code.
type ErrorCode struct {
	// Code is the case; Code.String() is its WIT name.
	Code Code
	// Payload is the case's payload when it has one (see the Code constants' WIT types),
	// as the SDK types in this package: options are pointers, nil when absent.
	Payload any
	// Detail is set when the SDK itself refused an input before the host saw it.
	Detail string
}

// WITName returns the case name as written in the WIT, e.g. "DNS-error".
func (e *ErrorCode) WITName() string {
	return e.Code.String()
}

// Timeout reports whether the code is one of the timeouts, for net.Error-style checks
// (url.Error's Timeout asks its cause).
func (e *ErrorCode) Timeout() bool {
	return strings.Contains(strings.ToLower(e.Code.String()), "timeout")
}

func (e *ErrorCode) Error() string {
	msg := e.Code.String()
	if e.Payload != nil {
		msg += " " + describe(reflect.ValueOf(e.Payload))
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// describe formats a payload with its pointers followed (options are pointers, nil when
// absent): {Rcode:"NXDOMAIN" InfoCode:<none>}, not addresses.
func describe(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "<none>"
		}
		return describe(v.Elem())
	case reflect.Struct:
		fields := make([]string, v.NumField())
		for i := range fields {
			fields[i] = v.Type().Field(i).Name + ":" + describe(v.Field(i))
		}
		return "{" + strings.Join(fields, " ") + "}"
	case reflect.String:
		return strconv.Quote(v.String())
	default:
		return fmt.Sprint(v)
	}
}

// Is reports whether target is an *ErrorCode with the same Code.
func (e *ErrorCode) Is(target error) bool {
	t, ok := target.(*ErrorCode)
	return ok && t.Code == e.Code
}

func errorCodeFromRaw(v raw.ErrorCode) *ErrorCode {
	switch v.Tag() {
{%- for case in error_codes %}
	case raw.{{ case.raw_tag }}:
		{%- match case.payload %}
		{%- when Some with (p) %}
		return &ErrorCode{Code: Code{{ case.const_name }}, Payload: {{ p.convert }}}
		{%- when None %}
		return &ErrorCode{Code: Code{{ case.const_name }}}
		{%- endmatch %}
{%- endfor %}
	}
	return &ErrorCode{Code: Code{{ internal_error }}, Detail: fmt.Sprintf("unknown error-code tag %d", v.Tag())}
}

// streamError turns a failed stream operation into the error-code the host attached to it.
func streamError(err *ioerror.Error) *ErrorCode {
	defer err.Drop()
	defer pauseGC()()
	if code := raw.HttpErrorCode(err); code.IsSome() {
		return errorCodeFromRaw(code.Some())
	}
	return &ErrorCode{Code: Code{{ internal_error }}, Detail: err.ToDebugString()}
}

// HeaderErrorCode is a case of the {{ model.package }} header-error variant.
type HeaderErrorCode uint8

// The header-error cases of {{ model.package }}, in WIT order.
const (
{%- for case in header_errors %}
	{%- for line in case.docs %}
	// {{ line }}
	{%- endfor %}
	Header{{ case.const_name }} HeaderErrorCode = {{ loop.index0 }}
{%- endfor %}
)

var headerCodeNames = [...]string{
{%- for case in header_errors %}
	"{{ case.wit_name }}",
{%- endfor %}
}

// String returns the WIT name of the case, e.g. "forbidden".
func (c HeaderErrorCode) String() string {
	if int(c) < len(headerCodeNames) {
		return headerCodeNames[c]
	}
	return fmt.Sprintf("HeaderErrorCode(%d)", uint8(c))
}

// HeaderError is why the host rejected a header: a header-error of {{ model.package }}.
type HeaderError struct {
	Code HeaderErrorCode
	// Payload is the case's payload when it has one.
	Payload any
	// Name is the header the host refused, when known (the WIT's header-error does not say).
	Name string
}

// WITName returns the case name as written in the WIT, e.g. "invalid-syntax".
func (e *HeaderError) WITName() string {
	return e.Code.String()
}

func (e *HeaderError) Error() string {
	text := "header rejected: " + e.Code.String()
	if e.Name != "" {
		text = fmt.Sprintf("header %q rejected: %s", e.Name, e.Code)
	}
	if e.Payload != nil {
		text += " " + describe(reflect.ValueOf(e.Payload))
	}
	return text
}

// Is reports whether target is a *HeaderError with the same Code.
func (e *HeaderError) Is(target error) bool {
	t, ok := target.(*HeaderError)
	return ok && t.Code == e.Code
}

func headerErrorFromRaw(v raw.HeaderError) *HeaderError {
	switch v.Tag() {
{%- for case in header_errors %}
	case raw.{{ case.raw_tag }}:
		{%- match case.payload %}
		{%- when Some with (p) %}
		return &HeaderError{Code: Header{{ case.const_name }}, Payload: {{ p.convert }}}
		{%- when None %}
		return &HeaderError{Code: Header{{ case.const_name }}}
		{%- endmatch %}
{%- endfor %}
	}
	return &HeaderError{Code: HeaderErrorCode(v.Tag())}
}
{% for record in records %}
{%- for line in record.docs %}
// {{ line }}
{%- endfor %}
// ({{ record.wit_name }} in the WIT.)
type {{ record.go_name }} struct {
{%- for field in record.fields %}
	{%- for line in field.docs %}
	// {{ line }}
	{%- endfor %}
	{{ field.go_name }} {{ field.ty }}
{%- endfor %}
}

func {{ record.from_raw }}(v raw.{{ record.go_name }}) {{ record.go_name }} {
	return {{ record.go_name }}{
	{%- for field in record.fields %}
		{{ field.go_name }}: {{ field.convert }},
	{%- endfor %}
	}
}
{% endfor %}
// optionOf converts a WIT option to a pointer, nil when absent.
func optionOf[R, T any](o witTypes.Option[R], f func(R) T) *T {
	if o.IsNone() {
		return nil
	}
	v := f(o.Some())
	return &v
}

// listOf converts a WIT list element by element.
func listOf[R, T any](l []R, f func(R) T) []T {
	out := make([]T, len(l))
	for i, x := range l {
		out[i] = f(x)
	}
	return out
}
