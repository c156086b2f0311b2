"""What the API writes, through the same services and workflow guards as the pages: a write token only."""

from __future__ import annotations

from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException

from api import PREFIX
from api.views.reads import _authenticate, domain_problem, http_problem
from core.errors import DomainError

blp = Blueprint("api_write", __name__, url_prefix=PREFIX, description="Schrijven / writing (scope write)")
blp.before_request(_authenticate)
blp.register_error_handler(HTTPException, http_problem)
blp.register_error_handler(DomainError, domain_problem)
