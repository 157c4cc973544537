"""The lab's stand-in for Apple's servers: a tiny HTTP 200 on port 80 and, after a TLS
handshake, on 443, 5223 and 2197. Run inside the pa-apple namespace by ``lab up``::

    python -m pushaudit.lab.apple_service --cert CERT --key KEY
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import ssl
from collections.abc import Awaitable, Callable, Sequence

from pushaudit.lab.topology import APPLE_PORT_HTTP, APPLE_PORTS_TLS

log = logging.getLogger("pushaudit.lab.apple_service")

REQUEST_HEAD_LIMIT = 16384
READ_TIMEOUT_S = 3.0

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def response(port: int) -> bytes:
    body = f"pushaudit lab apple service, port {port}\n".encode("ascii")
    head = (
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def make_handler(port: int) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        try:
            # read the request head if one comes; answer either way (push clients speak first
            # with their own protocol, a bare TLS probe says nothing at all)
            with contextlib.suppress(TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT_S)
            writer.write(response(port))
            await writer.drain()
            log.info("port %d: answered %s", port, peer)
        except (ConnectionError, ssl.SSLError) as exc:
            log.info("port %d: %s dropped: %s", port, peer, exc)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await writer.wait_closed()

    return handle


def tls_context(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


async def serve(cert: str, key: str, host: str = "0.0.0.0") -> None:  # noqa: S104 - lab namespace only
    context = tls_context(cert, key)
    servers = [await asyncio.start_server(make_handler(APPLE_PORT_HTTP), host, APPLE_PORT_HTTP)]
    for port in APPLE_PORTS_TLS:
        servers.append(
            await asyncio.start_server(
                make_handler(port), host, port, ssl=context, ssl_handshake_timeout=READ_TIMEOUT_S,
                limit=REQUEST_HEAD_LIMIT,
            )
        )  # fmt: skip
    log.info("listening on %s ports %d %s", host, APPLE_PORT_HTTP, " ".join(map(str, APPLE_PORTS_TLS)))
    await asyncio.gather(*(server.serve_forever() for server in servers))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="pushaudit lab: fake Apple service")
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    asyncio.run(serve(args.cert, args.key))


if __name__ == "__main__":
    main()
