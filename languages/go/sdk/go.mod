// The SDK of wasi:http/proxy@0.2.12; componentize components with this world.
// world: wasi:http/proxy@0.2.12
module courier.dev/courier

go 1.27.1

require go.bytecodealliance.org/pkg v0.4.0

// The bindings' runtime package, carried in witpkg/ (see witpkg/README.md): builds need
// neither the module proxy nor a toolchain download. A module that uses this SDK repeats
// this replace (Go applies only the main module's) and one for the SDK itself.
replace go.bytecodealliance.org/pkg => ./witpkg
