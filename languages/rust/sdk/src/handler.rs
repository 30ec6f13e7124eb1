//! Exporting `wasi:http/incoming-handler@0.2.12`: [`crate::http_component!`] turns an
//! async function into the component's handler; [`IntoResponse`] says what it may return.
use std::fmt;
use std::future::Future;
use crate::bindings::wasi::http::types as raw;
use crate::body::{IncomingBody, IntoBody, OutgoingBody};
use crate::error::Error;
use crate::executor;
use crate::request::Request;
use crate::response::{IncomingResponse, Response, ResponseBuilder};
use crate::wire;
/// Exports an async function as the component's `wasi:http/incoming-handler@0.2.12`.
///
/// The function takes a [`crate::http::Request`], an `http::Request<Vec<u8>>` or a streaming
/// [`crate::http::IncomingRequest`], and returns anything that implements [`IntoResponse`],
/// or an [`IncomingResponse`] from `send` (or a [`Reply`]), whose body is relayed to the
/// client as it arrives.
///
/// ```ignore
/// use courier_sdk::http::{self, Request, Response};
///
/// courier_sdk::http_component!(handle);
///
/// async fn handle(_req: Request) -> Result<Response, http::Error> {
///     http::send(Request::get("http://example.com/")).await
/// }
/// ```
#[macro_export]
macro_rules! http_component {
    ($handler:path) => {
        const _ : () = { struct CourierHttpComponent; impl $crate::__private::Guest for
        CourierHttpComponent { fn handle(request : $crate::__private::IncomingRequest,
        response_out : $crate::__private::ResponseOutparam,) {
        $crate::__private::serve(request, response_out, $handler) } }
        $crate::__private::export_proxy!(CourierHttpComponent with_types_in
        $crate::__private::bindings); };
    };
}
/// Runs `handler` on the executor and writes what it returns as the response.
#[doc(hidden)]
pub fn serve<Req, F, Fut>(
    request: raw::IncomingRequest,
    response_out: raw::ResponseOutparam,
    handler: F,
)
where
    Req: FromIncomingRequest,
    F: FnOnce(Req) -> Fut,
    Fut: Future,
    Fut::Output: IntoReply,
{
    executor::run(async move {
        let reply = match Req::from_incoming_request(IncomingRequest { raw: request })
            .await
        {
            Ok(request) => handler(request).await.into_reply(),
            Err(e) => {
                Reply::Buffered(
                    Response::new(400, format!("cannot read the request: {e}\n")),
                )
            }
        };
        match reply {
            Reply::Buffered(response) => respond(response_out, response).await,
            Reply::Relayed(upstream) => relay(response_out, upstream).await,
        }
    })
}
/// What a handler answers with: a buffered [`Response`], or an [`IncomingResponse`] (from
/// `send`) whose body is relayed to the client chunk by chunk as it arrives. A handler with
/// branches of both kinds returns `Reply` (`.into()` from either).
pub enum Reply {
    Buffered(Response),
    Relayed(IncomingResponse),
}
impl From<Response> for Reply {
    fn from(response: Response) -> Self {
        Reply::Buffered(response)
    }
}
impl From<IncomingResponse> for Reply {
    fn from(response: IncomingResponse) -> Self {
        Reply::Relayed(response)
    }
}
/// What [`crate::http_component!`]'s function may return: anything [`IntoResponse`], an
/// [`IncomingResponse`], a [`Reply`], or a `Result` of the last two.
pub trait IntoReply {
    fn into_reply(self) -> Reply;
}
impl<T: IntoResponse> IntoReply for T {
    fn into_reply(self) -> Reply {
        Reply::Buffered(self.into_response())
    }
}
impl IntoReply for IncomingResponse {
    fn into_reply(self) -> Reply {
        Reply::Relayed(self)
    }
}
impl IntoReply for Reply {
    fn into_reply(self) -> Reply {
        self
    }
}
/// An error becomes a `500` whose body is the error's text, as for [`IntoResponse`].
impl<E: fmt::Display> IntoReply for Result<IncomingResponse, E> {
    fn into_reply(self) -> Reply {
        self.map(Reply::Relayed).into_reply()
    }
}
impl<E: fmt::Display> IntoReply for Result<Reply, E> {
    fn into_reply(self) -> Reply {
        match self {
            Ok(reply) => reply,
            Err(e) => Reply::Buffered(Err::<Response, E>(e).into_response()),
        }
    }
}
/// Relays `upstream` to the client: its status and headers, then its body chunk by chunk,
/// flushed as each arrives, then its trailers.
async fn relay(response_out: raw::ResponseOutparam, upstream: IncomingResponse) {
    let status = upstream.status();
    let headers = upstream.headers();
    let head = Response::builder().status(status);
    let head = headers
        .iter()
        .fold(head, |b, (n, v)| b.header(n.clone(), v.clone()))
        .build();
    let (outgoing, mut incoming) = match (
        outgoing_response(&head),
        upstream.into_body(),
    ) {
        (Ok(outgoing), Ok(incoming)) => (outgoing, incoming),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("the relayed response was refused: {e}");
            let failed = Response::new(
                502,
                format!("the relayed response was refused: {e}\n"),
            );
            return respond(response_out, failed).await;
        }
    };
    let Ok(raw_body) = outgoing.body() else { return };
    raw::ResponseOutparam::set(response_out, Ok(outgoing));
    let mut body = OutgoingBody::new(raw_body, wire::declared_length(&headers));
    let relayed = async {
        while let Some(chunk) = incoming.chunk().await {
            body.write_all(&chunk?).await?;
            body.flush().await?;
        }
        body.finish_with_trailers(incoming.trailers()).await
    };
    if let Err(e) = relayed.await {
        eprintln!("relaying the response body failed: {e}");
    }
}
async fn respond(response_out: raw::ResponseOutparam, response: Response) {
    let (outgoing, response) = match outgoing_response(&response) {
        Ok(ok) => (ok, response),
        Err(e) => {
            eprintln!("the handler's response was refused: {e}");
            let fallback = Response::new(
                500,
                format!("the handler's response was refused: {e}\n"),
            );
            match outgoing_response(&fallback) {
                Ok(ok) => (ok, fallback),
                Err(_) => return,
            }
        }
    };
    let Ok(raw_body) = outgoing.body() else { return };
    raw::ResponseOutparam::set(response_out, Ok(outgoing));
    let mut body = OutgoingBody::new(
        raw_body,
        wire::declared_length(response.headers()),
    );
    let sent = match body.write_all(response.body()).await {
        Ok(()) => body.finish_with_trailers(response.trailers()).await,
        Err(e) => Err(e),
    };
    if let Err(e) = sent {
        eprintln!("the response body failed: {e}");
    }
}
fn outgoing_response(response: &Response) -> Result<raw::OutgoingResponse, Error> {
    if let Some(declared) = wire::declared_length(response.headers()) {
        let len = response.body().len() as u64;
        if len != 0 && len != declared {
            return Err(
                Error::InvalidResponse(
                    format!("content-length {declared}, but the body has {len} bytes"),
                ),
            );
        }
    }
    let mut headers = response.headers().to_vec();
    let declared = headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("trailer"));
    if !response.trailers().is_empty() && !declared {
        let mut names: Vec<String> = Vec::new();
        for (name, _) in response.trailers() {
            let name = name.to_ascii_lowercase();
            if !names.contains(&name) {
                names.push(name);
            }
        }
        headers.push(("trailer".to_string(), names.join(", ").into_bytes()));
    }
    let outgoing = raw::OutgoingResponse::new(wire::fields_from_list(&headers)?);
    outgoing
        .set_status_code(response.status())
        .map_err(|()| Error::InvalidResponse(
            format!("status {} refused", response.status()),
        ))?;
    Ok(outgoing)
}
/// An incoming request whose body has not been read.
pub struct IncomingRequest {
    raw: raw::IncomingRequest,
}
impl IncomingRequest {
    pub fn method(&self) -> Result<::http::Method, Error> {
        wire::method_from_raw(&self.raw.method())
    }
    /// `scheme://authority/path?query` when the host gave an authority, else the path.
    pub fn uri(&self) -> String {
        let path = self.raw.path_with_query().unwrap_or_else(|| "/".to_string());
        match self.raw.authority() {
            Some(authority) => {
                let scheme = self
                    .raw
                    .scheme()
                    .map(|s| wire::scheme_from_raw(&s))
                    .unwrap_or_else(|| "http".into());
                format!("{scheme}://{authority}{path}")
            }
            None => path,
        }
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
            .map_err(|()| Error::Io("request body already taken".into()))?;
        IncomingBody::new(body)
    }
}
/// What a handler may take: built from the host's incoming request.
pub trait FromIncomingRequest: Sized {
    fn from_incoming_request(
        request: IncomingRequest,
    ) -> impl Future<Output = Result<Self, Error>>;
}
impl FromIncomingRequest for IncomingRequest {
    async fn from_incoming_request(request: IncomingRequest) -> Result<Self, Error> {
        Ok(request)
    }
}
impl FromIncomingRequest for Request {
    async fn from_incoming_request(request: IncomingRequest) -> Result<Self, Error> {
        let method = request.method()?;
        let uri = request.uri();
        let headers = request.headers();
        let body = request.into_body()?.read_all().await?;
        Ok(Request::from_parts(method, uri, headers, body))
    }
}
impl FromIncomingRequest for ::http::Request<Vec<u8>> {
    async fn from_incoming_request(request: IncomingRequest) -> Result<Self, Error> {
        let buffered = Request::from_incoming_request(request).await?;
        let mut builder = ::http::Request::builder()
            .method(buffered.method().clone())
            .uri(buffered.uri());
        for (name, value) in buffered.headers() {
            builder = builder.header(name.as_str(), value.as_slice());
        }
        builder
            .body(buffered.into_body())
            .map_err(|e| Error::InvalidRequest(e.to_string()))
    }
}
/// What a handler may return.
pub trait IntoResponse {
    fn into_response(self) -> Response;
}
impl IntoResponse for Response {
    fn into_response(self) -> Response {
        self
    }
}
impl IntoResponse for ResponseBuilder {
    fn into_response(self) -> Response {
        self.build()
    }
}
impl<B: IntoBody> IntoResponse for ::http::Response<B> {
    fn into_response(self) -> Response {
        let (parts, body) = self.into_parts();
        let mut builder = Response::builder().status(parts.status.as_u16());
        for (name, value) in &parts.headers {
            builder = builder.header(name.as_str(), value.as_bytes());
        }
        builder.body(body).build()
    }
}
impl<B: IntoBody> IntoResponse for (u16, B) {
    fn into_response(self) -> Response {
        Response::new(self.0, self.1)
    }
}
impl IntoResponse for String {
    fn into_response(self) -> Response {
        Response::builder()
            .header("content-type", "text/plain; charset=utf-8")
            .body(self)
            .build()
    }
}
impl IntoResponse for &'static str {
    fn into_response(self) -> Response {
        self.to_string().into_response()
    }
}
impl IntoResponse for Vec<u8> {
    fn into_response(self) -> Response {
        Response::new(200, self)
    }
}
impl IntoResponse for () {
    fn into_response(self) -> Response {
        Response::new(200, Vec::new())
    }
}
/// An error becomes a `500` whose body is the error's text (for `Error::Http`, the WIT name).
impl<R: IntoResponse, E: fmt::Display> IntoResponse for Result<R, E> {
    fn into_response(self) -> Response {
        match self {
            Ok(r) => r.into_response(),
            Err(e) => {
                Response::builder()
                    .status(500)
                    .header("content-type", "text/plain; charset=utf-8")
                    .body(format!("{e}\n"))
                    .build()
            }
        }
    }
}
