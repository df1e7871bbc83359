"""DAP's wire format: JSON bodies behind a `Content-Length` header, on byte streams.

Used by the proxy on both of its sides (the client on our stdio, debugpy's adapter on a child's
pipes) and by the tests' client. No project imports: this module is the base the peers share.
"""

from __future__ import annotations

import json
import threading
from typing import Any, BinaryIO

Message = dict[str, Any]


class ProtocolError(Exception):
    """The peer sent something that is not a DAP message."""


def read_message(stream: BinaryIO) -> Message | None:
    """The next message from `stream`, or None when the stream ended cleanly between messages."""
    length: int | None = None
    while True:
        header = stream.readline()
        if not header:
            if length is None:
                return None
            raise ProtocolError("the stream ended inside a message header")
        header = header.strip()
        if not header:
            if length is None:
                continue  # stray blank line between messages
            break
        name, _, value = header.decode("ascii", "replace").partition(":")
        if name.strip().lower() == "content-length":
            try:
                length = int(value.strip())
            except ValueError:
                raise ProtocolError(f"bad Content-Length header: {header!r}") from None
    body = stream.read(length)
    if len(body) < length:
        raise ProtocolError(f"the stream ended after {len(body)} of {length} body bytes")
    try:
        message = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProtocolError(f"a message body is not JSON: {error}") from None
    if not isinstance(message, dict) or "type" not in message:
        raise ProtocolError(f"a message is not a DAP message object: {body[:200]!r}")
    return message


def encode_message(message: Message) -> bytes:
    body = json.dumps(message, ensure_ascii=False).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Writer:
    """Writes whole messages to a stream from any thread. With `renumber`, it gives each message
    the next `seq` of its own: messages forwarded and messages the proxy makes up share one
    sequence towards the client."""

    def __init__(self, stream: BinaryIO, renumber: bool = False) -> None:
        self.stream = stream
        self.renumber = renumber
        self.lock = threading.Lock()
        self.seq = 0
        self.closed = False

    def send(self, message: Message) -> None:
        with self.lock:
            if self.closed:
                return
            if self.renumber:
                self.seq += 1
                message = {**message, "seq": self.seq}
            try:
                self.stream.write(encode_message(message))
                self.stream.flush()
            except (OSError, ValueError):
                self.closed = True  # the peer went away; the reader side notices and ends the session

    def event(self, event: str, body: Message | None = None) -> None:
        message: Message = {"seq": 0, "type": "event", "event": event}
        if body is not None:
            message["body"] = body
        self.send(message)

    def respond(self, request: Message, success: bool, body: Message | None = None, message: str | None = None) -> None:
        response: Message = {
            "seq": 0,
            "type": "response",
            "request_seq": request.get("seq", 0),
            "command": request.get("command", ""),
            "success": success,
        }
        if message is not None:
            response["message"] = message
        if body is not None:
            response["body"] = body
        self.send(response)
