"""`send` against a fake host: the raw binding classes replaced by small fakes that record what
the SDK asked for. Everything is ready at once here, so no pollable is ever waited on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from componentize_py_types import Err, Ok
from wit_world.imports import http_types as raw
from wit_world.imports import outgoing_handler, streams

from courier_sdk import errors
from courier_sdk.http import OutgoingRequest, Request, RequestOptions, send


class Resource:
    dropped = False

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *args: Any) -> None:
        self.dropped = True


class FakeFields(Resource):
    def __init__(self, entries: list[tuple[str, bytes]] | None = None) -> None:
        self._entries = list(entries or [])

    @classmethod
    def from_list(cls, entries: list[tuple[str, bytes]]) -> FakeFields:
        for name, value in entries:
            if " " in name or b"\n" in value:
                raise Err(raw.HeaderError_InvalidSyntax())
            if name.lower() == "host":
                raise Err(raw.HeaderError_Forbidden())
        return cls(entries)

    def entries(self) -> list[tuple[str, bytes]]:
        return list(self._entries)


class FakeOutputStream(Resource):
    def __init__(self, sink: bytearray) -> None:
        self.sink = sink

    def check_write(self) -> int:
        return 4096

    def write(self, data: bytes) -> None:
        assert len(data) <= 4096
        self.sink.extend(data)

    def flush(self) -> None:
        pass


@dataclass
class Sent:
    method: Any = None
    scheme: Any = None
    authority: str | None = None
    path: str | None = None
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)
    finished: bool = False
    options: Any = None


class FakeOutgoingBody(Resource):
    def __init__(self, sent: Sent) -> None:
        self.sent = sent

    def write(self) -> FakeOutputStream:
        return FakeOutputStream(self.sent.body)

    @classmethod
    def finish(cls, this: FakeOutgoingBody, trailers: Any) -> None:
        this.sent.finished = True


class FakeOutgoingRequest(Resource):
    def __init__(self, headers: FakeFields) -> None:
        self.sent = Sent(headers=headers.entries())

    def set_method(self, m: Any) -> None:
        self.sent.method = m

    def set_scheme(self, s: Any) -> None:
        self.sent.scheme = s

    def set_authority(self, a: str | None) -> None:
        if a is not None and "\n" in a:
            raise Err(None)
        self.sent.authority = a

    def set_path_with_query(self, p: str | None) -> None:
        self.sent.path = p

    def body(self) -> FakeOutgoingBody:
        return FakeOutgoingBody(self.sent)


class FakeInputStream(Resource):
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = list(chunks)

    def read(self, n: int) -> bytes:
        if not self.chunks:
            raise Err(streams.StreamError_Closed())
        return self.chunks.pop(0)


class FakeFutureTrailers(Resource):
    def get(self) -> Any:
        return Ok(Ok(None))


class FakeIncomingBody(Resource):
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def stream(self) -> FakeInputStream:
        return FakeInputStream(self.chunks)

    @classmethod
    def finish(cls, this: FakeIncomingBody) -> FakeFutureTrailers:
        return FakeFutureTrailers()


class FakeIncomingResponse(Resource):
    def __init__(self, status: int, headers: list[tuple[str, bytes]], chunks: list[bytes]) -> None:
        self._status, self._headers, self._chunks = status, headers, chunks

    def status(self) -> int:
        return self._status

    def headers(self) -> FakeFields:
        return FakeFields(self._headers)

    def consume(self) -> FakeIncomingBody:
        return FakeIncomingBody(self._chunks)


class FakeFuture(Resource):
    def __init__(self, result: Any) -> None:
        self.result = result

    def get(self) -> Any:
        return self.result


class Host:
    def __init__(self) -> None:
        self.requests: list[Sent] = []
        response = FakeIncomingResponse(200, [("x-a", b"1"), ("X-A", b"2")], [b"he", b"llo"])
        self.reply: Any = Ok(Ok(response))
        self.refuse: Any = None

    def handle(self, request: FakeOutgoingRequest, options: Any) -> FakeFuture:
        request.sent.options = options
        self.requests.append(request.sent)
        if self.refuse is not None:
            raise Err(self.refuse)
        return FakeFuture(self.reply)


@pytest.fixture
def host(monkeypatch: pytest.MonkeyPatch) -> Host:
    h = Host()
    for name, fake in [
        ("Fields", FakeFields),
        ("OutgoingRequest", FakeOutgoingRequest),
        ("OutgoingBody", FakeOutgoingBody),
        ("IncomingBody", FakeIncomingBody),
    ]:
        monkeypatch.setattr(raw, name, fake)
    monkeypatch.setattr(outgoing_handler, "handle", h.handle)
    return h


def test_a_get_goes_out_as_written_and_the_response_comes_back_whole(host: Host) -> None:
    r = send(Request("GET", "http://example.test:8080/p?q=%20", {"x-multi": ["a", "b"]}, None))
    (sent,) = host.requests
    assert isinstance(sent.method, raw.Method_Get)
    assert isinstance(sent.scheme, raw.Scheme_Http)
    assert (sent.authority, sent.path) == ("example.test:8080", "/p?q=%20")
    assert sent.headers == [("x-multi", b"a"), ("x-multi", b"b")]
    # No body was given: none is opened, so none is sent.
    assert not sent.finished and sent.body == b""
    assert sent.options is None
    assert (r.status, r.body) == (200, b"hello")
    assert r.headers.get_all("x-a") == ["1", "2"]


def test_a_body_is_written_in_permitted_pieces_and_finished(host: Host) -> None:
    payload = bytes(i % 251 for i in range(10_000))
    send(Request("PURGE", "https://h/", {}, payload))
    (sent,) = host.requests
    assert sent.method == raw.Method_Other("PURGE")
    assert isinstance(sent.scheme, raw.Scheme_Https)
    assert bytes(sent.body) == payload and sent.finished


def test_the_hosts_error_code_is_raised_as_its_class(host: Host) -> None:
    host.refuse = raw.ErrorCode_HttpRequestDenied()
    with pytest.raises(errors.HttpRequestDenied) as info:
        send(Request("GET", "http://denied.test/", {}, None))
    assert info.value.code == "HTTP-request-denied"
    assert str(info.value) == "HTTP-request-denied: GET http://denied.test/", "it names the request"

    host.refuse = None
    host.reply = Ok(Err(raw.ErrorCode_ConnectionRefused()))
    with pytest.raises(errors.ConnectionRefused):
        send(Request("GET", "http://closed.test/", {}, None))


def test_requests_the_host_would_refuse_fail_before_it_is_asked(host: Host) -> None:
    with pytest.raises(errors.HttpRequestMethodInvalid):
        send(Request("bad\nmethod", "http://h/", {}, None))
    with pytest.raises(errors.HttpRequestUriInvalid):
        send(Request("GET", "http://bad-\nhost/", {}, None))
    with pytest.raises(errors.InvalidSyntax):
        send(Request("GET", "http://h/", {"bad header": "v"}, None))
    with pytest.raises(errors.Forbidden, match="'Host'"):
        OutgoingRequest("GET", "http://h/", {"x-fine": "1", "Host": "elsewhere"})
    assert host.requests == []


def test_options_are_passed_to_handle(host: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Any] = []

    class FakeOptions:
        def __init__(self) -> None:
            self.ns: int | None = None
            made.append(self)

        def set_connect_timeout(self, ns: int | None) -> None:
            self.ns = ns

    monkeypatch.setattr(raw, "RequestOptions", FakeOptions)
    send(Request("GET", "http://h/", {}, None, RequestOptions(connect_timeout=0.25)))
    assert host.requests[0].options is made[0] and made[0].ns == 250_000_000


def test_a_body_longer_than_its_content_length_never_reaches_the_host(host: Host) -> None:
    with pytest.raises(errors.HttpRequestBodySize) as info:
        send(Request("POST", "http://h/", {"content-length": "3"}, b"abcde"))
    assert info.value.payload == 5
    (sent,) = host.requests
    # Not a byte went out, and the body was not finished: the host sends nothing on.
    assert sent.body == b"" and not sent.finished

    send(Request("POST", "http://h/", {"content-length": "5"}, b"abcde"))
    assert bytes(host.requests[1].body) == b"abcde" and host.requests[1].finished


def test_a_short_body_is_reported_as_such_even_when_the_host_failed_the_request(
    host: Host, monkeypatch: pytest.MonkeyPatch
) -> None:
    def finish(cls: type, this: FakeOutgoingBody, trailers: Any) -> None:
        raise Err(raw.ErrorCode_HttpRequestBodySize(len(this.sent.body)))

    monkeypatch.setattr(FakeOutgoingBody, "finish", classmethod(finish))
    # The host's own failure of the request is a consequence of the short body.
    host.reply = Ok(Err(raw.ErrorCode_HttpProtocolError()))
    with pytest.raises(errors.HttpRequestBodySize) as info:
        send(Request("POST", "http://h/", {"content-length": "11"}, b"abc"))
    assert info.value.payload == 3


def test_an_answer_before_the_upload_ends_is_the_result_and_a_failure_says_why(
    host: Host, monkeypatch: pytest.MonkeyPatch
) -> None:
    def closed(self: FakeOutputStream) -> int:
        raise Err(streams.StreamError_Closed())

    # The server answered 413 and closed: the host closed the body stream under the write.
    monkeypatch.setattr(FakeOutputStream, "check_write", closed)
    host.reply = Ok(Ok(FakeIncomingResponse(413, [], [b"too big"])))
    response = send(Request("POST", "http://h/", {}, b"x" * 100_000))
    assert (response.status, response.body) == (413, b"too big")
    # A request the host failed: its error, not the closed stream's.
    host.reply = Ok(Err(raw.ErrorCode_ConnectionRefused()))
    with pytest.raises(errors.ConnectionRefused):
        send(Request("POST", "http://h/", {}, b"x"))


def test_a_str_body_goes_out_as_utf8_with_its_byte_length(host: Host) -> None:
    send(Request("POST", "http://h/", {}, "héllo"))
    (sent,) = host.requests
    assert bytes(sent.body) == "héllo".encode()
    assert ("content-length", b"6") in sent.headers
    with pytest.raises(TypeError, match="bytes or str, not int"):
        send(Request("POST", "http://h/", {}, 5))  # type: ignore[arg-type]


def test_an_empty_post_declares_content_length_zero_and_a_get_does_not(host: Host) -> None:
    send(Request("POST", "http://h/", {}, None))
    send(Request("GET", "http://h/", {}, b""))
    post, get = host.requests
    assert ("content-length", b"0") in post.headers and not post.finished
    assert all(name != "content-length" for name, _ in get.headers)


def test_a_response_parses_as_json(host: Host) -> None:
    response = FakeIncomingResponse(200, [], [b'{"a": [1, ', b'"\\u00e9"]}'])
    host.reply = Ok(Ok(response))
    assert send(Request("GET", "http://h/", {}, None)).json() == {"a": [1, "é"]}
