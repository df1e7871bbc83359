"""The state one debug session shares between the proxy's two peers (client.py, server.py):
the writers towards each peer, the client's requests still waiting for debugpy's answer, the
launch and the trace being followed. The peers import this module, never each other.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from coc_lsp.debug.emulations import TraceFollower, console_line
from coc_lsp.debug.launch import Launch
from coc_lsp.debug.protocol import Message, Writer


@dataclass
class DebugSession:
    to_client: Writer
    to_server: Writer
    # request seq -> the client's request, until debugpy's response to it has gone back
    requests: dict[int, Message] = field(default_factory=dict)
    launch: Launch | None = None
    follower: TraceFollower | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    finished: threading.Event = field(default_factory=threading.Event)
    status: int = 0  # the exit status of `coc dap`

    def remember(self, request: Message) -> None:
        with self.lock:
            self.requests[request.get("seq", 0)] = request

    def request_for(self, response: Message) -> Message | None:
        with self.lock:
            return self.requests.pop(response.get("request_seq", -1), None)

    def show_emulations(self) -> None:
        """Send the trace's news (emulations, the backend, the summary) to the debug console."""
        if self.follower is None:
            return
        for event in self.follower.drain():
            text = console_line(event)
            if text is not None:
                self.to_client.event("output", {"category": "console", "output": text})
