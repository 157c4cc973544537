"""What a check sees of one host: its facts, the policy, and parsed models built on demand."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from pushaudit.errors import DataError
from pushaudit.snapshot import HostFacts, HostSnapshot

if TYPE_CHECKING:
    from pushaudit.policy import Policy

T = TypeVar("T")


@dataclass(frozen=True)
class ModelKey(Generic[T]):
    """A named parsed model. ``build`` reads the snapshot and may raise DataError."""

    name: str
    build: Callable[[HostContext], T]


class HostContext:
    def __init__(self, snapshot: HostSnapshot, policy: Policy) -> None:
        self.snapshot = snapshot
        self.policy = policy
        self._cache: dict[str, Any] = {}
        # The other hosts of the run, by inventory name, address and any ``data.proxy_names``,
        # for checks that follow traffic from one box to another (a PAC naming a proxy).
        self.peers: Mapping[str, HostContext] = {}

    @property
    def facts(self) -> HostFacts:
        return self.snapshot.facts

    @property
    def host(self) -> str:
        return self.facts.name

    def release(self) -> None:
        """Forget the models built so far (a peer that needs them later builds them again).
        The snapshot is reopened too: parsers may keep a large parse keyed to the old one."""
        self._cache.clear()
        self.snapshot = self.snapshot.reopened()

    def get(self, key: ModelKey[T]) -> T:
        """Build (once) and return a model; a DataError is cached and raised again."""
        if key.name not in self._cache:
            try:
                self._cache[key.name] = key.build(self)
            except DataError as exc:
                self._cache[key.name] = exc
        value = self._cache[key.name]
        if isinstance(value, DataError):
            raise value
        return cast(T, value)


def link_peers(contexts: list[HostContext]) -> None:
    """Give every context a view of the others, keyed by name, address and proxy names."""
    index: dict[str, HostContext] = {}
    for ctx in contexts:
        keys = [ctx.facts.name, ctx.facts.hostname, *(str(n) for n in ctx.facts.data.get("proxy_names") or [])]
        for key in keys:
            index.setdefault(key.lower(), ctx)
    for ctx in contexts:
        ctx.peers = index
