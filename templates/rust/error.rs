{# Every enum here is a loop over the model: a case added to the WIT shows up on the next
   `courier generate` without an edit to this file. -#}
//! Errors of the SDK. [`ErrorCode`] and [`HeaderError`] mirror the `{{ model.package }}`
//! variants case for case; their `Display` is the case name exactly as the WIT spells it.

use std::fmt;

use crate::bindings::wasi::http::types as raw;

/// Why a request failed: `error-code` from `{{ model.package }}`.
///
/// `Display` prints the WIT case name (e.g. `HTTP-request-denied`), followed by the
/// payload when the case carries one; [`ErrorCode::wit_name`] gives the bare name.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorCode {
{%- for case in error_codes %}
    {%- for line in case.docs %}
    /// {{ line }}
    {%- endfor %}
    {%- match case.payload %}
    {%- when Some with (ty) %}
    {{ case.rust_name }}({{ ty }}),
    {%- when None %}
    {{ case.rust_name }},
    {%- endmatch %}
{%- endfor %}
}

impl ErrorCode {
    /// The case name as written in the WIT, e.g. `DNS-error`.
    pub fn wit_name(&self) -> &'static str {
        match self {
        {%- for case in error_codes %}
            {%- match case.payload %}
            {%- when Some with (_ty) %}
            ErrorCode::{{ case.rust_name }}(_) => "{{ case.wit_name }}",
            {%- when None %}
            ErrorCode::{{ case.rust_name }} => "{{ case.wit_name }}",
            {%- endmatch %}
        {%- endfor %}
        }
    }

    /// Every case name of `error-code`, in WIT order.
    pub const WIT_NAMES: &'static [&'static str] = &[
    {%- for case in error_codes %}
        "{{ case.wit_name }}",
    {%- endfor %}
    ];
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
        {%- for case in error_codes %}
            {%- match case.payload %}
            {%- when Some with (_ty) %}
            ErrorCode::{{ case.rust_name }}(payload) => write!(f, "{{ case.wit_name }} ({payload:?})"),
            {%- when None %}
            ErrorCode::{{ case.rust_name }} => f.write_str("{{ case.wit_name }}"),
            {%- endmatch %}
        {%- endfor %}
        }
    }
}

impl std::error::Error for ErrorCode {}

impl FromRaw<raw::ErrorCode> for ErrorCode {
    fn from_raw(raw: raw::ErrorCode) -> Self {
        match raw {
        {%- for case in error_codes %}
            {%- match case.payload %}
            {%- when Some with (_ty) %}
            raw::ErrorCode::{{ case.rust_name }}(payload) => ErrorCode::{{ case.rust_name }}(FromRaw::from_raw(payload)),
            {%- when None %}
            raw::ErrorCode::{{ case.rust_name }} => ErrorCode::{{ case.rust_name }},
            {%- endmatch %}
        {%- endfor %}
        }
    }
}

/// Why a header could not be set: `header-error` from `{{ model.package }}`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum HeaderError {
{%- for case in header_errors %}
    {%- for line in case.docs %}
    /// {{ line }}
    {%- endfor %}
    {%- match case.payload %}
    {%- when Some with (ty) %}
    {{ case.rust_name }}({{ ty }}),
    {%- when None %}
    {{ case.rust_name }},
    {%- endmatch %}
{%- endfor %}
}

impl HeaderError {
    /// The case name as written in the WIT, e.g. `forbidden`.
    pub fn wit_name(&self) -> &'static str {
        match self {
        {%- for case in header_errors %}
            {%- match case.payload %}
            {%- when Some with (_ty) %}
            HeaderError::{{ case.rust_name }}(_) => "{{ case.wit_name }}",
            {%- when None %}
            HeaderError::{{ case.rust_name }} => "{{ case.wit_name }}",
            {%- endmatch %}
        {%- endfor %}
        }
    }
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wit_name())
    }
}

impl std::error::Error for HeaderError {}

impl FromRaw<raw::HeaderError> for HeaderError {
    fn from_raw(raw: raw::HeaderError) -> Self {
        match raw {
        {%- for case in header_errors %}
            {%- match case.payload %}
            {%- when Some with (_ty) %}
            raw::HeaderError::{{ case.rust_name }}(payload) => HeaderError::{{ case.rust_name }}(FromRaw::from_raw(payload)),
            {%- when None %}
            raw::HeaderError::{{ case.rust_name }} => HeaderError::{{ case.rust_name }},
            {%- endmatch %}
        {%- endfor %}
        }
    }
}
{% for record in records %}
{%- for line in record.docs %}
/// {{ line }}
{%- endfor %}
/// (`{{ record.wit_name }}` in the WIT.)
#[derive(Debug, Clone, PartialEq)]
pub struct {{ record.rust_name }} {
{%- for field in record.fields %}
    {%- for line in field.docs %}
    /// {{ line }}
    {%- endfor %}
    pub {{ field.rust_name }}: {{ field.ty }},
{%- endfor %}
}

impl FromRaw<raw::{{ record.rust_name }}> for {{ record.rust_name }} {
    fn from_raw(raw: raw::{{ record.rust_name }}) -> Self {
        Self {
        {%- for field in record.fields %}
            {{ field.rust_name }}: FromRaw::from_raw(raw.{{ field.rust_name }}),
        {%- endfor %}
        }
    }
}
{% endfor %}
/// Everything that can go wrong sending a request or reading its response.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The host refused or failed the request; the code comes from the WIT.
    Http(ErrorCode),
    /// A header name or value was rejected; `name` is the field the host refused, when known
    /// (the WIT's `header-error` does not say).
    Header { error: HeaderError, name: Option<String> },
    /// The request was refused before it was sent, for a reason the WIT names: `code` is
    /// `{{ uri_invalid }}` (not an absolute URI or a path, or a part the host would not take)
    /// or `{{ method_invalid }}`; `detail` says what was wrong.
    Refused { code: ErrorCode, detail: String },
    /// The request could not be built for a reason the WIT has no code for (an unsupported
    /// request option, a body taken twice).
    InvalidRequest(String),
    /// The response could not be turned into the type asked for.
    InvalidResponse(String),
    /// A body stream failed without an HTTP error code.
    Io(String),
}

impl Error {
    /// The `error-code`: the host's, or the one that names why the SDK refused the request.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Error::Http(code) | Error::Refused { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether the error is named by the WIT: an `error-code` or a `header-error`.
    pub fn has_wit_name(&self) -> bool {
        self.code().is_some() || matches!(self, Error::Header { .. })
    }

    pub(crate) fn invalid_uri(detail: impl Into<String>) -> Self {
        Error::Refused { code: ErrorCode::{{ uri_invalid }}, detail: detail.into() }
    }

    pub(crate) fn invalid_method(detail: impl Into<String>) -> Self {
        Error::Refused { code: ErrorCode::{{ method_invalid }}, detail: detail.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Http(code) => fmt::Display::fmt(code, f),
            Error::Header { error, name: Some(name) } => write!(f, "invalid header `{name}`: {error}"),
            Error::Header { error, name: None } => write!(f, "invalid header: {error}"),
            Error::Refused { code, detail } => write!(f, "{code}: {detail}"),
            Error::InvalidRequest(m) => write!(f, "invalid request: {m}"),
            Error::InvalidResponse(m) => write!(f, "invalid response: {m}"),
            Error::Io(m) => write!(f, "body stream failed: {m}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Http(code) | Error::Refused { code, .. } => Some(code),
            Error::Header { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl From<ErrorCode> for Error {
    fn from(code: ErrorCode) -> Self {
        Error::Http(code)
    }
}

impl From<HeaderError> for Error {
    fn from(error: HeaderError) -> Self {
        Error::Header { error, name: None }
    }
}

impl From<std::convert::Infallible> for Error {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl From<::http::Error> for Error {
    fn from(e: ::http::Error) -> Self {
        Error::InvalidRequest(e.to_string())
    }
}

/// Converts a raw binding value into the SDK's mirror of it.
pub(crate) trait FromRaw<R> {
    fn from_raw(raw: R) -> Self;
}

macro_rules! identity_from_raw {
    ($($t:ty),*) => { $(impl FromRaw<$t> for $t { fn from_raw(raw: $t) -> Self { raw } })* };
}
identity_from_raw!(bool, u8, u16, u32, u64, i8, i16, i32, i64, f32, f64, char, String);

impl<R, T: FromRaw<R>> FromRaw<Option<R>> for Option<T> {
    fn from_raw(raw: Option<R>) -> Self {
        raw.map(T::from_raw)
    }
}

impl<R, T: FromRaw<R>> FromRaw<Vec<R>> for Vec<T> {
    fn from_raw(raw: Vec<R>) -> Self {
        raw.into_iter().map(T::from_raw).collect()
    }
}
