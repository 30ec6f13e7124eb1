{# Request types. The builder gets one method per request option from the model. -#}
//! Outbound requests: the buffered [`Request`] with its builder, and the streaming
//! [`OutgoingRequest`] that every sendable type converts into.

use crate::body::{IntoBody, OutgoingBody};
use crate::bindings::wasi::http::types as raw;
use crate::error::Error;
use crate::options::RequestOptions;
use crate::wire;

/// A request with its whole body in memory.
#[derive(Debug, Clone)]
pub struct Request {
    method: ::http::Method,
    uri: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    options: RequestOptions,
}

impl Request {
    /// A request with no headers and an empty body.
    pub fn new(method: ::http::Method, uri: impl Into<String>) -> Self {
        Self {
            method,
            uri: uri.into(),
            headers: Vec::new(),
            body: Vec::new(),
            options: RequestOptions::default(),
        }
    }

    /// Starts building a `GET` to nowhere; set at least the URI.
    pub fn builder() -> RequestBuilder {
        RequestBuilder { request: Request::new(::http::Method::GET, "") }
    }

    /// Starts building a `GET` to `uri`.
    pub fn get(uri: impl Into<String>) -> RequestBuilder {
        RequestBuilder { request: Request::new(::http::Method::GET, uri) }
    }

    /// Starts building a `POST` of `body` to `uri`.
    pub fn post(uri: impl Into<String>, body: impl IntoBody) -> RequestBuilder {
        Request::builder().method(::http::Method::POST).uri(uri).body(body)
    }

    /// Starts building a `PUT` of `body` to `uri`.
    pub fn put(uri: impl Into<String>, body: impl IntoBody) -> RequestBuilder {
        Request::builder().method(::http::Method::PUT).uri(uri).body(body)
    }

    /// Starts building a `DELETE` of `uri`.
    pub fn delete(uri: impl Into<String>) -> RequestBuilder {
        Request::builder().method(::http::Method::DELETE).uri(uri)
    }

    pub fn method(&self) -> &::http::Method {
        &self.method
    }

    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// Headers in order, repeated names kept.
    pub fn headers(&self) -> &[(String, Vec<u8>)] {
        &self.headers
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    pub fn body(&self) -> &[u8] {
        &self.body
    }

    pub fn into_body(self) -> Vec<u8> {
        self.body
    }

    pub fn options(&self) -> &RequestOptions {
        &self.options
    }

    /// Used by the handler side to build a `Request` from what the host delivered.
    pub(crate) fn from_parts(
        method: ::http::Method,
        uri: String,
        headers: Vec<(String, Vec<u8>)>,
        body: Vec<u8>,
    ) -> Self {
        Self { method, uri, headers, body, options: RequestOptions::default() }
    }
}

/// Builds a [`Request`]; every method consumes and returns the builder.
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    request: Request,
}

impl RequestBuilder {
    pub fn method(mut self, method: ::http::Method) -> Self {
        self.request.method = method;
        self
    }

    pub fn uri(mut self, uri: impl Into<String>) -> Self {
        self.request.uri = uri.into();
        self
    }

    /// Appends a header (earlier values of the same name are kept).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        self.request.headers.push((name.into(), value.into()));
        self
    }

    pub fn body(mut self, body: impl IntoBody) -> Self {
        self.request.body = body.into_bytes();
        self
    }

    /// Replaces all request options at once.
    pub fn options(mut self, options: RequestOptions) -> Self {
        self.request.options = options;
        self
    }
{% for option in options %}
    {%- for line in option.docs %}
    /// {{ line }}
    {%- endfor %}
    pub fn {{ option.rust_name }}(mut self, value: {{ option.ty }}) -> Self {
        self.request.options.{{ option.rust_name }} = Some(value);
        self
    }
{% endfor %}
    pub fn build(self) -> Request {
        self.request
    }
}

impl From<RequestBuilder> for Request {
    fn from(builder: RequestBuilder) -> Self {
        builder.build()
    }
}

/// A request ready for the host: the WIT `outgoing-request` plus either a buffered body
/// that `send` writes, or a body the caller streams through [`OutgoingRequest::take_body`].
pub struct OutgoingRequest {
    raw: raw::OutgoingRequest,
    body: Option<Vec<u8>>,
    options: RequestOptions,
    /// The `content-length` the headers declare, which the body may not exceed.
    declared_length: Option<u64>,
}

impl OutgoingRequest {
    /// A request to `uri` whose body the caller will stream (take it with `take_body`).
    pub fn new(
        method: &::http::Method,
        uri: &str,
        headers: &[(String, Vec<u8>)],
    ) -> Result<Self, Error> {
        let raw = raw::OutgoingRequest::new(wire::fields_from_list(headers)?);
        let target = wire::split_uri(uri)?;
        let refuse = |what: &str| Error::invalid_uri(format!("the host refused the {what} of `{uri}`"));
        raw.set_method(&wire::method_to_raw(method))
            .map_err(|()| Error::invalid_method(format!("the host refused the method `{method}`")))?;
        raw.set_scheme(target.scheme.as_ref()).map_err(|()| refuse("scheme"))?;
        raw.set_authority(target.authority.as_deref()).map_err(|()| refuse("authority"))?;
        raw.set_path_with_query(Some(&target.path_with_query)).map_err(|()| refuse("path"))?;
        let declared_length = wire::declared_length(headers);
        Ok(Self { raw, body: None, options: RequestOptions::default(), declared_length })
    }

    /// Takes the body to stream into. Write it while `send` runs (e.g. with
    /// [`crate::executor::join_all`] or `futures::join!`) and call
    /// [`OutgoingBody::finish`] at the end. `None` if it was already taken.
    pub fn take_body(&mut self) -> Option<OutgoingBody> {
        let declared = self.declared_length;
        self.raw.body().ok().map(|body| OutgoingBody::new(body, declared))
    }

    /// Sets the request options (timeouts) for this request.
    pub fn set_options(&mut self, options: RequestOptions) {
        self.options = options;
    }

    pub fn options(&self) -> &RequestOptions {
        &self.options
    }

    pub(crate) fn into_parts(self) -> (raw::OutgoingRequest, Option<Vec<u8>>, RequestOptions, Option<u64>) {
        (self.raw, self.body, self.options, self.declared_length)
    }

    fn buffered(
        method: &::http::Method,
        uri: &str,
        headers: &[(String, Vec<u8>)],
        body: Vec<u8>,
        options: RequestOptions,
    ) -> Result<Self, Error> {
        // A known length goes out as content-length, as Go's net/http and fetch do: a body of
        // unknown length is sent chunked, which servers may ignore on a GET. An empty body is
        // sent as no body at all, declared as `content-length: 0` only where the method gives
        // a body meaning (POST, PUT, PATCH; RFC 9110 section 8.6), never on a GET.
        let has_length = headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-length"));
        let carries_body = matches!(*method, ::http::Method::POST | ::http::Method::PUT | ::http::Method::PATCH);
        let mut request = if (body.is_empty() && !carries_body) || has_length {
            Self::new(method, uri, headers)?
        } else {
            let mut with_length = headers.to_vec();
            with_length.push(("content-length".into(), body.len().to_string().into_bytes()));
            Self::new(method, uri, &with_length)?
        };
        request.body = (!body.is_empty()).then_some(body);
        request.options = options;
        Ok(request)
    }
}

impl TryFrom<Request> for OutgoingRequest {
    type Error = Error;

    fn try_from(request: Request) -> Result<Self, Error> {
        let Request { method, uri, headers, body, options } = request;
        OutgoingRequest::buffered(&method, &uri, &headers, body, options)
    }
}

impl TryFrom<RequestBuilder> for OutgoingRequest {
    type Error = Error;

    fn try_from(builder: RequestBuilder) -> Result<Self, Error> {
        builder.build().try_into()
    }
}

impl<B: IntoBody> TryFrom<::http::Request<B>> for OutgoingRequest {
    type Error = Error;

    fn try_from(request: ::http::Request<B>) -> Result<Self, Error> {
        let (parts, body) = request.into_parts();
        let headers: Vec<(String, Vec<u8>)> = parts
            .headers
            .iter()
            .map(|(name, value)| (name.as_str().to_string(), value.as_bytes().to_vec()))
            .collect();
        // Timeouts can ride along as an extension: `request.extensions_mut().insert(options)`.
        let options = parts.extensions.get::<RequestOptions>().cloned().unwrap_or_default();
        OutgoingRequest::buffered(&parts.method, &parts.uri.to_string(), &headers, body.into_bytes(), options)
    }
}
