"""The instruction the agent reads and the verdicts it writes (conformance/PROTOCOL.md)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Options:
    connect_timeout_ms: int | None = None
    first_byte_timeout_ms: int | None = None
    between_bytes_timeout_ms: int | None = None


@dataclass
class Step:
    api: str = "send"
    method: str = "GET"
    url: str | None = None
    url_parts: dict[str, str | None] | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None
    chunks: list[int] | None = None
    trailers: list[tuple[str, str]] = field(default_factory=list)
    options: Options | None = None
    lookup: list[str] = field(default_factory=list)
    forward_inbound_headers: bool = False
    max_inline_body: int = 64 * 1024


class BadInstruction(Exception):
    pass


def body_bytes(spec: Any) -> bytes | None:
    if spec is None:
        return None
    if not isinstance(spec, dict) or len(spec) != 1:
        raise BadInstruction(f"bad body {spec!r}")
    if "text" in spec:
        return str(spec["text"]).encode("utf-8")
    if "base64" in spec:
        return base64.b64decode(spec["base64"], validate=True)
    if "pattern" in spec:
        return bytes(i % 251 for i in range(int(spec["pattern"])))
    raise BadInstruction(f"bad body {spec!r}")


def parse_step(raw: dict[str, Any]) -> Step:
    opts = raw.get("options")
    return Step(
        api=raw.get("api", "send"),
        method=raw.get("method", "GET"),
        url=raw.get("url"),
        url_parts=raw.get("url_parts"),
        headers=[(str(n), str(v)) for n, v in raw.get("headers") or []],
        body=body_bytes(raw.get("body")),
        chunks=[int(c) for c in raw["chunks"]] if raw.get("chunks") is not None else None,
        trailers=[(str(n), str(v)) for n, v in raw.get("trailers") or []],
        options=Options(**opts) if opts else None,
        lookup=[str(n) for n in raw.get("lookup") or []],
        forward_inbound_headers=bool(raw.get("forward_inbound_headers", False)),
        max_inline_body=int(raw.get("max_inline_body", 64 * 1024)),
    )


class Sha:
    """An incremental sha256 that keeps the body while it is at most ``keep`` bytes."""

    def __init__(self, keep: int) -> None:
        self.hash = hashlib.sha256()
        self.len = 0
        self.keep = keep
        self.kept: list[bytes] = []

    def update(self, data: bytes) -> None:
        self.hash.update(data)
        self.len += len(data)
        if self.len <= self.keep:
            self.kept.append(data)

    def inline(self) -> bytes | None:
        return b"".join(self.kept) if self.len <= self.keep else None


def inline_body(verdict: dict[str, Any], body: bytes | None) -> None:
    """Adds `body` (valid UTF-8) or `body_base64` to a verdict."""
    if body is None:
        return
    try:
        verdict["body"] = body.decode("utf-8")
    except UnicodeDecodeError:
        verdict["body_base64"] = base64.b64encode(body).decode("ascii")
