"""HTTP header fields: an ordered, case-insensitive multi-dict.

:class:`Headers` is a ``MutableMapping[str, str]`` (``h["content-type"]`` is the first value of
that name, whatever its case), and keeps every field in wire order, repeated names included:

* ``h.get_all("set-cookie")`` -> every value of a name, in order;
* ``h.add("x-multi", "b")`` appends a value; ``h["x-multi"] = ["a", "b"]`` replaces all values;
* ``h.fields()`` -> ``[(name, value_bytes), ...]``, exactly what goes on (or came off) the wire.

Values are bytes on the wire. The ``str`` views decode them as UTF-8 (undecodable bytes are
replaced); ``get_bytes``/``get_all_bytes``/``fields`` give the exact bytes. Wherever the SDK
takes headers it accepts a ``Headers``, a dict whose values are ``str``, ``bytes`` or a list of
those (a list sends one field per value), or a list of ``(name, value)`` pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence

__all__ = ["HeaderValue", "Headers", "HeadersLike", "to_bytes"]

#: One header value, or several for a name that repeats.
HeaderValue = str | bytes | Sequence[str | bytes]


def to_bytes(value: str | bytes) -> bytes:
    """A header value as bytes: ``str`` is encoded as UTF-8."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return value.encode("utf-8")


def _text(value: bytes) -> str:
    return value.decode("utf-8", errors="replace")


class Headers(MutableMapping[str, str]):
    """Ordered, case-insensitive header fields; repeated names keep every value, in order."""

    __slots__ = ("_fields",)

    def __init__(self, headers: HeadersLike | None = None) -> None:
        self._fields: list[tuple[str, bytes]] = []
        if headers is None:
            return
        if isinstance(headers, Headers):
            self._fields = list(headers._fields)
        elif isinstance(headers, Mapping):
            for name, value in headers.items():
                self._extend(name, value)
        else:
            for name, value in headers:
                self.add(name, value)

    def _extend(self, name: str, value: HeaderValue) -> None:
        if isinstance(value, (str, bytes)):
            self.add(name, value)
        elif isinstance(value, (bytearray, memoryview)):
            self.add(name, bytes(value))
        else:
            for v in value:
                self.add(name, v)

    # -- the multi-valued view -------------------------------------------------------------

    def add(self, name: str, value: str | bytes) -> None:
        """Appends a field; earlier fields of the same name are kept."""
        if not isinstance(name, str):
            raise TypeError(f"header names are str, not {type(name).__name__}")
        self._fields.append((name, to_bytes(value)))

    def get_all(self, name: str) -> list[str]:
        """Every value of ``name`` (case-insensitive), in order; ``[]`` when absent."""
        return [_text(v) for v in self.get_all_bytes(name)]

    def get_all_bytes(self, name: str) -> list[bytes]:
        """Every value of ``name`` as the exact bytes, in order."""
        key = name.lower()
        return [v for n, v in self._fields if n.lower() == key]

    def get_bytes(self, name: str) -> bytes | None:
        """The first value of ``name`` as bytes, or ``None``."""
        values = self.get_all_bytes(name)
        return values[0] if values else None

    def fields(self) -> list[tuple[str, bytes]]:
        """Every field as ``(name, value)``, names as written, in wire order."""
        return list(self._fields)

    def copy(self) -> Headers:
        return Headers(self)

    # -- MutableMapping[str, str] ------------------------------------------------------------

    def __getitem__(self, name: str) -> str:
        value = self.get_bytes(name)
        if value is None:
            raise KeyError(name)
        return _text(value)

    def __setitem__(self, name: str, value: HeaderValue) -> None:
        """Replaces every field of ``name``; a list value sets one field per item."""
        del_key = name.lower()
        self._fields = [(n, v) for n, v in self._fields if n.lower() != del_key]
        self._extend(name, value)

    def __delitem__(self, name: str) -> None:
        key = name.lower()
        kept = [(n, v) for n, v in self._fields if n.lower() != key]
        if len(kept) == len(self._fields):
            raise KeyError(name)
        self._fields = kept

    def __iter__(self) -> Iterator[str]:
        """Each distinct name once, as first written, in order of first appearance."""
        seen: set[str] = set()
        for n, _ in self._fields:
            if n.lower() not in seen:
                seen.add(n.lower())
                yield n

    def __len__(self) -> int:
        return len({n.lower() for n, _ in self._fields})

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        key = name.lower()
        return any(n.lower() == key for n, _ in self._fields)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return self._fields == other._fields
        if isinstance(other, Mapping):
            return self == Headers(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Headers({[(n, _text(v)) for n, v in self._fields]!r})"


#: What the SDK accepts wherever it takes headers.
HeadersLike = Headers | Mapping[str, HeaderValue] | Iterable[tuple[str, str | bytes]]
