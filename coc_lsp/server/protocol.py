"""pygls's LSP protocol, with what this server needs changed (a subclass, not a fork):

- Every request gets a reply: `receive()` structures a parsed message itself, so a request whose
  params do not fit its method (a hover with garbage params) is answered -32602 InvalidParams
  instead of being dropped with a log line, and a message that is not JSON-RPC is answered
  -32600 when it carries an id. `reply_error()` is what transport.py uses for framing errors.
- A request a handler refuses with InvalidParams (bad input; the message says why) is answered
  without the traceback pygls logs for every failed request.
- `shutdown` cancels the requests still pending while iterating over a copy of them: cancelling
  one runs the callback that removes it from the dict pygls iterates ("dictionary changed size
  during iteration", -32603).
- The server keeps documents itself (documents.py): didOpen/didChange/didClose only reach the
  handlers, pygls's workspace copy (which splits lines with str.splitlines()) is not updated.
- Positions are always UTF-16 (the LSP default; positions.py): pygls would otherwise pick the
  first encoding a client offers, often UTF-8.
- `on_cancel` is told of every $/cancelRequest: cancelling the command that started a run stops
  the run, also after the command has answered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from concurrent.futures import Future
from typing import Any

from cattrs import transform_error
from cattrs.errors import ClassValidationError
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcInvalidRequest
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.protocol.json_rpc import JsonRPCNotification, JsonRPCRequestMessage, MsgId

log = logging.getLogger(__name__)
DETAILS_SHOWN = 3


class CocProtocol(LanguageServerProtocol):
    on_cancel: Callable[[MsgId], None] | None = None

    def receive(self, data: Any) -> None:
        """Handle one message parsed from JSON."""
        msg_id = data.get("id") if isinstance(data, dict) else None
        is_request = isinstance(data, dict) and "method" in data and isinstance(msg_id, (int, str))
        if not isinstance(data, dict) or data.get("jsonrpc") != self.VERSION:
            log.warning("ignored a message that is not JSON-RPC 2.0 (%s)", type(data).__name__)
            if isinstance(msg_id, (int, str)):
                self.reply_error(msg_id, JsonRpcInvalidRequest("not a JSON-RPC 2.0 message"))
            return
        try:
            message = self._structure(data)
        except (ClassValidationError, JsonRpcException, TypeError, ValueError, KeyError) as error:
            method = data.get("method", "a response")
            detail = _details(error)
            if is_request:
                self.reply_error(msg_id, JsonRpcInvalidParams(f"invalid params for {method}: {detail}"))
            else:
                log.warning("ignored %s: invalid params: %s", method, detail)
            return
        self.handle_message(message)

    def _structure(self, data: dict[str, Any]) -> Any:
        """The message as pygls's typed objects; pygls's own `structure_message` would log a
        traceback for each message that does not fit."""
        method = data.get("method")
        if not isinstance(method, str) or "error" in data:
            return self.structure_message(data)  # a response
        fallback = JsonRPCRequestMessage if "id" in data else JsonRPCNotification
        return self._converter.structure(data, self.get_message_type(method) or fallback)

    def reply_error(self, msg_id: MsgId | None, error: JsonRpcException) -> None:
        self._send_response(msg_id, error=error.to_response_error())  # type: ignore[arg-type]

    def _send_handler_result(self, future: Future[Any], *, msg_id: MsgId) -> None:
        """A handler's InvalidParams (bad input, its message says why) is answered without the
        traceback pygls logs for every failed request: the log keeps those for the server's bugs."""
        refused = None if future.cancelled() else future.exception()
        if isinstance(refused, JsonRpcInvalidParams):
            self._request_futures.pop(msg_id, None)
            log.info("refused request %s: %s", msg_id, refused)
            self.reply_error(msg_id, refused)
            return
        super()._send_handler_result(future, msg_id=msg_id)

    def _handle_cancel_notification(self, msg_id: MsgId) -> None:
        super()._handle_cancel_notification(msg_id)
        if self.on_cancel is not None:
            self.on_cancel(msg_id)

    @lsp_method(lsp.INITIALIZE)
    def lsp_initialize(self, params: lsp.InitializeParams) -> Generator[Any, Any, lsp.InitializeResult]:
        if params.capabilities.general is not None:
            params.capabilities.general.position_encodings = None
        return (yield from super().lsp_initialize(params))

    @lsp_method(lsp.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Generator[Any, Any, None]:
        if (user_handler := self.fm.features.get(lsp.SHUTDOWN)) is not None:
            yield user_handler, args, None
        current_id = self.msg_id
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current_id and not future.done():
                future.cancel()
        self._shutdown = True
        return None

    @lsp_method(lsp.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: lsp.DidOpenTextDocumentParams) -> Generator[Any, Any, None]:
        yield from self._to_handler(lsp.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: lsp.DidChangeTextDocumentParams) -> Generator[Any, Any, None]:
        yield from self._to_handler(lsp.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: lsp.DidCloseTextDocumentParams) -> Generator[Any, Any, None]:
        yield from self._to_handler(lsp.TEXT_DOCUMENT_DID_CLOSE, params)

    def _to_handler(self, method: str, params: Any) -> Generator[Any, Any, None]:
        if (user_handler := self.fm.features.get(method)) is not None:
            yield user_handler, (params,), None


def _details(error: BaseException) -> str:
    if isinstance(error, ClassValidationError):
        found = transform_error(error)
        return "; ".join(found[:DETAILS_SHOWN]) + ("; …" if len(found) > DETAILS_SHOWN else "")
    return str(error) or type(error).__name__
