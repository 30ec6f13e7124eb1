// Package export_wasi_http_incoming_handler holds the function the exported wasi:http/incoming-handler@0.2.12
// calls (wit-bindgen-go's library layout expects it here).
package export_wasi_http_incoming_handler

import (
	"courier.dev/courier/internal/inbound"
	raw "courier.dev/courier/internal/wit/imports/wasi_http_types"
	witTypes "go.bytecodealliance.org/pkg/wit/types"
)

// Handle serves one inbound request with the registered handler, or answers an error when
// the component never called Handle.
func Handle(request *raw.IncomingRequest, responseOut *raw.ResponseOutparam) {
	if inbound.Handler == nil {
		request.Drop()
		detail := "the component did not register a handler"
		raw.ResponseOutparamSet(responseOut, witTypes.Err[*raw.OutgoingResponse](raw.MakeErrorCodeInternalError(witTypes.Some(detail))))
		return
	}
	inbound.Handler(request, responseOut)
}
