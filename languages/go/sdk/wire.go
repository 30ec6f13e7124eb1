package courier

import (
	"strings"

	raw "courier.dev/courier/internal/wit/imports/wasi_http_types"
)

// rawMethod maps a method token to the WIT method variant; tokens are case-sensitive.
func rawMethod(m string) raw.Method {
	switch m {
	case "GET":
		return raw.MakeMethodGet()
	case "HEAD":
		return raw.MakeMethodHead()
	case "POST":
		return raw.MakeMethodPost()
	case "PUT":
		return raw.MakeMethodPut()
	case "DELETE":
		return raw.MakeMethodDelete()
	case "CONNECT":
		return raw.MakeMethodConnect()
	case "OPTIONS":
		return raw.MakeMethodOptions()
	case "TRACE":
		return raw.MakeMethodTrace()
	case "PATCH":
		return raw.MakeMethodPatch()
	}
	return raw.MakeMethodOther(m)
}

// rawScheme maps a URL scheme to the WIT scheme variant; schemes are case-insensitive.
func rawScheme(s string) raw.Scheme {
	switch strings.ToLower(s) {
	case "http":
		return raw.MakeSchemeHttp()
	case "https":
		return raw.MakeSchemeHttps()
	}
	return raw.MakeSchemeOther(s)
}

// methodString reads a WIT method variant back as its token.
func methodString(m raw.Method) string {
	switch m.Tag() {
	case raw.Method_Get:
		return "GET"
	case raw.Method_Head:
		return "HEAD"
	case raw.Method_Post:
		return "POST"
	case raw.Method_Put:
		return "PUT"
	case raw.Method_Delete:
		return "DELETE"
	case raw.Method_Connect:
		return "CONNECT"
	case raw.Method_Options:
		return "OPTIONS"
	case raw.Method_Trace:
		return "TRACE"
	case raw.Method_Patch:
		return "PATCH"
	}
	return m.Other()
}

// schemeString reads a WIT scheme variant back as its token.
func schemeString(s raw.Scheme) string {
	switch s.Tag() {
	case raw.Scheme_Http:
		return "http"
	case raw.Scheme_Https:
		return "https"
	}
	return s.Other()
}
