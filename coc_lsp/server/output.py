"""Forwards a run's output to the client: `coc/output` {uri, stream, text}, and window/logMessage
for clients that do not show `coc/output` themselves.

Output arrives as trace `output` events, possibly megabytes of them: they are batched (a message
every 100 ms or 64 KiB) and capped per run, so a chatty program cannot flood the editor.
"""

from __future__ import annotations

import asyncio

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

BATCH_BYTES = 64 * 1024
BATCH_SECONDS = 0.1
RUN_LIMIT = 1024 * 1024


class OutputForwarder:
    def __init__(self, server: LanguageServer, uri: str, *, as_log: bool = True) -> None:
        self.server, self.uri, self.as_log = server, uri, as_log
        self.buffer: list[tuple[str, str]] = []
        self.buffered = 0
        self.sent = 0
        self.dropped = 0
        self.timer: asyncio.TimerHandle | None = None

    def add(self, stream: str, text: str) -> None:
        if self.sent + self.buffered >= RUN_LIMIT:
            self.dropped += len(text)
            return
        if self.buffer and self.buffer[-1][0] == stream:
            self.buffer[-1] = (stream, self.buffer[-1][1] + text)
        else:
            self.buffer.append((stream, text))
        self.buffered += len(text)
        if self.buffered >= BATCH_BYTES:
            self.flush()
        elif self.timer is None:
            self.timer = asyncio.get_running_loop().call_later(BATCH_SECONDS, self.flush)

    def flush(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        for stream, text in self.buffer:
            self.send(stream, text)
        self.sent += self.buffered
        self.buffer, self.buffered = [], 0

    def close(self) -> None:
        self.flush()
        if self.dropped:
            self.send("stderr", f"[coc: {self.dropped} more characters of output not shown]\n")

    def send(self, stream: str, text: str) -> None:
        self.server.protocol.notify("coc/output", {"uri": self.uri, "stream": stream, "text": text})
        if not self.as_log:
            return
        kind = lsp.MessageType.Log if stream == "stdout" else lsp.MessageType.Info
        self.server.window_log_message(lsp.LogMessageParams(type=kind, message=text.rstrip("\n")))
