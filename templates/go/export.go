// Package {{ export_pkg }} holds the function the exported {{ model.incoming_handler.interface }}
// calls (wit-bindgen-go's library layout expects it here).
package {{ export_pkg }}

import (
	"{{ module }}/internal/inbound"
	raw "{{ module }}/internal/wit/imports/{{ types_pkg }}"
	witTypes "go.bytecodealliance.org/pkg/wit/types"
)

// Handle serves one inbound request with the registered handler, or answers an error when
// the component never called Handle.
func Handle(request *raw.IncomingRequest, responseOut *raw.ResponseOutparam) {
	if inbound.Handler == nil {
		request.Drop()
		detail := "the component did not register a handler"
		raw.ResponseOutparamSet(responseOut, witTypes.Err[*raw.OutgoingResponse](raw.{{ internal_error_ctor }}(witTypes.Some(detail))))
		return
	}
	inbound.Handler(request, responseOut)
}
