"""Every request gets a reply, whatever the client sends: raw bytes on a real server's stdin
(issue 11, case 12)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import sys
from collections.abc import AsyncIterator
from typing import Any

from coc_lsp.server.framing import Framer, Message
from tests.server.conftest import SERVER_ENV


class RawClient:
    """Writes bytes to `coc lsp` (its stdin, or a TCP connection) and reads what it answers."""

    def __init__(
        self, process: asyncio.subprocess.Process, from_server: asyncio.StreamReader, to_server: asyncio.StreamWriter
    ) -> None:
        self.process, self.to_server = process, to_server
        self.received: list[dict[str, Any]] = []
        self.stderr = bytearray()
        self.reader = asyncio.ensure_future(self._read(from_server))
        self.errors = asyncio.ensure_future(self._read_stderr())

    async def _read(self, from_server: asyncio.StreamReader) -> None:
        framer = Framer()
        while chunk := await from_server.read(65536):
            self.received += [json.loads(f.body) for f in framer.feed(chunk) if isinstance(f, Message)]

    async def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        while chunk := await self.process.stderr.read(65536):
            self.stderr += chunk

    def send_bytes(self, data: bytes) -> None:
        self.to_server.write(data)

    def send(self, message: dict[str, Any], length: int | None = None, headers: bool = True) -> None:
        body = json.dumps(message).encode()
        head = f"Content-Length: {len(body) if length is None else length}\r\n\r\n".encode() if headers else b""
        self.send_bytes(head + body)

    async def reply(self, msg_id: Any, timeout: float = 20.0) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for message in self.received:
                if message.get("id") == msg_id and ("result" in message or "error" in message):
                    return message
            if loop.time() > deadline:
                raise AssertionError(f"no reply to {msg_id!r}; stderr: {self.stderr.decode(errors='replace')}")
            await asyncio.sleep(0.02)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    for _ in range(300):
        try:
            return await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


def request(msg_id: Any, method: str, params: Any = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}


@contextlib.asynccontextmanager
async def raw_server(tcp: bool = False) -> AsyncIterator[RawClient]:
    port = free_port() if tcp else None
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "coc_lsp", "lsp", *(["--tcp", str(port)] if tcp else []),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=SERVER_ENV,
    )
    assert process.stdin is not None and process.stdout is not None
    from_server, to_server = process.stdout, process.stdin
    if port is not None:
        from_server, to_server = await connect(port)
    client = RawClient(process, from_server, to_server)
    try:
        client.send(request(0, "initialize", {"capabilities": {}}))
        assert "result" in await client.reply(0)
        client.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        yield client
        client.send(request("bye", "shutdown"))
        assert (await client.reply("bye"))["result"] is None  # the server still answers
        client.send({"jsonrpc": "2.0", "method": "exit"})
        assert await asyncio.wait_for(process.wait(), 15) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await asyncio.wait_for(asyncio.gather(client.reader, client.errors), 15)


HOVER = {"textDocument": {"uri": "file:///nowhere/a.coc.py"}, "position": {"line": 0, "character": 0}}


async def test_ill_typed_params_get_invalid_params():
    async with raw_server() as client:
        client.send(request(1, "textDocument/hover", {"textDocument": 42, "position": "here"}))
        client.send(request(2, "textDocument/hover", "garbage"))
        client.send(request(3, "workspace/executeCommand", {"command": "coc.runToLine", "arguments": ["x", "y"]}))
        for msg_id in (1, 2, 3):
            assert (await client.reply(msg_id))["error"]["code"] == -32602
        assert "textDocument/hover" in (await client.reply(1))["error"]["message"]
        client.send(request(4, "textDocument/hover", HOVER))
        assert (await client.reply(4))["result"] is None


async def test_a_body_that_is_not_json_gets_a_parse_error():
    async with raw_server() as client:
        client.send_bytes(b'Content-Length: 20\r\n\r\n{"id": 5, "method": ')
        client.send(request(6, "textDocument/hover", HOVER))
        assert (await client.reply(5))["error"]["code"] == -32700  # the id read from the broken body
        assert (await client.reply(6))["result"] is None


async def test_a_content_length_too_short_or_too_long_is_answered_and_the_next_message_read():
    async with raw_server() as client:
        client.send(request(7, "textDocument/hover", HOVER), length=30)  # too short
        client.send(request(8, "textDocument/hover", HOVER))
        client.send(request(9, "textDocument/hover", HOVER), length=500)  # too long: runs into #10
        client.send(request(10, "textDocument/hover", HOVER))
        client.send(request(11, "textDocument/hover", HOVER))
        for msg_id in (7, 9):
            assert (await client.reply(msg_id))["error"]["code"] == -32700
        for msg_id in (8, 10, 11):
            assert (await client.reply(msg_id))["result"] is None
        assert b"framing: Content-Length said" in client.stderr


async def test_a_missing_content_length_is_answered():
    async with raw_server() as client:
        client.send_bytes(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n")
        client.send(request(12, "textDocument/hover", HOVER), headers=False)
        assert (await client.reply(12))["error"]["code"] == -32700  # when the client goes quiet
        client.send(request(13, "textDocument/hover", HOVER))
        assert (await client.reply(13))["result"] is None
        assert b"without Content-Length" in client.stderr


async def test_a_length_too_long_for_the_last_message_is_answered_when_the_client_waits():
    async with raw_server() as client:
        client.send(request(14, "textDocument/hover", HOVER), length=400)
        assert (await client.reply(14))["error"]["code"] == -32700
        client.send(request(15, "textDocument/hover", HOVER))
        assert (await client.reply(15))["result"] is None


async def test_stray_bytes_and_unknown_methods():
    async with raw_server() as client:
        client.send_bytes(b"hello\r\n")
        client.send(request(16, "no/suchMethod", {}))
        client.send({"id": 17, "method": "textDocument/hover"})  # not JSON-RPC 2.0
        assert (await client.reply(16))["error"]["code"] == -32601
        assert (await client.reply(17))["error"]["code"] == -32600


async def test_tcp_connections_get_the_same_replies():
    async with raw_server(tcp=True) as client:
        client.send(request(18, "textDocument/hover", "garbage"))
        client.send(request(19, "textDocument/hover", HOVER), length=30)
        client.send(request(20, "textDocument/hover", HOVER))
        assert (await client.reply(18))["error"]["code"] == -32602
        assert (await client.reply(19))["error"]["code"] == -32700
        assert (await client.reply(20))["result"] is None


async def test_refused_commands_leave_no_traceback_in_the_log():
    """Bad input is answered InvalidParams saying why; it is no bug of the server, so its log gets
    no traceback (pygls logs one for every refused request)."""
    async with raw_server() as client:
        document = "file:///nowhere/a.coc.py"
        client.send(request(1, "workspace/executeCommand", {"command": "coc.run", "arguments": [document]}))
        client.send(request(2, "workspace/executeCommand", {"command": "coc.pinAnswer", "arguments": [document, -1, 0]}))
        client.send(request(3, "workspace/executeCommand", {"command": "coc.solve", "arguments": [5]}))
        for msg_id in (1, 2, 3):
            assert (await client.reply(msg_id))["error"]["code"] == -32602
        client.send(request(4, "textDocument/hover", HOVER))
        assert (await client.reply(4))["result"] is None
        assert "Traceback" not in client.stderr.decode(errors="replace")
