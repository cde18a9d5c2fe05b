"""`gwbench serve --protocol openpi`: openpi's websocket protocol (policies.remote.openpi_adapter).

One thread per connection (websockets' threaded server), each connection a Session. `GET /healthz` on the
same port answers 200 "OK". No torch here.
"""

from __future__ import annotations

import http

import websockets.exceptions
import websockets.frames
import websockets.sync.server

from core.errors import one_line
from gwbench.serve.sessions import PolicyPool, Server, Session, log
from policies.remote import msgpack_numpy
from policies.remote.connection import url_host
from policies.remote.layout import observation_from_openpi, task_info_from_message


class OpenPIServer(Server):
    def __init__(self, pool: PolicyPool, host: str, port: int):
        super().__init__(pool)
        self._server = websockets.sync.server.serve(
            self._handle, host, port, compression=None, max_size=None, process_request=self._health_check,
        )
        self.port = self._server.socket.getsockname()[1]
        self.url = f"openpi://{url_host(host)}:{self.port}"
        self.health = f"http://{url_host(host)}:{self.port}/healthz"

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def shutdown(self) -> None:
        self._server.shutdown()  # also closes the connections and waits for their handlers

    @staticmethod
    def _health_check(connection, request):
        if request.path == "/healthz":
            return connection.respond(http.HTTPStatus.OK, "OK\n")
        return None  # a websocket handshake: go on

    def _handle(self, connection) -> None:
        host, port = connection.remote_address[:2]
        session = Session(self.pool, f"openpi client {host}:{port}")
        try:
            connection.send(msgpack_numpy.packb(self.pool.metadata))
            for message in connection:
                connection.send(msgpack_numpy.packb(self._reply(session, message)))
        except websockets.exceptions.ConnectionClosed:
            pass
        except Exception as error:  # noqa: BLE001  (as openpi: the reason as text, then close with 1011)
            reason = one_line(error)
            log(f"{session.label}: {reason}")
            try:
                connection.send(reason)
                connection.close(websockets.frames.CloseCode.INTERNAL_ERROR, "policy error; reason sent as text")
            except websockets.exceptions.ConnectionClosed:
                pass
        finally:
            session.close()

    def _reply(self, session: Session, message) -> dict:
        request = msgpack_numpy.unpackb(message) if isinstance(message, bytes) else None
        if not isinstance(request, dict):
            raise TypeError("a request must be one msgpack map (an observation, or gwbench's reset)")
        if request.get("gwbench") == "reset":
            session.reset(task_info_from_message(request["task_info"]))
            return {"gwbench": "reset", "ok": True}
        chunk, infer_ms = session.infer(observation_from_openpi(request, self.pool.camera))
        return {"actions": chunk, "server_timing": {"infer_ms": infer_ms}}
