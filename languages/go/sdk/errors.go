package courier

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	raw "courier.dev/courier/internal/wit/imports/wasi_http_types"
	ioerror "courier.dev/courier/internal/wit/imports/wasi_io_error"
	witTypes "go.bytecodealliance.org/pkg/wit/types"
)

// Code is a case of the wasi:http@0.2.12 error-code variant. String returns the case
// name exactly as the WIT spells it.
type Code uint8

// The error-code cases of wasi:http@0.2.12, in WIT order.
const (
	CodeDnsTimeout                     Code = 0
	CodeDnsError                       Code = 1
	CodeDestinationNotFound            Code = 2
	CodeDestinationUnavailable         Code = 3
	CodeDestinationIpProhibited        Code = 4
	CodeDestinationIpUnroutable        Code = 5
	CodeConnectionRefused              Code = 6
	CodeConnectionTerminated           Code = 7
	CodeConnectionTimeout              Code = 8
	CodeConnectionReadTimeout          Code = 9
	CodeConnectionWriteTimeout         Code = 10
	CodeConnectionLimitReached         Code = 11
	CodeTlsProtocolError               Code = 12
	CodeTlsCertificateError            Code = 13
	CodeTlsAlertReceived               Code = 14
	CodeHttpRequestDenied              Code = 15
	CodeHttpRequestLengthRequired      Code = 16
	CodeHttpRequestBodySize            Code = 17
	CodeHttpRequestMethodInvalid       Code = 18
	CodeHttpRequestUriInvalid          Code = 19
	CodeHttpRequestUriTooLong          Code = 20
	CodeHttpRequestHeaderSectionSize   Code = 21
	CodeHttpRequestHeaderSize          Code = 22
	CodeHttpRequestTrailerSectionSize  Code = 23
	CodeHttpRequestTrailerSize         Code = 24
	CodeHttpResponseIncomplete         Code = 25
	CodeHttpResponseHeaderSectionSize  Code = 26
	CodeHttpResponseHeaderSize         Code = 27
	CodeHttpResponseBodySize           Code = 28
	CodeHttpResponseTrailerSectionSize Code = 29
	CodeHttpResponseTrailerSize        Code = 30
	CodeHttpResponseTransferCoding     Code = 31
	CodeHttpResponseContentCoding      Code = 32
	CodeHttpResponseTimeout            Code = 33
	CodeHttpUpgradeFailed              Code = 34
	CodeHttpProtocolError              Code = 35
	CodeLoopDetected                   Code = 36
	CodeConfigurationError             Code = 37
	// This is a catch-all error for anything that doesn't fit cleanly into a
	// more specific case. It also includes an optional string for an
	// unstructured description of the error. Users should not depend on the
	// string for diagnosing errors, as it's not required to be consistent
	// between implementations.
	CodeInternalError Code = 38
)

var codeNames = [...]string{
	"DNS-timeout",
	"DNS-error",
	"destination-not-found",
	"destination-unavailable",
	"destination-IP-prohibited",
	"destination-IP-unroutable",
	"connection-refused",
	"connection-terminated",
	"connection-timeout",
	"connection-read-timeout",
	"connection-write-timeout",
	"connection-limit-reached",
	"TLS-protocol-error",
	"TLS-certificate-error",
	"TLS-alert-received",
	"HTTP-request-denied",
	"HTTP-request-length-required",
	"HTTP-request-body-size",
	"HTTP-request-method-invalid",
	"HTTP-request-URI-invalid",
	"HTTP-request-URI-too-long",
	"HTTP-request-header-section-size",
	"HTTP-request-header-size",
	"HTTP-request-trailer-section-size",
	"HTTP-request-trailer-size",
	"HTTP-response-incomplete",
	"HTTP-response-header-section-size",
	"HTTP-response-header-size",
	"HTTP-response-body-size",
	"HTTP-response-trailer-section-size",
	"HTTP-response-trailer-size",
	"HTTP-response-transfer-coding",
	"HTTP-response-content-coding",
	"HTTP-response-timeout",
	"HTTP-upgrade-failed",
	"HTTP-protocol-error",
	"loop-detected",
	"configuration-error",
	"internal-error",
}

// String returns the WIT name of the case, e.g. "HTTP-request-denied".
func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("Code(%d)", uint8(c))
}

// CodeNames lists every error-code case name of wasi:http@0.2.12, in WIT order.
func CodeNames() []string {
	return append([]string(nil), codeNames[:]...)
}

// ErrorCode is why the host refused or failed a request: an error-code of wasi:http@0.2.12.
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
	case raw.ErrorCode_DnsTimeout:
		return &ErrorCode{Code: CodeDnsTimeout}
	case raw.ErrorCode_DnsError:
		return &ErrorCode{Code: CodeDnsError, Payload: dnsErrorPayloadFromRaw(v.DnsError())}
	case raw.ErrorCode_DestinationNotFound:
		return &ErrorCode{Code: CodeDestinationNotFound}
	case raw.ErrorCode_DestinationUnavailable:
		return &ErrorCode{Code: CodeDestinationUnavailable}
	case raw.ErrorCode_DestinationIpProhibited:
		return &ErrorCode{Code: CodeDestinationIpProhibited}
	case raw.ErrorCode_DestinationIpUnroutable:
		return &ErrorCode{Code: CodeDestinationIpUnroutable}
	case raw.ErrorCode_ConnectionRefused:
		return &ErrorCode{Code: CodeConnectionRefused}
	case raw.ErrorCode_ConnectionTerminated:
		return &ErrorCode{Code: CodeConnectionTerminated}
	case raw.ErrorCode_ConnectionTimeout:
		return &ErrorCode{Code: CodeConnectionTimeout}
	case raw.ErrorCode_ConnectionReadTimeout:
		return &ErrorCode{Code: CodeConnectionReadTimeout}
	case raw.ErrorCode_ConnectionWriteTimeout:
		return &ErrorCode{Code: CodeConnectionWriteTimeout}
	case raw.ErrorCode_ConnectionLimitReached:
		return &ErrorCode{Code: CodeConnectionLimitReached}
	case raw.ErrorCode_TlsProtocolError:
		return &ErrorCode{Code: CodeTlsProtocolError}
	case raw.ErrorCode_TlsCertificateError:
		return &ErrorCode{Code: CodeTlsCertificateError}
	case raw.ErrorCode_TlsAlertReceived:
		return &ErrorCode{Code: CodeTlsAlertReceived, Payload: tlsAlertReceivedPayloadFromRaw(v.TlsAlertReceived())}
	case raw.ErrorCode_HttpRequestDenied:
		return &ErrorCode{Code: CodeHttpRequestDenied}
	case raw.ErrorCode_HttpRequestLengthRequired:
		return &ErrorCode{Code: CodeHttpRequestLengthRequired}
	case raw.ErrorCode_HttpRequestBodySize:
		return &ErrorCode{Code: CodeHttpRequestBodySize, Payload: optionOf(v.HttpRequestBodySize(), func(x uint64) uint64 { return x })}
	case raw.ErrorCode_HttpRequestMethodInvalid:
		return &ErrorCode{Code: CodeHttpRequestMethodInvalid}
	case raw.ErrorCode_HttpRequestUriInvalid:
		return &ErrorCode{Code: CodeHttpRequestUriInvalid}
	case raw.ErrorCode_HttpRequestUriTooLong:
		return &ErrorCode{Code: CodeHttpRequestUriTooLong}
	case raw.ErrorCode_HttpRequestHeaderSectionSize:
		return &ErrorCode{Code: CodeHttpRequestHeaderSectionSize, Payload: optionOf(v.HttpRequestHeaderSectionSize(), func(x uint32) uint32 { return x })}
	case raw.ErrorCode_HttpRequestHeaderSize:
		return &ErrorCode{Code: CodeHttpRequestHeaderSize, Payload: optionOf(v.HttpRequestHeaderSize(), func(x raw.FieldSizePayload) FieldSizePayload { return fieldSizePayloadFromRaw(x) })}
	case raw.ErrorCode_HttpRequestTrailerSectionSize:
		return &ErrorCode{Code: CodeHttpRequestTrailerSectionSize, Payload: optionOf(v.HttpRequestTrailerSectionSize(), func(x uint32) uint32 { return x })}
	case raw.ErrorCode_HttpRequestTrailerSize:
		return &ErrorCode{Code: CodeHttpRequestTrailerSize, Payload: fieldSizePayloadFromRaw(v.HttpRequestTrailerSize())}
	case raw.ErrorCode_HttpResponseIncomplete:
		return &ErrorCode{Code: CodeHttpResponseIncomplete}
	case raw.ErrorCode_HttpResponseHeaderSectionSize:
		return &ErrorCode{Code: CodeHttpResponseHeaderSectionSize, Payload: optionOf(v.HttpResponseHeaderSectionSize(), func(x uint32) uint32 { return x })}
	case raw.ErrorCode_HttpResponseHeaderSize:
		return &ErrorCode{Code: CodeHttpResponseHeaderSize, Payload: fieldSizePayloadFromRaw(v.HttpResponseHeaderSize())}
	case raw.ErrorCode_HttpResponseBodySize:
		return &ErrorCode{Code: CodeHttpResponseBodySize, Payload: optionOf(v.HttpResponseBodySize(), func(x uint64) uint64 { return x })}
	case raw.ErrorCode_HttpResponseTrailerSectionSize:
		return &ErrorCode{Code: CodeHttpResponseTrailerSectionSize, Payload: optionOf(v.HttpResponseTrailerSectionSize(), func(x uint32) uint32 { return x })}
	case raw.ErrorCode_HttpResponseTrailerSize:
		return &ErrorCode{Code: CodeHttpResponseTrailerSize, Payload: fieldSizePayloadFromRaw(v.HttpResponseTrailerSize())}
	case raw.ErrorCode_HttpResponseTransferCoding:
		return &ErrorCode{Code: CodeHttpResponseTransferCoding, Payload: optionOf(v.HttpResponseTransferCoding(), func(x string) string { return x })}
	case raw.ErrorCode_HttpResponseContentCoding:
		return &ErrorCode{Code: CodeHttpResponseContentCoding, Payload: optionOf(v.HttpResponseContentCoding(), func(x string) string { return x })}
	case raw.ErrorCode_HttpResponseTimeout:
		return &ErrorCode{Code: CodeHttpResponseTimeout}
	case raw.ErrorCode_HttpUpgradeFailed:
		return &ErrorCode{Code: CodeHttpUpgradeFailed}
	case raw.ErrorCode_HttpProtocolError:
		return &ErrorCode{Code: CodeHttpProtocolError}
	case raw.ErrorCode_LoopDetected:
		return &ErrorCode{Code: CodeLoopDetected}
	case raw.ErrorCode_ConfigurationError:
		return &ErrorCode{Code: CodeConfigurationError}
	case raw.ErrorCode_InternalError:
		return &ErrorCode{Code: CodeInternalError, Payload: optionOf(v.InternalError(), func(x string) string { return x })}
	}
	return &ErrorCode{Code: CodeInternalError, Detail: fmt.Sprintf("unknown error-code tag %d", v.Tag())}
}

// streamError turns a failed stream operation into the error-code the host attached to it.
func streamError(err *ioerror.Error) *ErrorCode {
	defer err.Drop()
	defer pauseGC()()
	if code := raw.HttpErrorCode(err); code.IsSome() {
		return errorCodeFromRaw(code.Some())
	}
	return &ErrorCode{Code: CodeInternalError, Detail: err.ToDebugString()}
}

// HeaderErrorCode is a case of the wasi:http@0.2.12 header-error variant.
type HeaderErrorCode uint8

// The header-error cases of wasi:http@0.2.12, in WIT order.
const (
	// This error indicates that a `field-name` or `field-value` was
	// syntactically invalid when used with an operation that sets headers in a
	// `fields`.
	HeaderInvalidSyntax HeaderErrorCode = 0
	// This error indicates that a forbidden `field-name` was used when trying
	// to set a header in a `fields`.
	HeaderForbidden HeaderErrorCode = 1
	// This error indicates that the operation on the `fields` was not
	// permitted because the fields are immutable.
	HeaderImmutable HeaderErrorCode = 2
)

var headerCodeNames = [...]string{
	"invalid-syntax",
	"forbidden",
	"immutable",
}

// String returns the WIT name of the case, e.g. "forbidden".
func (c HeaderErrorCode) String() string {
	if int(c) < len(headerCodeNames) {
		return headerCodeNames[c]
	}
	return fmt.Sprintf("HeaderErrorCode(%d)", uint8(c))
}

// HeaderError is why the host rejected a header: a header-error of wasi:http@0.2.12.
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
	case raw.HeaderError_InvalidSyntax:
		return &HeaderError{Code: HeaderInvalidSyntax}
	case raw.HeaderError_Forbidden:
		return &HeaderError{Code: HeaderForbidden}
	case raw.HeaderError_Immutable:
		return &HeaderError{Code: HeaderImmutable}
	}
	return &HeaderError{Code: HeaderErrorCode(v.Tag())}
}

// Defines the case payload type for `DNS-error` above:
// (DNS-error-payload in the WIT.)
type DnsErrorPayload struct {
	Rcode    *string
	InfoCode *uint16
}

func dnsErrorPayloadFromRaw(v raw.DnsErrorPayload) DnsErrorPayload {
	return DnsErrorPayload{
		Rcode:    optionOf(v.Rcode, func(x string) string { return x }),
		InfoCode: optionOf(v.InfoCode, func(x uint16) uint16 { return x }),
	}
}

// Defines the case payload type for `TLS-alert-received` above:
// (TLS-alert-received-payload in the WIT.)
type TlsAlertReceivedPayload struct {
	AlertId      *uint8
	AlertMessage *string
}

func tlsAlertReceivedPayloadFromRaw(v raw.TlsAlertReceivedPayload) TlsAlertReceivedPayload {
	return TlsAlertReceivedPayload{
		AlertId:      optionOf(v.AlertId, func(x uint8) uint8 { return x }),
		AlertMessage: optionOf(v.AlertMessage, func(x string) string { return x }),
	}
}

// Defines the case payload type for `HTTP-response-{header,trailer}-size` above:
// (field-size-payload in the WIT.)
type FieldSizePayload struct {
	FieldName *string
	FieldSize *uint32
}

func fieldSizePayloadFromRaw(v raw.FieldSizePayload) FieldSizePayload {
	return FieldSizePayload{
		FieldName: optionOf(v.FieldName, func(x string) string { return x }),
		FieldSize: optionOf(v.FieldSize, func(x uint32) uint32 { return x }),
	}
}

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
