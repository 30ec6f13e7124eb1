//! Courier's outbound network policy: Spin's `allowed_outbound_hosts` grammar and
//! matcher, `{{ variable }}` templates in entries, the legacy `allowed_http_hosts`
//! conversion, and the `[outbound_networking] block_networks` list.
//!
//! This crate answers "may this component reach this URL / this IP address?" and
//! "is this configuration valid, and if not, why?", with Spin's messages. The
//! behaviour follows `shared/spec/outbound-rules.md` (sections 1, 2.2, 3.1, 6), Spin
//! `main` column, plus Courier's documented decisions:
//!
//! - `*://*.spin.internal` is accepted: for a service-chaining host, a missing port
//!   with a scheme that has no default port means any port (chaining ignores ports).
//!   `*://127.0.0.0/24` with no port is still an error.
//!
//! It is **not** the runtime: it does no I/O, no DNS, no async and no logging.
//! Callers resolve variables (through the `lookup` they pass), resolve DNS before
//! asking [`BlockedNetworks`], log the lines of [`denial_advice`], detect self
//! requests (`/path`, `self.alt`), and dispatch chained requests (see [`chaining_target`]).
//!
//! # Where Courier differs from Spin, and why
//!
//! Each of these is pinned by a unit test.
//!
//! - **`*://*.spin.internal`** (spec decision): accepted, with any port, for every
//!   chaining host whose scheme has no default port. Schemes with a default keep it
//!   (`http://*.spin.internal` is port 80), because chaining permission checks the port.
//! - **Request URLs that state a scheme** (`https://…`, `file://…`) are parsed once.
//!   Spin retries any failure with `https://` prepended, which turns `https://bad host`
//!   or `file:///x` into a request to a host named `https` or `file`; both deny it, but
//!   Courier reports an unparseable URL instead of advising to allow `https://https`.
//!   Scheme-less text (`host:port`, `user:pw@host`) is retried as in Spin.
//! - **`block_networks = ["private"]`** follows the IANA IPv4/IPv6 special-purpose
//!   registries ("globally reachable = false"), plus site-local `fec0::/10` and
//!   non-global IPv6 multicast. Spin's `ip_network` crate treats some of these as
//!   global (e.g. `2001::/23`, `3fff::/20`, `5f00::/16`, `100::/64`, `64:ff9b:1::/48`).
//!   IPv4-mapped/compatible addresses are judged as IPv4, as in Spin.
//! - **[`chaining_target`]** compares `spin.internal` case-insensitively and rejects an
//!   empty label (`.spin.internal`), so a host the normalising matcher allowed is never
//!   sent to DNS instead of being chained.
//! - **Denial advice** hides a port equal to the scheme's matcher default for every
//!   scheme (`mysql://db:3306` shows as `mysql://db`); Spin hides only the `url`
//!   crate's special-scheme defaults.
//! - **A host starting with `{`** that is not a closed list (`{a.com`) gets the
//!   "host lists are not yet supported" reason; Spin fails an internal assertion there.
//! - **Template variable names** must match `[a-z][a-z0-9_]*`; at load time a variable
//!   missing from `defaults` counts as having no default, so its entry is skipped.
//!
//! Left as in Spin although surprising (also pinned by tests): `A..B` port ranges are
//! half-open and may be empty; `https://self/` is the literal host `self`; `HTTP://x`
//! has no default port; a `*` host allows `<anything>.spin.internal`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod advice;
mod blocked;
mod entry;
mod error;
mod legacy;
mod list;
mod template;
mod url;

pub use crate::advice::denial_advice;
pub use crate::blocked::BlockedNetworks;
pub use crate::entry::{
    default_port, AllowedHost, HostConfig, PortConfig, SchemeConfig, SERVICE_CHAINING_DOMAIN_SUFFIX,
};
pub use crate::error::{ErrorKind, PolicyError};
pub use crate::legacy::{
    convert_allowed_http_hosts, convert_allowed_http_hosts_v1, deprecation_warning,
};
pub use crate::list::{
    chaining_target, requires_service_chaining, validate, AllowedHosts, EntryMismatch, Explanation,
};
pub use crate::template::template_variables;
pub use crate::url::OutboundUrl;
