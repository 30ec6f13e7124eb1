{# `send`: the canonical wasi:http 0.2 outbound sequence, made async. -#}
//! Sending a request through `{{ model.outgoing_handler.interface }}`.

use crate::bindings::wasi::http::outgoing_handler;
use crate::bindings::wasi::http::types as raw;
use crate::body::OutgoingBody;
use crate::error::{Error, ErrorCode, FromRaw};
use crate::executor;
use crate::request::OutgoingRequest;
use crate::response::{FromIncomingResponse, IncomingResponse};

/// Sends a request and waits for its response.
///
/// `request` is anything that converts into an [`OutgoingRequest`]: the SDK's
/// [`crate::http::Request`] (or its builder), an `http::Request<B>` with a body that turns
/// into bytes, or an [`OutgoingRequest`] whose body the caller streams. The result is
/// whatever implements [`FromIncomingResponse`]: [`crate::http::Response`],
/// `http::Response<Vec<u8>>`, or the streaming [`IncomingResponse`].
///
/// Several `send`s joined in one future run concurrently on [`executor::run`].
pub async fn send<I, O>(request: I) -> Result<O, Error>
where
    I: TryInto<OutgoingRequest>,
    I::Error: Into<Error>,
    O: FromIncomingResponse,
{
    let request: OutgoingRequest = request.try_into().map_err(Into::into)?;
    let (request, buffered, options, declared) = request.into_parts();
    // The body handle must be taken before `handle` consumes the request; it is written
    // after, so a large body cannot stall on host back-pressure before the send starts.
    let body = match &buffered {
        Some(_) => Some(OutgoingBody::new(
            request.body().map_err(|()| Error::InvalidRequest("request body already taken".into()))?,
            declared,
        )),
        None => None,
    };
    let future = outgoing_handler::handle(request, options.to_raw()?)
        .map_err(|code| Error::Http(ErrorCode::from_raw(code)))?;
    let mut written = Ok(());
    if let (Some(mut body), Some(bytes)) = (body, buffered) {
        written = async {
            body.write_all(&bytes).await?;
            body.finish().await
        }
        .await;
    }
    let response = match written {
        Ok(()) => wait_for_response(future).await?,
        Err(failed) => after_failed_write(failed, future).await?,
    };
    O::from_incoming_response(response).await
}

/// How a request whose body could not be written ends. The host drops the body of a request
/// it has failed (denied, refused, timed out), so the write sees only a closed stream: the
/// response then says why. A server may also answer before reading the whole body (a 413, a
/// 401) and close: that response is the result, as in other HTTP clients. A write error with
/// a code of its own (a body longer than its content-length, a refused trailer) stays.
async fn after_failed_write(
    failed: Error,
    future: raw::FutureIncomingResponse,
) -> Result<IncomingResponse, Error> {
    if failed.has_wit_name() {
        return Err(failed);
    }
    match wait_for_response(future).await {
        Ok(response) => Ok(response),
        Err(code @ Error::Http(_)) => Err(code),
        Err(_) => Err(failed),
    }
}

async fn wait_for_response(future: raw::FutureIncomingResponse) -> Result<IncomingResponse, Error> {
    loop {
        match future.get() {
            Some(Ok(Ok(response))) => return Ok(IncomingResponse::new(response)),
            Some(Ok(Err(code))) => return Err(Error::Http(ErrorCode::from_raw(code))),
            Some(Err(())) => return Err(Error::InvalidResponse("response already taken".into())),
            None => executor::wait(future.subscribe()).await,
        }
    }
}
