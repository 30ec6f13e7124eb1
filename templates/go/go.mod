// The SDK of {{ model.world }}; componentize components with this world.
// world: {{ model.world }}
module {{ module }}

go {{ go_version }}

require {{ remote_pkg }}

// The bindings' runtime package, carried in witpkg/ (see witpkg/README.md): builds need
// neither the module proxy nor a toolchain download. A module that uses this SDK repeats
// this replace (Go applies only the main module's) and one for the SDK itself.
replace {{ witpkg_module }} => ./witpkg
