"""Outbound HTTP through ``wasi:http/outgoing-handler@0.2.12``.

Buffered::

    from courier_sdk.http import Request, Response, send
    response = send(Request("GET", "https://example.com/", {}, None))

Concurrent (on the SDK's own ``wasi:io/poll`` event loop, :mod:`.poll_loop`)::

    responses = await asyncio.gather(send_async(a), send_async(b))

Streaming::

    request = OutgoingRequest("POST", url, {"content-type": "text/plain"})
    body = request.body()

    async def write() -> None:
        await body.write(b"part one")
        await body.finish()

    response, _ = await asyncio.gather(send_streaming(request), write())
    async for chunk in response.body():
        ...
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass, field
from typing import Any

from componentize_py_types import Err

from . import errors
from ._bindings import http_types as raw
from ._bindings import outgoing_handler
from ._wire import fields_from_list, method_to_raw, scheme_to_raw
from .body import IncomingBody, OutgoingBody
from .errors import Error, HeaderError, HttpError, error_code_from_raw, error_for_code
from .headers import Headers, HeadersLike
from .options import RequestOptions
from .poll_loop import run, wait
from .urls import is_token, split_url

__all__ = [
    "Error",
    "HeaderError",
    "Headers",
    "HeadersLike",
    "HttpError",
    "IncomingBody",
    "IncomingResponse",
    "OutgoingBody",
    "OutgoingRequest",
    "Request",
    "RequestOptions",
    "Response",
    "StreamingResponse",
    "errors",
    "get",
    "post",
    "send",
    "send_async",
    "send_streaming",
]


@dataclass
class Request:
    """A request with its whole body in memory.

    ``method`` is the token as sent (``"GET"``, ``"PURGE"``); ``uri`` an absolute URL, or a
    path for a request to the component's own app; ``headers`` anything :class:`Headers`
    takes (a dict, with a list value for a repeated name); ``body`` the bytes to send (a
    ``str`` is sent as UTF-8), or ``None`` for no body. ``options`` sets timeouts.
    """

    method: str
    uri: str
    headers: HeadersLike = field(default_factory=dict)
    body: bytes | str | None = None
    options: RequestOptions | None = None


@dataclass
class Response:
    """A response with its whole body in memory.

    Built by hand (a handler's answer), a dict of headers becomes :class:`Headers` and a
    ``str`` body is sent as UTF-8.
    """

    status: int
    headers: Headers
    body: bytes
    #: Trailers the response ended with, if any.
    trailers: Headers | None = None

    def __post_init__(self) -> None:
        self.headers = _as_headers(self.headers)
        self.body = body_bytes(self.body)
        if self.trailers is not None:
            self.trailers = _as_headers(self.trailers)

    def text(self, encoding: str = "utf-8") -> str:
        return self.body.decode(encoding)

    def json(self) -> Any:
        """The body parsed as JSON (``json.loads``, which detects UTF-8, -16 and -32)."""
        return json.loads(self.body)


@dataclass
class StreamingResponse:
    """A handler's response whose body is sent chunk by chunk as ``body`` produces it: an
    iterable or async iterable of ``bytes``. ``StreamingResponse(up.status, up.headers,
    up.body())``, with ``up`` an :class:`IncomingResponse` from :func:`send_streaming`,
    relays an upstream as it arrives."""

    status: int
    headers: Headers
    body: AsyncIterable[bytes] | Iterable[bytes]
    #: Trailers to end with, if any.
    trailers: Headers | None = None

    def __post_init__(self) -> None:
        self.headers = _as_headers(self.headers)
        if self.trailers is not None:
            self.trailers = _as_headers(self.trailers)


def _as_headers(headers: HeadersLike) -> Headers:
    return headers if isinstance(headers, Headers) else Headers(headers)


def declared_length(headers: Headers) -> int | None:
    """The content-length ``headers`` declare, if they declare a valid one."""
    value = headers.get_bytes("content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


class OutgoingRequest:
    """A request whose body is streamed: take it with :meth:`body` before sending.

    Building it already checks what the host checks first: a method that is not a token
    raises ``errors.HttpRequestMethodInvalid``, a URL part the host refuses raises
    ``errors.HttpRequestUriInvalid``, a bad header raises a :class:`HeaderError`.
    """

    def __init__(
        self,
        method: str,
        uri: str,
        headers: HeadersLike | None = None,
        options: RequestOptions | None = None,
    ) -> None:
        self.method = method
        self.uri = uri
        self.options = options
        if not is_token(method):
            raise error_for_code("HTTP-request-method-invalid", f"not an HTTP token: {method!r}")
        head = Headers(headers)
        fields = fields_from_list(head.fields())
        self._declared_length = declared_length(head)
        self._raw: raw.OutgoingRequest | None = raw.OutgoingRequest(fields)
        self._body: OutgoingBody | None = None
        try:
            target = split_url(uri)
        except UnicodeEncodeError:
            self._drop()
            raise error_for_code("HTTP-request-URI-invalid", f"a lone surrogate in {uri!r}") from None
        if target.scheme is None and target.authority is not None:
            # `//host/path` names a host but not how to reach it.
            self._drop()
            raise error_for_code(
                "HTTP-request-URI-invalid", f"{uri!r} has a host but no scheme; write http://…"
            )
        request = self._raw
        try:
            request.set_method(method_to_raw(method))
        except Err:
            self._drop()
            raise error_for_code("HTTP-request-method-invalid", f"refused: {method!r}") from None
        try:
            if target.scheme is not None:
                what = "scheme"
                request.set_scheme(scheme_to_raw(target.scheme))
            if target.authority is not None:
                what = "authority"
                request.set_authority(target.authority)
            what = "path"
            request.set_path_with_query(target.path_with_query)
        except Err:
            self._drop()
            raise error_for_code(
                "HTTP-request-URI-invalid", f"the host refused the {what} of {uri!r}"
            ) from None

    def body(self) -> OutgoingBody:
        """The body to stream into (once). Write it while :func:`send_streaming` runs and
        call :meth:`OutgoingBody.finish` at the end."""
        if self._raw is None or self._body is not None:
            raise Error("the request body was already taken, or the request was sent")
        try:
            self._body = OutgoingBody(self._raw.body(), self._declared_length)
        except Err:
            raise Error("the request body was already taken") from None
        return self._body

    def _take(self) -> raw.OutgoingRequest:
        request = self._raw
        if request is None:
            raise Error("the request was already sent")
        self._raw = None
        return request

    def _drop(self) -> None:
        if self._raw is not None:
            self._raw.__exit__(None, None, None)
            self._raw = None


class IncomingResponse:
    """A response whose body is read as it arrives: :meth:`body` or :meth:`read`."""

    def __init__(self, raw_response: raw.IncomingResponse) -> None:
        self._raw = raw_response
        self.status: int = raw_response.status()
        # `headers()` is a child of the response: copy it out and drop it.
        with raw_response.headers() as fields:
            self.headers = Headers(fields.entries())
        self._body: IncomingBody | None = None

    def body(self) -> IncomingBody:
        """The body stream (once)."""
        if self._body is not None:
            raise Error("the response body was already taken")
        try:
            self._body = IncomingBody(self._raw.consume(), parent=self._raw)
        except Err:
            raise Error("the response body was already taken") from None
        return self._body

    async def read(self) -> bytes:
        """The whole body."""
        return await self.body().read()


def _start(request: OutgoingRequest) -> raw.FutureIncomingResponse:
    options = request.options.to_raw() if request.options is not None else None
    try:
        return outgoing_handler.handle(request._take(), options)
    except Err as e:
        raise error_code_from_raw(e.value) from None


async def _response(future: raw.FutureIncomingResponse) -> IncomingResponse:
    try:
        while True:
            result = future.get()
            if result is not None:
                break
            await wait(future.subscribe())
    finally:
        future.__exit__(None, None, None)
    if isinstance(result, Err):
        raise Error("the response was already taken")
    inner = result.value
    if isinstance(inner, Err):
        raise error_code_from_raw(inner.value)
    return IncomingResponse(inner.value)


def body_bytes(body: bytes | bytearray | memoryview | str | None) -> bytes:
    """A whole body as bytes: a ``str`` as UTF-8, ``None`` as empty."""
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise TypeError(f"a whole body is bytes or str, not {type(body).__name__}")


#: Methods whose empty body is still declared, as `content-length: 0`.
_CARRY_BODY = ("POST", "PUT", "PATCH")


async def _after_failed_write(
    write_error: Error, future: raw.FutureIncomingResponse
) -> IncomingResponse | Error:
    """How a request whose body could not be written ends: a response, or an error.

    The host drops the body of a request it has failed (denied, refused, timed out), so the
    write sees only a closed stream: the response then says why. A server may also answer
    before reading the whole body (a 413, a 401) and close: that response is the result, as
    in requests and net/http. A write error with a code of its own (a body longer than its
    content-length, a refused trailer) stays.
    """
    if isinstance(write_error, (HttpError, HeaderError)):
        future.__exit__(None, None, None)
        return write_error
    try:
        return await _response(future)
    except HttpError as failed:
        return failed


async def send_streaming(request: OutgoingRequest) -> IncomingResponse:
    """Sends ``request`` and returns once the response head has arrived.

    Write the request body (if you took it) concurrently, e.g. in ``asyncio.gather``.
    """
    return await _response(_start(request))


async def send_async(request: Request) -> Response:
    """Sends a buffered request and reads the whole response, on the running event loop."""
    try:
        return await _send_buffered(request)
    except Error as e:
        # Name the request, as requests does: among concurrent sends, or after a redirect the
        # caller followed, the code alone does not say which URL failed.
        e.message = f"{request.method} {request.uri}" + (f": {e.message}" if e.message else "")
        raise


async def _send_buffered(request: Request) -> Response:
    data = body_bytes(request.body)
    headers = Headers(request.headers)
    # A known length goes out as content-length, as requests and Go's net/http do: a body of
    # unknown length is sent chunked, which servers may ignore on a GET. An empty body is
    # sent as no body at all, declared as `content-length: 0` only where the method gives a
    # body meaning (POST, PUT, PATCH; RFC 9110 section 8.6), never on a GET.
    if "content-length" not in headers and (data or request.method in _CARRY_BODY):
        headers.add("content-length", str(len(data)))
    outgoing = OutgoingRequest(request.method, request.uri, headers, request.options)
    body = outgoing.body() if data else None
    future = _start(outgoing)
    if body is not None:
        try:
            await body.write(data)
            await body.finish()
        except Error as write_error:
            body.abort()
            settled = await _after_failed_write(write_error, future)
            if settled is write_error:
                raise
            if isinstance(settled, Error):
                raise settled from write_error
            response = settled
        else:
            response = await _response(future)
    else:
        response = await _response(future)
    incoming = response.body()
    received = await incoming.read()
    return Response(response.status, response.headers, received, incoming.trailers)


def send(request: Request) -> Response:
    """Sends a buffered request and waits for the whole response.

    Runs its own :class:`~.poll_loop.PollLoop`; inside a coroutine use :func:`send_async`.
    Raises an :class:`Error`: an :class:`HttpError` subclass named after the WIT `error-code`
    (``errors.ConnectionRefused``, ``errors.HttpRequestDenied``, ...) or a :class:`HeaderError`.
    """
    return run(send_async(request))


def get(
    uri: str, headers: HeadersLike | None = None, options: RequestOptions | None = None
) -> Response:
    """``send(Request("GET", uri, headers, None))``."""
    return send(Request("GET", uri, headers if headers is not None else {}, None, options))


def post(
    uri: str,
    body: bytes | str,
    headers: HeadersLike | None = None,
    options: RequestOptions | None = None,
) -> Response:
    """``send(Request("POST", uri, headers, body))``; a ``str`` body is sent as UTF-8."""
    return send(Request("POST", uri, headers if headers is not None else {}, body, options))
