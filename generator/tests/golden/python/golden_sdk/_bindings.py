"""The raw wasi:http@0.2.12 bindings this package builds on.

componentize-py generates them when it builds a component (and `componentize-py bindings`
writes type stubs for editors and mypy). Their module names are pinned with one
`--import-interface-name`/`--export-interface-name` flag per interface, so they do not depend
on which other packages a world pulls in:

    --import-interface-name wasi:http/types@0.2.12=http_types
    --import-interface-name wasi:http/outgoing-handler@0.2.12=outgoing_handler
    --export-interface-name wasi:http/incoming-handler@0.2.12=incoming_handler
    --import-interface-name wasi:io/streams@0.2.12=streams
    --import-interface-name wasi:io/poll@0.2.12=poll
    --import-interface-name wasi:io/error@0.2.12=io_error
    --import-interface-name wasi:clocks/monotonic-clock@0.2.12=monotonic_clock
"""

from wit_world.imports import (
    http_types,
    io_error,
    monotonic_clock,
    outgoing_handler,
    poll,
    streams,
)

__all__ = [
    "EXPORT_INTERFACE_NAMES",
    "IMPORT_INTERFACE_NAMES",
    "WORLD",
    "http_types",
    "io_error",
    "monotonic_clock",
    "outgoing_handler",
    "poll",
    "streams",
]

#: `(interface, module)` for every binding module above; the flags componentize-py needs.
IMPORT_INTERFACE_NAMES = (
    ("wasi:http/types@0.2.12", "http_types"),
    ("wasi:http/outgoing-handler@0.2.12", "outgoing_handler"),
    ("wasi:io/streams@0.2.12", "streams"),
    ("wasi:io/poll@0.2.12", "poll"),
    ("wasi:io/error@0.2.12", "io_error"),
    ("wasi:clocks/monotonic-clock@0.2.12", "monotonic_clock"),
)

#: `(interface, module)` for the exported handler interface.
EXPORT_INTERFACE_NAMES = (
    ("wasi:http/incoming-handler@0.2.12", "incoming_handler"),
)

#: The world the SDK is generated for.
WORLD = "wasi:http/proxy@0.2.12"
