"""STUB to be replaced by the netfilter work: which Apple traffic a proxy host intercepts."""

from __future__ import annotations

from pushaudit.context import HostContext, ModelKey
from pushaudit.errors import DataError
from pushaudit.interception import Interception


def _build(ctx: HostContext) -> list[Interception]:
    raise DataError("E-DATA-MISSING", "interception analysis is not implemented yet")


# One Interception per Apple destination port (policy apns.ports plus 80).
APPLE_INTERCEPTION: ModelKey[list[Interception]] = ModelKey("apple_interception", _build)
