"""Streaming bodies over ``wasi:io/streams``: :class:`OutgoingBody` to write a request body
piece by piece, :class:`IncomingBody` to read a response (or inbound request) body as it
arrives. Both wait on the :mod:`.poll_loop`, so other tasks run meanwhile.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from componentize_py_types import Err

from ._bindings import http_types as raw
from ._bindings import streams
from ._wire import fields_from_list
from .errors import BodyError, Error, error_code_from_raw, error_for_code
from .headers import Headers, HeadersLike
from .poll_loop import wait

__all__ = ["IncomingBody", "OutgoingBody"]

#: How much one read asks for.
READ_CHUNK = 64 * 1024


def stream_error(err: Err[streams.StreamError], what: str) -> Error:
    """The SDK error for a failed stream operation: the HTTP error code when the host has one."""
    value = err.value
    if isinstance(value, streams.StreamError_LastOperationFailed):
        io = value.value
        try:
            code = raw.http_error_code(io)
            if code is not None:
                return error_code_from_raw(code, f"{what} failed")
            return BodyError(f"{what} failed: {io.to_debug_string()}")
        finally:
            io.__exit__(None, None, None)
    return BodyError(f"{what} failed: the stream is closed")


class OutgoingBody:
    """A request body to stream. Write with :meth:`write`, end with :meth:`finish` (required:
    a body that is never finished is sent as incomplete)."""

    def __init__(self, raw_body: raw.OutgoingBody, declared: int | None = None) -> None:
        self._body: raw.OutgoingBody | None = raw_body
        # The stream is a child of the body: it must be dropped before the body is finished.
        self._stream: streams.OutputStream | None = None
        # The message's content-length, if it declared one, and what was written so far.
        self._declared = declared
        self._written = 0

    def _out(self) -> streams.OutputStream:
        if self._stream is None:
            if self._body is None:
                raise BodyError("the body is already finished")
            try:
                self._stream = self._body.write()
            except Err:
                raise BodyError("the body stream was already taken") from None
        return self._stream

    async def write(self, data: bytes) -> None:
        """Writes all of ``data``, waiting for room in the stream as needed. Bytes past a
        declared content-length raise ``errors.HttpRequestBodySize`` before any of them
        reaches the host, which could otherwise send the declared prefix on as a complete
        message."""
        total = self._written + len(data)
        if self._declared is not None and total > self._declared:
            raise error_for_code(
                "HTTP-request-body-size",
                f"the body is longer than its content-length {self._declared}",
                total,
            )
        self._written = total
        view = memoryview(data)
        while view:
            out = self._out()
            try:
                permit = out.check_write()
            except Err as e:
                raise stream_error(e, "writing the body") from None
            if permit == 0:
                await wait(out.subscribe())
                continue
            n = min(permit, len(view))
            try:
                out.write(bytes(view[:n]))
            except Err as e:
                raise stream_error(e, "writing the body") from None
            view = view[n:]

    async def flush(self) -> None:
        """Sends everything written so far, waiting until the host took it."""
        out = self._out()
        try:
            out.flush()
            # A flush is complete once check-write reports room again.
            while out.check_write() == 0:
                await wait(out.subscribe())
        except Err as e:
            # The host closes the stream once it has every byte a content-length declared:
            # nothing is left to flush. Real failures surface at `finish` or on the response.
            if isinstance(e.value, streams.StreamError_Closed):
                return
            raise stream_error(e, "flushing the body") from None

    async def finish(self, trailers: HeadersLike | None = None) -> None:
        """Flushes, closes the stream and ends the body, with optional trailers."""
        if self._stream is not None:
            await self.flush()
            self._stream.__exit__(None, None, None)
            self._stream = None
        if self._body is None:
            raise BodyError("the body is already finished")
        # Trailers the host refuses leave the body unfinished, so that `abort` can drop it.
        fields = fields_from_list(Headers(trailers).fields()) if trailers else None
        body, self._body = self._body, None
        try:
            raw.OutgoingBody.finish(body, fields)
        except Err as e:
            raise error_code_from_raw(e.value, "finishing the body") from None

    def abort(self) -> None:
        """Drops the body without finishing it: the host treats the request as incomplete."""
        if self._stream is not None:
            self._stream.__exit__(None, None, None)
            self._stream = None
        if self._body is not None:
            self._body.__exit__(None, None, None)
            self._body = None


class IncomingBody:
    """A body to read: ``async for chunk in body``, :meth:`chunk`, or :meth:`read` for all of
    it. :attr:`trailers` holds the trailers once the body has been read to its end."""

    def __init__(self, raw_body: raw.IncomingBody, parent: object = None) -> None:
        self._body: raw.IncomingBody | None = raw_body
        # Keeps the response (or request) the body came from alive as long as the body.
        self._parent = parent
        try:
            self._stream: streams.InputStream | None = raw_body.stream()
        except Err:
            raise BodyError("the body stream was already taken") from None
        #: The trailers, once the body has been read to the end (``None`` if there were none).
        self.trailers: Headers | None = None

    async def chunk(self) -> bytes | None:
        """The next piece of the body, or ``None`` at its end."""
        while True:
            stream = self._stream
            if stream is None:
                return None
            try:
                data = stream.read(READ_CHUNK)
            except Err as e:
                if isinstance(e.value, streams.StreamError_Closed):
                    await self._end()
                    return None
                error = stream_error(e, "reading the body")
                self.close()
                raise error from None
            if data:
                return data
            await wait(stream.subscribe())

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        while True:
            data = await self.chunk()
            if data is None:
                return
            yield data

    async def read(self) -> bytes:
        """The rest of the body."""
        parts: list[bytes] = []
        while True:
            data = await self.chunk()
            if data is None:
                return b"".join(parts)
            parts.append(data)

    async def _end(self) -> None:
        """Drops the stream, ends the body and collects its trailers."""
        if self._stream is not None:
            self._stream.__exit__(None, None, None)
            self._stream = None
        body = self._body
        if body is None:
            return
        self._body = None
        future = raw.IncomingBody.finish(body)
        try:
            while True:
                result = future.get()
                if result is not None:
                    break
                await wait(future.subscribe())
        finally:
            future.__exit__(None, None, None)
        if isinstance(result, Err):
            return
        inner = result.value
        if isinstance(inner, Err):
            raise error_code_from_raw(inner.value, "reading the trailers")
        fields = inner.value
        if fields is not None:
            with fields:
                self.trailers = Headers(fields.entries())

    def close(self) -> None:
        """Stops reading: drops the stream and the body."""
        if self._stream is not None:
            self._stream.__exit__(None, None, None)
            self._stream = None
        if self._body is not None:
            self._body.__exit__(None, None, None)
            self._body = None
