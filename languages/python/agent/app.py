"""The Python conformance agent: performs the harness's instructions with the generated Python
SDK (``courier_sdk``) and reports what the guest saw. The protocol is conformance/PROTOCOL.md:
``POST …/run`` runs an instruction, ``…/proxy`` forwards the inbound request, anything else is
described back (inspect).

The handler is synchronous, so sequential steps use the SDK's blocking ``send``; concurrent
steps and streaming run coroutines on the SDK's poll loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

from agent_protocol import BadInstruction, Step, parse_step
from agent_steps import error_verdict, perform, perform_async
from courier_sdk import handler, poll_loop
from courier_sdk.errors import Error
from courier_sdk.headers import Headers
from courier_sdk.http import OutgoingRequest, Response, send_streaming


def _json(status: int, value: Any) -> Response:
    return Response(
        status, Headers({"content-type": "application/json"}), json.dumps(value).encode("utf-8")
    )


def _text(status: int, text: str) -> Response:
    return Response(status, Headers({"content-type": "text/plain"}), text.encode("utf-8"))


class IncomingHandler(handler.IncomingHandler):
    def handle_request(self, request: handler.IncomingRequest) -> Response:
        route = request.path_with_query.split("?", 1)[0]
        if route.endswith("/run") and request.method == "POST":
            return run(request)
        if route.endswith("/proxy"):
            return proxy(request)
        return inspect(request)


def run(request: handler.IncomingRequest) -> Response:
    try:
        instruction = json.loads(poll_loop.run(request.read()))
        steps = [_parse(s) for s in instruction["steps"]]
    except (Error, ValueError, KeyError, TypeError) as e:
        return _text(400, f"bad instruction: {e}\n")
    # The /run request's own framing is not the outbound request's: its body is not forwarded.
    inbound = [
        (n, v)
        for n, v in request.headers.fields()
        if n.lower() not in ("content-length", "transfer-encoding")
    ]
    if instruction.get("concurrent", False):

        async def all_steps() -> list[dict[str, Any]]:
            return list(await asyncio.gather(*(_perform_async(s, inbound) for s in steps)))

        verdicts = poll_loop.run(all_steps())
    else:
        verdicts = [
            _bad_step(s) if isinstance(s, BadInstruction) else perform(s, inbound) for s in steps
        ]
    return _json(200, {"steps": verdicts})


def _parse(raw: Any) -> Step | BadInstruction:
    """A step that cannot be read fails alone, as in the other agents."""
    try:
        return parse_step(raw)
    except (ValueError, KeyError, TypeError, BadInstruction) as e:
        return BadInstruction(str(e))


def _bad_step(e: BadInstruction) -> dict[str, Any]:
    return {
        "kind": "error",
        "code": "other",
        "message": f"bad step in the instruction: {e}",
        "stage": "request",
    }


async def _perform_async(
    s: Step | BadInstruction, inbound: list[tuple[str, bytes]]
) -> dict[str, Any]:
    if isinstance(s, BadInstruction):
        return _bad_step(s)
    return await perform_async(s, inbound)


def proxy(request: handler.IncomingRequest) -> Response:
    target = request.headers.get("courier-target")
    if target is None:
        return _text(400, "the proxy entry needs a courier-target header\n")
    forward = [(n, v) for n, v in request.headers.fields() if not n.lower().startswith("courier-")]
    # Hosts drop transfer-encoding; declared trailers also mean a (chunked) body.
    body_headers = ("transfer-encoding", "trailer")
    has_body = any(
        (n.lower() == "content-length" and v != b"0") or n.lower() in body_headers
        for n, v in forward
    )

    async def go() -> Response:
        outgoing = OutgoingRequest(request.method, target, forward)
        inbound_body = request.body()
        out_body = outgoing.body() if has_body else None

        async def copy() -> None:
            if out_body is None:
                return
            async for chunk in inbound_body:
                await out_body.write(chunk)
            await out_body.finish(inbound_body.trailers)

        response, _ = await asyncio.gather(send_streaming(outgoing), copy())
        response_body = response.body()
        body = await response_body.read()
        return Response(response.status, response.headers, body, response_body.trailers)

    try:
        return poll_loop.run(go())
    except Error as e:
        return _json(502, error_verdict(e, "response"))


def inspect(request: handler.IncomingRequest) -> Response:
    try:
        body = poll_loop.run(request.read())
    except Error:
        body = b""
    verdict: dict[str, Any] = {
        "method": request.method,
        "path": request.path_with_query,
        "headers": [[n, v.decode("utf-8", "replace")] for n, v in request.headers.fields()],
        "body_len": len(body),
        "body_sha256": hashlib.sha256(body).hexdigest(),
    }
    if len(body) <= 64 * 1024:
        try:
            verdict["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return _json(200, verdict)
