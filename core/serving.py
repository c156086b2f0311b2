"""What gunicorn needs from Regiotafel: an access log without the secrets some addresses carry.

``gunicorn --logger-class core.serving.AccessLog wsgi:app`` (``make run`` does). Every value the log
line may hold (the request line, the path, the referer, headers, the WSGI environment) goes through
``core.logs.redact``. A reverse proxy in front keeps its own log: keep these paths out of it too (see
README, *Signing in*).
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from core.logs import redact


class AccessLog(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
