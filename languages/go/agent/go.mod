module courier.dev/agent

go 1.27.1

require (
	courier.dev/courier v0.0.0
	go.bytecodealliance.org/pkg v0.4.0
)

// The generated SDK and the bindings' runtime package it carries: nothing is downloaded.
replace (
	courier.dev/courier => ../sdk
	go.bytecodealliance.org/pkg => ../sdk/witpkg
)
