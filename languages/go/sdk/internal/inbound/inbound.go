// Package inbound connects the exported wasi:http/incoming-handler@0.2.12 entry point to
// the handler the SDK's Handle registers, without an import cycle.
package inbound

import (
	raw "courier.dev/courier/internal/wit/imports/wasi_http_types"
)

// Handler serves one inbound request; nil until Handle is called.
var Handler func(request *raw.IncomingRequest, out *raw.ResponseOutparam)
