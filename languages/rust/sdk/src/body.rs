//! Streaming bodies: [`OutgoingBody`] to write a request body, [`IncomingBody`] to read a
//! response (or incoming request) body chunk by chunk.
use crate::bindings::wasi::http::types as raw;
use crate::bindings::wasi::io::streams::{InputStream, OutputStream, StreamError};
use crate::error::{Error, ErrorCode, FromRaw};
use crate::executor;
use crate::wire;
/// Largest read asked of the host at once.
const READ_CHUNK: u64 = 64 * 1024;
/// Anything usable as a whole body: bytes, text, or `()` for none.
pub trait IntoBody {
    fn into_bytes(self) -> Vec<u8>;
}
impl IntoBody for Vec<u8> {
    fn into_bytes(self) -> Vec<u8> {
        self
    }
}
impl IntoBody for &[u8] {
    fn into_bytes(self) -> Vec<u8> {
        self.to_vec()
    }
}
impl IntoBody for String {
    fn into_bytes(self) -> Vec<u8> {
        self.into_bytes()
    }
}
impl IntoBody for &str {
    fn into_bytes(self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
}
impl IntoBody for () {
    fn into_bytes(self) -> Vec<u8> {
        Vec::new()
    }
}
/// A stream error as an SDK error: the host's HTTP error code when it has one.
pub(crate) fn stream_error(err: StreamError) -> Error {
    match err {
        StreamError::Closed => Error::Io("stream closed".to_string()),
        StreamError::LastOperationFailed(io) => {
            match raw::http_error_code(&io) {
                Some(code) => Error::Http(ErrorCode::from_raw(code)),
                None => Error::Io(io.to_debug_string()),
            }
        }
    }
}
/// A request or response body being written. Call [`OutgoingBody::finish`] when done:
/// a body dropped unfinished tells the host the message is incomplete.
pub struct OutgoingBody {
    stream: Option<OutputStream>,
    body: Option<raw::OutgoingBody>,
    /// The message's `content-length`, if it declared one, and what was written so far.
    declared: Option<u64>,
    written: u64,
}
impl OutgoingBody {
    pub(crate) fn new(body: raw::OutgoingBody, declared: Option<u64>) -> Self {
        Self {
            stream: None,
            body: Some(body),
            declared,
            written: 0,
        }
    }
    fn stream(&mut self) -> Result<&OutputStream, Error> {
        if self.stream.is_none() {
            let body = self
                .body
                .as_ref()
                .ok_or_else(|| Error::Io("body already finished".into()))?;
            let stream = body
                .write()
                .map_err(|()| Error::Io("body stream already taken".into()))?;
            self.stream = Some(stream);
        }
        Ok(self.stream.as_ref().expect("stream was just set"))
    }
    /// Writes all of `bytes`, waiting (without blocking other requests) while the host
    /// applies back-pressure. Bytes past a declared `content-length` are refused before any
    /// of them reaches the host, which could otherwise send the declared prefix on as a
    /// complete message.
    pub async fn write_all(&mut self, mut bytes: &[u8]) -> Result<(), Error> {
        let total = self.written + bytes.len() as u64;
        if self.declared.is_some_and(|declared| total > declared) {
            return Err(Error::Http(ErrorCode::HttpRequestBodySize(Some(total))));
        }
        self.written = total;
        while !bytes.is_empty() {
            let permit = self.stream()?.check_write().map_err(stream_error)?;
            if permit == 0 {
                executor::wait(self.stream()?.subscribe()).await;
                continue;
            }
            let n = usize::try_from(permit).unwrap_or(usize::MAX).min(bytes.len());
            self.stream()?.write(&bytes[..n]).map_err(stream_error)?;
            bytes = &bytes[n..];
        }
        Ok(())
    }
    /// Flushes what was written and waits until the host has taken it.
    pub async fn flush(&mut self) -> Result<(), Error> {
        match flush_stream(self.stream()?).await {
            Ok(()) | Err(StreamError::Closed) => Ok(()),
            Err(err) => Err(stream_error(err)),
        }
    }
    /// Flushes and ends the body. The host may report a late error (e.g. a body longer
    /// than its `Content-Length`) here.
    pub async fn finish(self) -> Result<(), Error> {
        self.finish_with_trailers(&[]).await
    }
    /// Like [`OutgoingBody::finish`], then sends `trailers` after the body (none when empty).
    /// Over HTTP/1.1 a host sends only the trailers the message declared in a `Trailer`
    /// header, so name them there when building the request or response.
    pub async fn finish_with_trailers(
        mut self,
        trailers: &[(String, Vec<u8>)],
    ) -> Result<(), Error> {
        if self.stream.is_some() {
            self.flush().await?;
        }
        drop(self.stream.take());
        let fields = match trailers {
            [] => None,
            list => Some(wire::fields_from_list(list)?),
        };
        let body = self
            .body
            .take()
            .ok_or_else(|| Error::Io("body already finished".into()))?;
        raw::OutgoingBody::finish(body, fields)
            .map_err(|code| Error::Http(ErrorCode::from_raw(code)))
    }
}
/// Flushes `stream` and waits until check-write reports room again, i.e. the host took it all.
async fn flush_stream(stream: &OutputStream) -> Result<(), StreamError> {
    stream.flush()?;
    while stream.check_write()? == 0 {
        executor::wait(stream.subscribe()).await;
    }
    Ok(())
}
/// A body being read: call [`IncomingBody::chunk`] until it returns `None`, then
/// [`IncomingBody::trailers`] holds the trailers the message ended with.
pub struct IncomingBody {
    stream: Option<InputStream>,
    body: Option<raw::IncomingBody>,
    trailers: Vec<(String, Vec<u8>)>,
}
impl IncomingBody {
    pub(crate) fn new(body: raw::IncomingBody) -> Result<Self, Error> {
        let stream = body
            .stream()
            .map_err(|()| Error::Io("body stream already taken".into()))?;
        Ok(Self {
            stream: Some(stream),
            body: Some(body),
            trailers: Vec::new(),
        })
    }
    /// The trailers, in order with repeated names kept: empty until the body has been read
    /// to its end, and when the message had none.
    pub fn trailers(&self) -> &[(String, Vec<u8>)] {
        &self.trailers
    }
    /// The next chunk, `None` at the end of the body.
    pub async fn chunk(&mut self) -> Option<Result<Vec<u8>, Error>> {
        loop {
            let stream = self.stream.as_ref()?;
            match stream.read(READ_CHUNK) {
                Ok(bytes) if bytes.is_empty() => executor::wait(stream.subscribe()).await,
                Ok(bytes) => return Some(Ok(bytes)),
                Err(StreamError::Closed) => return self.end().await.err().map(Err),
                Err(err) => {
                    drop(self.stream.take());
                    drop(self.body.take());
                    return Some(Err(stream_error(err)));
                }
            }
        }
    }
    /// Reads the rest of the body into memory.
    pub async fn read_all(mut self) -> Result<Vec<u8>, Error> {
        self.read_to_end().await
    }
    /// Reads the rest of the body into memory, keeping the trailers readable.
    pub(crate) async fn read_to_end(&mut self) -> Result<Vec<u8>, Error> {
        let mut all = Vec::new();
        while let Some(chunk) = self.chunk().await {
            all.extend_from_slice(&chunk?);
        }
        Ok(all)
    }
    /// Drops the stream, finishes the body and waits for its trailers.
    async fn end(&mut self) -> Result<(), Error> {
        drop(self.stream.take());
        let Some(body) = self.body.take() else { return Ok(()) };
        let future = raw::IncomingBody::finish(body);
        loop {
            match future.get() {
                None => executor::wait(future.subscribe()).await,
                Some(Ok(Ok(fields))) => {
                    self.trailers = fields.map(|f| f.entries()).unwrap_or_default();
                    return Ok(());
                }
                Some(Ok(Err(code))) => return Err(Error::Http(ErrorCode::from_raw(code))),
                Some(Err(())) => return Err(Error::Io("trailers already taken".into())),
            }
        }
    }
}
