// Package inbound connects the exported {{ model.incoming_handler.interface }} entry point to
// the handler the SDK's Handle registers, without an import cycle.
package inbound

import (
	raw "{{ module }}/internal/wit/imports/{{ types_pkg }}"
)

// Handler serves one inbound request; nil until Handle is called.
var Handler func(request *raw.IncomingRequest, out *raw.ResponseOutparam)
