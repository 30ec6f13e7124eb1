//! Conversions between the `http` crate's types and the raw wasi:http bindings.
use crate::bindings::wasi::http::types as raw;
use crate::error::{Error, FromRaw, HeaderError};
/// `http::Method` -> WIT `method`; anything the WIT has no case for goes to `Other`.
pub(crate) fn method_to_raw(method: &::http::Method) -> raw::Method {
    match method.as_str() {
        "GET" => raw::Method::Get,
        "HEAD" => raw::Method::Head,
        "POST" => raw::Method::Post,
        "PUT" => raw::Method::Put,
        "DELETE" => raw::Method::Delete,
        "CONNECT" => raw::Method::Connect,
        "OPTIONS" => raw::Method::Options,
        "TRACE" => raw::Method::Trace,
        "PATCH" => raw::Method::Patch,
        other => raw::Method::Other(other.to_string()),
    }
}
/// WIT `method` -> `http::Method`.
pub(crate) fn method_from_raw(method: &raw::Method) -> Result<::http::Method, Error> {
    let token: &str = match method {
        raw::Method::Get => "GET",
        raw::Method::Head => "HEAD",
        raw::Method::Post => "POST",
        raw::Method::Put => "PUT",
        raw::Method::Delete => "DELETE",
        raw::Method::Connect => "CONNECT",
        raw::Method::Options => "OPTIONS",
        raw::Method::Trace => "TRACE",
        raw::Method::Patch => "PATCH",
        raw::Method::Other(other) => other,
    };
    ::http::Method::from_bytes(token.as_bytes())
        .map_err(|_| Error::invalid_method(format!("`{token}` is not a method token")))
}
/// URI scheme -> WIT `scheme`.
pub(crate) fn scheme_to_raw(scheme: &str) -> raw::Scheme {
    match scheme.to_ascii_lowercase().as_str() {
        "http" => raw::Scheme::Http,
        "https" => raw::Scheme::Https,
        _ => raw::Scheme::Other(scheme.to_string()),
    }
}
/// WIT `scheme` -> URI scheme.
pub(crate) fn scheme_from_raw(scheme: &raw::Scheme) -> String {
    match scheme {
        raw::Scheme::Http => "http".to_string(),
        raw::Scheme::Https => "https".to_string(),
        raw::Scheme::Other(other) => other.clone(),
    }
}
/// The `content-length` a header list declares, if it declares a valid one.
pub(crate) fn declared_length(headers: &[(String, Vec<u8>)]) -> Option<u64> {
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| std::str::from_utf8(value).ok()?.trim().parse().ok())
}
/// Ordered header list -> WIT `fields`, keeping repeated names and their order.
/// A refusal names the first field the host refuses alone: the WIT's `header-error` does not.
pub(crate) fn fields_from_list(
    headers: &[(String, Vec<u8>)],
) -> Result<raw::Fields, Error> {
    raw::Fields::from_list(headers)
        .map_err(|e| Error::Header {
            error: HeaderError::from_raw(e),
            name: headers
                .iter()
                .find(|field| {
                    raw::Fields::from_list(std::slice::from_ref(*field)).is_err()
                })
                .map(|(name, _)| name.clone()),
        })
}
/// Splits a URI into what the WIT request setters take.
pub(crate) struct Target {
    pub scheme: Option<raw::Scheme>,
    pub authority: Option<String>,
    pub path_with_query: String,
}
pub(crate) fn split_uri(uri: &str) -> Result<Target, Error> {
    if uri.starts_with("//") {
        return Err(
            Error::invalid_uri(
                format!("`{uri}` has a host but no scheme; write http://…"),
            ),
        );
    }
    let parsed: ::http::Uri = uri
        .parse()
        .map_err(|e| Error::invalid_uri(format!("`{uri}`: {e}")))?;
    let Some(authority) = parsed.authority().map(|a| a.as_str().to_string()) else {
        if !uri.starts_with('/') {
            return Err(
                Error::invalid_uri(
                    format!(
                        "`{uri}` has no host; use an absolute URI (http://example.com/path) or a path (/path) for the app itself"
                    ),
                ),
            );
        }
        return Ok(Target {
            scheme: Some(scheme_to_raw("http")),
            authority: Some(":80".to_string()),
            path_with_query: ascii_target(uri),
        });
    };
    Ok(Target {
        scheme: Some(scheme_to_raw(parsed.scheme_str().unwrap_or("http"))),
        authority: Some(authority),
        path_with_query: parsed
            .path_and_query()
            .map(|p| ascii_target(p.as_str()))
            .unwrap_or_else(|| "/".to_string()),
    })
}
/// A request-target is ASCII (RFC 9112), but `http::Uri` keeps UTF-8 in a path: bytes beyond
/// ASCII go out as percent-escapes, as the URL standard writes them; the rest stays as written.
fn ascii_target(target: &str) -> String {
    let mut out = String::with_capacity(target.len());
    for byte in target.bytes() {
        if byte.is_ascii() {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
