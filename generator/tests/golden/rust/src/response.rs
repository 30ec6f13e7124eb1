//! Responses: the buffered [`Response`], the streaming [`IncomingResponse`], and
//! [`FromIncomingResponse`], which says what `send` may return.
use std::future::Future;
use crate::bindings::wasi::http::types as raw;
use crate::body::{IncomingBody, IntoBody};
use crate::error::Error;
/// A response with its whole body in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    status: u16,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    trailers: Vec<(String, Vec<u8>)>,
}
impl Response {
    /// A response with no headers.
    pub fn new(status: u16, body: impl IntoBody) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.into_bytes(),
            trailers: Vec::new(),
        }
    }
    /// Starts building a `200 OK` with an empty body.
    pub fn builder() -> ResponseBuilder {
        ResponseBuilder {
            response: Response::new(200, Vec::new()),
        }
    }
    pub fn status(&self) -> u16 {
        self.status
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
    /// The body as text, with invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// Trailers after the body, in order with repeated names kept.
    pub fn trailers(&self) -> &[(String, Vec<u8>)] {
        &self.trailers
    }
}
/// Builds a [`Response`].
#[derive(Debug, Clone)]
pub struct ResponseBuilder {
    response: Response,
}
impl ResponseBuilder {
    pub fn status(mut self, status: u16) -> Self {
        self.response.status = status;
        self
    }
    /// Appends a header (earlier values of the same name are kept).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        self.response.headers.push((name.into(), value.into()));
        self
    }
    pub fn body(mut self, body: impl IntoBody) -> Self {
        self.response.body = body.into_bytes();
        self
    }
    /// Appends a trailer, sent after the body. Over HTTP/1.1 only trailers named in a
    /// `Trailer` header reach the client, so declare it: `.header("trailer", "x-checksum")`.
    pub fn trailer(
        mut self,
        name: impl Into<String>,
        value: impl Into<Vec<u8>>,
    ) -> Self {
        self.response.trailers.push((name.into(), value.into()));
        self
    }
    pub fn build(self) -> Response {
        self.response
    }
}
impl From<ResponseBuilder> for Response {
    fn from(builder: ResponseBuilder) -> Self {
        builder.build()
    }
}
/// A response whose body has not been read yet.
pub struct IncomingResponse {
    raw: raw::IncomingResponse,
}
impl IncomingResponse {
    pub(crate) fn new(raw: raw::IncomingResponse) -> Self {
        Self { raw }
    }
    pub fn status(&self) -> u16 {
        self.raw.status()
    }
    /// Headers in order, repeated names kept.
    pub fn headers(&self) -> Vec<(String, Vec<u8>)> {
        self.raw.headers().entries()
    }
    /// The body as a stream of chunks.
    pub fn into_body(self) -> Result<IncomingBody, Error> {
        let body = self
            .raw
            .consume()
            .map_err(|()| Error::Io("response body already taken".into()))?;
        IncomingBody::new(body)
    }
    /// Reads the whole body into memory.
    pub async fn into_body_bytes(self) -> Result<Vec<u8>, Error> {
        self.into_body()?.read_all().await
    }
}
/// What [`crate::http::send`] can return: built from the host's response.
pub trait FromIncomingResponse: Sized {
    fn from_incoming_response(
        response: IncomingResponse,
    ) -> impl Future<Output = Result<Self, Error>>;
}
impl FromIncomingResponse for IncomingResponse {
    async fn from_incoming_response(response: IncomingResponse) -> Result<Self, Error> {
        Ok(response)
    }
}
impl FromIncomingResponse for Response {
    async fn from_incoming_response(response: IncomingResponse) -> Result<Self, Error> {
        let status = response.status();
        let headers = response.headers();
        let mut incoming = response.into_body()?;
        let body = incoming.read_to_end().await?;
        Ok(Response {
            status,
            headers,
            body,
            trailers: incoming.trailers().to_vec(),
        })
    }
}
/// `http::Response` has no place for trailers: they are dropped (use [`Response`] to keep them).
impl<B: From<Vec<u8>>> FromIncomingResponse for ::http::Response<B> {
    async fn from_incoming_response(response: IncomingResponse) -> Result<Self, Error> {
        let buffered = Response::from_incoming_response(response).await?;
        let mut builder = ::http::Response::builder().status(buffered.status);
        for (name, value) in &buffered.headers {
            builder = builder.header(name.as_str(), value.as_slice());
        }
        builder
            .body(B::from(buffered.body))
            .map_err(|e| Error::InvalidResponse(e.to_string()))
    }
}
