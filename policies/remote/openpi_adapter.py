"""`openpi://HOST:PORT`: a policy behind openpi's websocket server (`serve_policy.py`, or `gwbench serve`).

The protocol, as openpi-client 0.1.2 speaks it: on connect the server sends one msgpack map, its metadata;
then each binary message from the client is one observation (layout: policies.remote.layout), answered
by one map holding `actions` (T x D) and `server_timing.infer_ms`. A text message is the server's error
(a traceback; the server then closes). Encoding: policies.remote.msgpack_numpy. The server also answers
`GET /healthz` with 200.

gwbench's extension, used only when the metadata holds a `gwbench` map (a `gwbench serve` server):
before each episode the client sends {"gwbench": "reset", "task_info": {TaskInfo fields}} and waits for
{"gwbench": "reset", "ok": true}; images travel at the size the served policy reads (metadata
`gwbench.camera`) instead of openpi's 224x224. A plain openpi server never sees either.

Connection, retries and errors: policies.remote.connection.ServerPolicy. No torch here.
"""

from __future__ import annotations

import numpy as np
import websockets.exceptions
import websockets.sync.client

from policies.base import PolicyError, PolicyOutput, TaskInfo
from policies.remote import msgpack_numpy
from policies.remote.connection import ServerPolicy, url_host
from policies.remote.layout import OPENPI_IMAGE_SIZE, openpi_request, task_info_message


class OpenPIPolicy(ServerPolicy):
    """One openpi server behind the Policy protocol."""

    scheme = "openpi"
    wire_format = "openpi websocket, msgpack-numpy"
    transport_errors = (OSError, TimeoutError, EOFError, websockets.exceptions.WebSocketException)
    _connection: websockets.sync.client.ClientConnection | None

    def _open(self) -> dict:
        self._connection = websockets.sync.client.connect(
            f"ws://{url_host(self.address.host)}:{self.address.port}", open_timeout=self.options.connect_timeout,
            compression=None, max_size=None, close_timeout=self.options.connect_timeout,
            legacy=True,  # a connection, not a reconnector
            proxy=None,  # a policy server is reached directly, never through an HTTP proxy
        )
        metadata = msgpack_numpy.unpackb(self._connection.recv(timeout=self.options.connect_timeout))
        return metadata if isinstance(metadata, dict) else {"metadata": metadata}

    def _exchange(self, payload: bytes, timeout: float):
        self._connection.send(payload)
        reply = self._connection.recv(timeout=timeout)
        if isinstance(reply, str):  # openpi sends its traceback as text, then closes
            self._disconnect()
            lines = [line for line in reply.strip().splitlines() if line.strip()]
            raise PolicyError(f"openpi server {self.name} failed: {lines[-1].strip() if lines else 'no reason given'}")
        return msgpack_numpy.unpackb(reply)

    def _encode_observation(self, observation: dict) -> bytes:
        image_size = None if self.gwbench else OPENPI_IMAGE_SIZE  # a gwbench server reads them as rendered
        return msgpack_numpy.packb(openpi_request(observation, image_size))

    def _encode_reset(self, info: TaskInfo) -> bytes:
        return msgpack_numpy.packb({"gwbench": "reset", "task_info": task_info_message(info)})

    def _decode_reply(self, reply) -> PolicyOutput:
        if not isinstance(reply, dict) or "actions" not in reply:
            raise PolicyError(f"openpi server {self.name} answered without 'actions': {str(reply)[:120]}")
        timing = reply.get("server_timing")
        infer_ms = timing.get("infer_ms") if isinstance(timing, dict) else None
        actions = np.array(reply["actions"], dtype=np.float64)  # a copy: decoded arrays are read-only
        return PolicyOutput(actions, server_ms=float(infer_ms) if infer_ms is not None else None)
