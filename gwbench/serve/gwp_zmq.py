"""`gwbench serve --protocol gwp-zmq`: GigaWorld-Policy's ZeroMQ protocol (policies.remote.gwp_zmq_adapter).

A ROUTER socket, which tells peers apart, so GigaWorld-Policy's REQ clients work as they are; each peer is
a Session. ZeroMQ never says that a peer left: beyond MAX_ZMQ_SESSIONS the least recently seen are ended.
A plain client's failed request is answered with the bytes `ERROR`, as GigaWorld-Policy's servers do; a
gwbench client (requests marked "gwbench": 1) gets {"error": reason}.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
import torch
import zmq

from core.errors import one_line
from gwbench.serve.sessions import PolicyPool, Server, Session, log
from policies.remote.connection import url_host
from policies.remote.gwp_wire import ERROR_REPLY, from_bytes, observation_from_gwp, to_bytes
from policies.remote.layout import task_info_from_message

MAX_ZMQ_SESSIONS = 64


class GWPZmqServer(Server):
    def __init__(self, pool: PolicyPool, host: str, port: int):
        super().__init__(pool)
        self._socket = zmq.Context.instance().socket(zmq.ROUTER)
        self._socket.setsockopt(zmq.LINGER, 0)
        if ":" in host:
            self._socket.setsockopt(zmq.IPV6, 1)
        try:
            if port == 0:
                self.port = self._socket.bind_to_random_port(f"tcp://{url_host(host)}")
            else:
                self._socket.bind(f"tcp://{url_host(host)}:{port}")
                self.port = port
        except zmq.ZMQError as error:
            self._socket.close(linger=0)
            raise OSError(str(error)) from None
        self.url = f"gwp-zmq://{url_host(host)}:{self.port}"
        self.health = f"{self.url} (send {{'endpoint': 'ping'}})"
        self._sessions: OrderedDict[bytes, Session] = OrderedDict()
        self._stop = threading.Event()

    def serve_forever(self) -> None:
        try:
            while not self._stop.is_set():
                if self._socket.poll(200):  # wake up now and then to notice shutdown()
                    frames = self._socket.recv_multipart()
                    self._socket.send_multipart([*frames[:-1], self._reply(frames[0], frames[-1])])
        finally:
            for session in self._sessions.values():
                session.close()
            self._socket.close(linger=0)

    def shutdown(self) -> None:
        self._stop.set()

    def _session(self, peer: bytes) -> Session:
        if peer not in self._sessions:
            self._sessions[peer] = Session(self.pool, f"zmq client {peer.hex()}")
            while len(self._sessions) > MAX_ZMQ_SESSIONS:
                self._sessions.popitem(last=False)[1].close()
        self._sessions.move_to_end(peer)
        return self._sessions[peer]

    def _reply(self, peer: bytes, payload: bytes) -> bytes:
        extended = False
        try:
            request = from_bytes(payload)
            if not isinstance(request, dict):
                raise TypeError("a request must be a dict {'endpoint': ..., 'data': ...}")
            extended = bool(request.get("gwbench"))
            endpoint = request.get("endpoint")
            if endpoint == "ping":
                return to_bytes({"status": "ok", "message": "Server is running", **self.pool.metadata})
            if endpoint == "reset" and extended:
                self._session(peer).reset(task_info_from_message(request["data"]))
                return to_bytes({"ok": True})
            if endpoint == "inference":
                session = self._session(peer)
                if extended and not session.has_episode:  # its session was ended: never play on without its reset
                    raise ValueError(f"no episode for this client (over {MAX_ZMQ_SESSIONS} clients?); reset first")
                chunk, infer_ms = session.infer(observation_from_gwp(request["data"], self.pool.camera))
                actions = torch.from_numpy(np.ascontiguousarray(chunk))
                return to_bytes({"actions": actions, "infer_ms": infer_ms} if extended else actions)
            raise ValueError(f"unknown endpoint {endpoint!r}; this server answers ping, inference and gwbench's reset")
        except Exception as error:  # noqa: BLE001  (GigaWorld-Policy servers answer ERROR; gwbench clients get why)
            reason = one_line(error)
            log(f"zmq client {peer.hex()}: {reason}")
            return to_bytes({"error": reason}) if extended else ERROR_REPLY
