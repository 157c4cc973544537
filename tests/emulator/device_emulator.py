"""DEVICE EMULATOR: an SSH server that presents a vendor firewall CLI from fixture files.

It runs asyncssh on its own event loop in a background thread, bound to 127.0.0.1 on a free port,
so Netmiko's real drivers (and the project's collector) can log in to it as to a device. It
accepts password, keyboard-interactive (PAN-OS driver) and public-key authentication, and records
every command line it receives in ``log``.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import asyncssh

from .cli import CliSession
from .device import Device
from .log import CommandLog

IDLE_TIMEOUT = 60.0  # a forgotten session closes by itself; no test waits on it
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0


class _Shell(asyncssh.SSHServerSession[str]):
    """Glue between one SSH channel and one CliSession."""

    def __init__(self, emulator: DeviceEmulator, user: str) -> None:
        self._emulator = emulator
        self._user = user
        self._chan: asyncssh.SSHServerChannel[str] | None = None
        self._cli: CliSession | None = None
        self._idle: asyncio.TimerHandle | None = None

    def connection_made(self, chan: asyncssh.SSHServerChannel[str]) -> None:
        self._chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes: Any) -> bool:
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        return False  # network CLIs offer an interactive shell only

    def session_started(self) -> None:
        self._cli = self._emulator.new_cli(self._user)
        self._write(self._cli.greeting())

    def data_received(self, data: str, datatype: asyncssh.DataType) -> None:
        if self._cli is None:
            return
        self._write(self._cli.feed(data))
        if self._cli.closed and self._chan is not None:
            self._chan.exit(0)

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if self._idle is not None:
            self._idle.cancel()
        if self._cli is not None:
            self._emulator.session_ended()

    def _write(self, text: str) -> None:
        if self._chan is None:
            return
        if text:
            self._chan.write(text)
        if self._idle is not None:
            self._idle.cancel()
        self._idle = asyncio.get_running_loop().call_later(IDLE_TIMEOUT, self._chan.close)


class _Server(asyncssh.SSHServer):
    def __init__(self, emulator: DeviceEmulator) -> None:
        self._emulator = emulator
        self._conn: asyncssh.SSHServerConnection | None = None
        self._user = ""

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._emulator.connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._emulator.connections.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        self._user = username
        if self._conn is not None and self._emulator.authorized_keys:
            self._conn.set_authorized_keys(asyncssh.import_authorized_keys(self._emulator.authorized_keys))
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return self._emulator.check_login(username, password)

    def session_requested(self) -> _Shell:
        return _Shell(self._emulator, self._user)


class DeviceEmulator:
    """Start with ``start()`` (or ``with``); connect to ``host``:``port``; ``stop()`` joins the thread."""

    host = "127.0.0.1"

    def __init__(
        self,
        device: Device,
        accounts: dict[str, str],
        secret: str | None = None,
        authorized_keys: str = "",
        host_key: asyncssh.SSHKey | None = None,
    ) -> None:
        self.device = device
        self.accounts = dict(accounts)
        self.secret = secret
        self.authorized_keys = authorized_keys  # OpenSSH authorized_keys text
        self.host_key = host_key or asyncssh.generate_private_key("ssh-ed25519")
        self.log = CommandLog()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self.connections: set[asyncssh.SSHServerConnection] = set()  # touched only on the server loop
        self._session_ids = itertools.count(1)
        self._active = 0
        self._idle = threading.Condition()

    # -- called from the server thread ------------------------------------------
    def check_login(self, username: str, password: str) -> bool:
        return username in self.accounts and self.accounts[username] == password

    def new_cli(self, user: str) -> CliSession:
        with self._idle:
            self._active += 1
        session_id = next(self._session_ids)
        return CliSession(self.device, self.log, session_id, user, check_login=self.check_login, secret=self.secret)

    def session_ended(self) -> None:
        with self._idle:
            self._active = max(0, self._active - 1)
            self._idle.notify_all()

    # -- called from the test thread ---------------------------------------------
    @property
    def public_host_key(self) -> str:
        """The host key as ``type base64`` (a known_hosts line without the host part)."""
        text = self.host_key.export_public_key("openssh").decode()
        return " ".join(text.split()[:2])

    def known_hosts_line(self) -> str:
        return f"[{self.host}]:{self.port} {self.public_host_key}"

    def start(self) -> DeviceEmulator:
        loop = asyncio.new_event_loop()
        self._loop = loop

        async def listen() -> int:
            self._acceptor = await asyncssh.create_server(
                lambda: _Server(self),
                self.host,
                0,
                server_host_keys=[self.host_key],
                line_editor=False,
                encoding="utf-8",
                login_timeout=15,
            )
            return int(self._acceptor.sockets[0].getsockname()[1])

        self._thread = threading.Thread(target=loop.run_forever, name=f"emulator-{self.device.hostname}", daemon=True)
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(listen(), loop)
        self.port = future.result(timeout=START_TIMEOUT)
        return self

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until every shell session has ended (the client disconnected)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._active == 0, timeout=timeout)

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return

        async def shutdown() -> None:
            if self._acceptor is not None:
                self._acceptor.close()
                await self._acceptor.wait_closed()
            open_connections = list(self.connections)
            for conn in open_connections:
                conn.close()
            for conn in open_connections:
                await conn.wait_closed()

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout=STOP_TIMEOUT)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=STOP_TIMEOUT)
            if not thread.is_alive():
                loop.close()
            self._loop = self._thread = None

    def __enter__(self) -> DeviceEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_emulator(folder: Path, **kwargs: Any) -> DeviceEmulator:
    """Convenience: load a fixture folder and start an emulator for it."""
    from .device import load_device

    accounts = kwargs.pop("accounts", {"admin": "emulator-pw"})
    overrides = kwargs.pop("overrides", {})
    return DeviceEmulator(load_device(folder, **overrides), accounts, **kwargs).start()
