"""Performing one step with the SDK and turning what happened into a verdict."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from agent_protocol import Sha, Step, inline_body
from courier_sdk import http, poll_loop
from courier_sdk.errors import Error, HeaderError, HttpError
from courier_sdk.headers import Headers
from courier_sdk.http import OutgoingRequest, Request, RequestOptions, Response


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def error_verdict(
    e: Error, stage: str, status: int | None = None, started: float | None = None
) -> dict[str, Any]:
    """`code` is the exception's WIT case name (every SDK error carries one)."""
    v: dict[str, Any] = {"kind": "error", "code": e.code, "message": str(e), "stage": stage}
    if status is not None:
        v["status"] = status
    if started is not None:
        v["elapsed_ms"] = _ms(started)
    return v


def _unsupported(reason: str) -> dict[str, Any]:
    return {"kind": "unsupported", "reason": reason}


def _url(step: Step) -> str:
    if step.url is not None:
        return step.url
    # A URL-only SDK: join the parts and let the SDK's URL handling decide.
    p = step.url_parts or {}
    scheme, authority = p.get("scheme"), p.get("authority")
    path = p.get("path_with_query") or ""
    if authority is None:
        return path
    if scheme is None:
        return f"//{authority}{path}"
    return f"{scheme}://{authority}{path}"


def _headers(step: Step, inbound: list[tuple[str, bytes]]) -> Headers:
    h = Headers(inbound if step.forward_inbound_headers else None)
    for n, v in step.headers:
        h.add(n, v)
    if step.trailers and "trailer" not in h:
        # Announce the trailers (RFC 9110 section 6.6.2); HTTP/1.1 clients send only those.
        h.add("trailer", ", ".join(dict.fromkeys(n for n, _ in step.trailers)))
    return h


def _options(step: Step) -> RequestOptions | None:
    o = step.options
    if o is None:
        return None

    def s(ms: int | None) -> float | None:
        return None if ms is None else ms / 1000

    return RequestOptions(
        connect_timeout=s(o.connect_timeout_ms),
        first_byte_timeout=s(o.first_byte_timeout_ms),
        between_bytes_timeout=s(o.between_bytes_timeout_ms),
    )


def _stage(e: Error) -> str:
    return "request" if isinstance(e, HeaderError) else "response"


def _response_verdict(
    step: Step,
    status: int,
    headers: Headers,
    sha: Sha,
    trailers: Headers | None,
    started: float,
) -> dict[str, Any]:
    v: dict[str, Any] = {
        "kind": "response",
        "status": status,
        "headers": [[n, b.decode("utf-8", "replace")] for n, b in headers.fields()],
        "body_len": sha.len,
        "body_sha256": sha.hash.hexdigest(),
        # The SDK's own lookup: case-insensitive, every value.
        "lookups": {name: headers.get_all(name) for name in step.lookup},
        "elapsed_ms": _ms(started),
    }
    if trailers is not None:
        v["trailers"] = [[n, b.decode("utf-8", "replace")] for n, b in trailers.fields()]
    inline_body(v, sha.inline())
    return v


def _buffered_verdict(step: Step, r: Response, started: float) -> dict[str, Any]:
    sha = Sha(step.max_inline_body)
    sha.update(r.body)
    return _response_verdict(step, r.status, r.headers, sha, r.trailers, started)


def _needs_stream(step: Step) -> bool:
    return step.api == "stream" or step.chunks is not None or bool(step.trailers)


def _check_api(step: Step) -> dict[str, Any] | None:
    if step.api not in ("send", "fetch", "get", "post", "stream"):
        return _unsupported(f"unknown api `{step.api}`")
    if step.api in ("get", "post") and _needs_stream(step):
        return _unsupported("chunked bodies and trailers need the streaming API")
    if step.api in ("get", "post") and step.method != step.api.upper():
        return _unsupported("get/post entries only make GET/POST requests")
    return None


def perform(step: Step, inbound: list[tuple[str, bytes]]) -> dict[str, Any]:
    """One step, synchronously: the blocking `send`/`get`/`post`, or streaming on the loop."""
    refused = _check_api(step)
    if refused is not None:
        return refused
    started = time.monotonic()
    if _needs_stream(step):
        return poll_loop.run(_streaming(step, inbound, started))
    try:
        headers = _headers(step, inbound)
        if step.api == "get":
            r = http.get(_url(step), headers, _options(step))
        elif step.api == "post":
            r = http.post(_url(step), step.body or b"", headers, _options(step))
        else:
            r = http.send(Request(step.method, _url(step), headers, step.body, _options(step)))
    except Error as e:
        return error_verdict(e, _stage(e), started=started)
    return _buffered_verdict(step, r, started)


async def perform_async(step: Step, inbound: list[tuple[str, bytes]]) -> dict[str, Any]:
    """One step as a coroutine, for concurrent steps: `send_async`, or streaming."""
    refused = _check_api(step)
    if refused is not None:
        return refused
    started = time.monotonic()
    if _needs_stream(step):
        return await _streaming(step, inbound, started)
    try:
        headers = _headers(step, inbound)
        request = Request(step.method, _url(step), headers, step.body, _options(step))
        r = await http.send_async(request)
    except Error as e:
        return error_verdict(e, _stage(e), started=started)
    return _buffered_verdict(step, r, started)


async def _streaming(
    step: Step, inbound: list[tuple[str, bytes]], started: float
) -> dict[str, Any]:
    """An OutgoingRequest whose body is written piece by piece while `send_streaming` waits,
    and an IncomingResponse read chunk by chunk and hashed as it arrives."""
    try:
        request = OutgoingRequest(step.method, _url(step), _headers(step, inbound), _options(step))
    except Error as e:
        return error_verdict(e, "request", started=started)
    data = step.body
    out = request.body() if data is not None or step.trailers else None
    response_task = asyncio.ensure_future(http.send_streaming(request))
    # Let the send start (`handle` takes the request) before the body is written.
    await asyncio.sleep(0)

    async def write() -> None:
        if out is None:
            return
        rest = memoryview(data or b"")
        for size in step.chunks or []:
            n = min(size, len(rest))
            await out.write(bytes(rest[:n]))
            await out.flush()
            rest = rest[n:]
        if rest:
            await out.write(bytes(rest))
        await out.finish(step.trailers or None)

    try:
        await write()
    except Error as e:
        if out is not None:
            out.abort()
        own_code = isinstance(e, (HttpError, HeaderError))
        if own_code:
            response_task.cancel()
        # The host drops the body of a request it has failed (denied, refused): the write saw
        # only a closed stream, the response says why. A body of the wrong size, or a refused
        # trailer, keeps its own code.
        failed = (await asyncio.gather(response_task, return_exceptions=True))[0]
        if isinstance(failed, HttpError) and not own_code:
            return error_verdict(failed, "response", started=started)
        return error_verdict(e, "body-write", started=started)
    try:
        response = await response_task
    except Error as e:
        return error_verdict(e, "response", started=started)
    sha = Sha(step.max_inline_body)
    body = response.body()
    try:
        async for chunk in body:
            sha.update(chunk)
    except Error as e:
        return error_verdict(e, "body-read", status=response.status, started=started)
    return _response_verdict(step, response.status, response.headers, sha, body.trailers, started)
