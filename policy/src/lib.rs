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
//! asking [`BlockedNetworks`], log the lines of [`denial_advice`], and dispatch
//! chained requests (see [`chaining_target`]).

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
pub use crate::list::{chaining_target, validate, AllowedHosts, EntryMismatch, Explanation};
pub use crate::template::template_variables;
pub use crate::url::OutboundUrl;
