"""The visibility policy as seen from packages below ``auth`` (``audit`` knows only ``core``).

``auth`` installs its policy when the app is built; ``audit`` asks through this module, so the
dependency still runs one way and there is still only one policy.
"""

from __future__ import annotations

from typing import Any, Protocol

from flask import current_app


class AccessPolicy(Protocol):
    def can(self, user: Any, action: Any, obj: Any = None) -> bool: ...

    def visible(self, user: Any, model: type[Any]) -> Any: ...

    def readable_records(self, user: Any, records: Any, deletions: Any = None) -> list[Any]: ...

    def reading_states(self, session: Any, refs: Any, *, as_shared: bool = False) -> dict[Any, Any]: ...

    def bodies_where(self, user: Any, action: Any) -> list[int]: ...

    def ensure_history(self, user: Any, obj: Any) -> None: ...


def install_policy(app: Any, policy: AccessPolicy) -> None:
    app.extensions["regiotafel.policy"] = policy


def policy() -> AccessPolicy:
    return current_app.extensions["regiotafel.policy"]
