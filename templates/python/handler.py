{#- The inbound side: `{{ model.incoming_handler.interface }}` as a class to subclass. -#}
"""Handling inbound requests: the export of ``{{ model.incoming_handler.interface }}``.

componentize-py looks for a class named ``IncomingHandler`` in the app module. Subclass
:class:`IncomingHandler` under that name and implement :meth:`~IncomingHandler.handle_request`,
either as a plain method (then the synchronous :func:`~.http.send` works inside it) or as a
coroutine (then use :func:`~.http.send_async`; it runs on the SDK's :class:`~.poll_loop.PollLoop`)::

    from {{ package_name }} import handler
    from {{ package_name }}.http import Request, Response, send

    class IncomingHandler(handler.IncomingHandler):
        def handle_request(self, request: handler.IncomingRequest) -> Response:
            return send(Request("GET", "https://example.com/", {}, None))
"""

from __future__ import annotations

import inspect
import sys
import traceback
from collections.abc import AsyncIterable, Awaitable

from componentize_py_types import Err, Ok

from ._bindings import http_types as raw
from ._wire import fields_from_list, method_from_raw, scheme_from_raw
from .body import IncomingBody, OutgoingBody
from .errors import Error
from .headers import Headers
from .http import Response, StreamingResponse, declared_length
from .poll_loop import run

__all__ = ["IncomingHandler", "IncomingRequest"]


class IncomingRequest:
    """An inbound request: method, URI, headers, and a body read with :meth:`read`/:meth:`body`."""

    def __init__(self, raw_request: raw.IncomingRequest) -> None:
        self._raw = raw_request
        #: The method token, e.g. ``"POST"``.
        self.method: str = method_from_raw(raw_request.method())
        #: Path and query as the host delivered them (``/path?q=1``).
        self.path_with_query: str = raw_request.path_with_query() or "/"
        scheme = raw_request.scheme()
        #: ``http``/``https`` or ``None``.
        self.scheme: str | None = None if scheme is None else scheme_from_raw(scheme)
        #: The authority (host and port), if the host gave one.
        self.authority: str | None = raw_request.authority()
        # `headers()` is a child of the request: copy it out and drop it.
        with raw_request.headers() as fields:
            #: The headers in order, repeated names kept.
            self.headers = Headers(fields.entries())
        self._body: IncomingBody | None = None

    @property
    def uri(self) -> str:
        """``scheme://authority/path?query`` when the host gave them all, else the path."""
        if self.scheme is not None and self.authority is not None:
            return f"{self.scheme}://{self.authority}{self.path_with_query}"
        return self.path_with_query

    def body(self) -> IncomingBody:
        """The body stream (once)."""
        if self._body is None:
            try:
                self._body = IncomingBody(self._raw.consume(), parent=self._raw)
            except Err:
                raise Error("the request body was already taken") from None
        return self._body

    async def read(self) -> bytes:
        """The whole body."""
        return await self.body().read()

    def read_sync(self) -> bytes:
        """The whole body, from a plain (not ``async``) ``handle_request``."""
        return run(self.read())


class IncomingHandler:
    """Base class of the exported ``incoming-handler``; see the module docs."""

    def handle_request(
        self, request: IncomingRequest
    ) -> Response | StreamingResponse | Awaitable[Response | StreamingResponse]:
        """Answers one request. Override it (plain method or ``async def``)."""
        raise NotImplementedError("subclass IncomingHandler and implement handle_request")

    def handle(self, request: raw.IncomingRequest, response_out: raw.ResponseOutparam) -> None:
        """The raw export that componentize-py calls; answers 500 if the handler raises."""
        try:
            incoming = IncomingRequest(request)
            result = self.handle_request(incoming)
            if inspect.isawaitable(result):
                result = run(_awaited(result))
            if not isinstance(result, (Response, StreamingResponse)):
                name = type(result).__name__
                raise TypeError(f"handle_request returned {name}, not a Response")
            outgoing, body = _head(result)
        except Exception as e:  # noqa: BLE001 - the host must get an answer whatever happens
            traceback.print_exc()
            text = f"handler failed: {e!r}\n".encode()
            result = Response(500, Headers({"content-type": "text/plain"}), text)
            outgoing, body = _head(result)
        raw.ResponseOutparam.set(response_out, Ok(outgoing))
        _write(result, body)


async def _awaited(
    result: Awaitable[Response | StreamingResponse],
) -> Response | StreamingResponse:
    return await result


def _head_fields(response: Response | StreamingResponse) -> Headers:
    """The headers to send, once the status is known valid.

    They gain a ``trailer`` header naming the trailers when they have none: over HTTP/1.1 a
    server sends only declared trailers.
    """
    status = response.status
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise ValueError(f"status {status!r} is not in 100..=599 (RFC 9110 section 15)")
    head = Headers(response.headers)
    declared = declared_length(head)
    if isinstance(response, Response) and response.body and declared not in (None, len(response.body)):
        # Known before anything is sent: a mismatch would cut the reply off after its status.
        # An empty body with a length is a HEAD's answer, and fine.
        raise ValueError(f"content-length {declared}, but the body has {len(response.body)} bytes")
    if response.trailers and "trailer" not in head:
        head.add("trailer", ", ".join(dict.fromkeys(n.lower() for n in response.trailers)))
    return head


def _head(response: Response | StreamingResponse) -> tuple[raw.OutgoingResponse, OutgoingBody]:
    """The response head, ready to send, and its body to write. Raises what the host refuses."""
    head = _head_fields(response)
    outgoing = raw.OutgoingResponse(fields_from_list(head.fields()))
    status = response.status
    try:
        outgoing.set_status_code(status)
    except Err:
        outgoing.__exit__(None, None, None)
        raise ValueError(f"the host refused status {status}") from None
    return outgoing, OutgoingBody(outgoing.body(), declared_length(head))


def _write(response: Response | StreamingResponse, body: OutgoingBody) -> None:
    """Writes the body of a response whose head is sent: whole, or chunk by chunk."""

    async def write() -> None:
        if isinstance(response, Response):
            if response.body:
                await body.write(response.body)
        elif isinstance(response.body, AsyncIterable):
            async for chunk in response.body:
                await body.write(chunk)
        else:
            for chunk in response.body:
                await body.write(chunk)
        await body.finish(response.trailers)

    try:
        run(write())
    except Error as e:
        # The head is sent: the client sees a broken body, the log says why.
        print(f"the response body failed: {e}", file=sys.stderr)
        body.abort()
    except Exception:  # noqa: BLE001 - the handler's own iterator failed
        traceback.print_exc()
        body.abort()
