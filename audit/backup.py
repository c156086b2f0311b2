"""What the audit trail seals into a backup (``core.backup``): its chain's head, read in the backup's
snapshot; after a restore the whole chain is verified and must end in that same head."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import Connection

from audit.chain import head, verify
from core.backup import Seal, SealCheck
from core.signals import backup_seals


def _take(connection: Connection) -> dict[str, Any]:
    records, last = head(connection)
    return {"records": records, "head": last}


def _check(connection: Connection, recorded: dict[str, Any]) -> SealCheck:
    verdict = verify(connection)
    problems = [] if verdict.intact else [verdict.summary()]
    if (verdict.records, verdict.head) != (recorded["records"], recorded["head"]):
        problems.append(
            f"De auditketen eindigt bij record {verdict.records} ({verdict.head}); de manifest zegt "
            f"{recorded['records']} ({recorded['head']}). / The audit chain ends at record {verdict.records}; the "
            f"manifest says {recorded['records']}."
        )
    return SealCheck(verdict.summary(), problems)


CHAIN_SEAL = Seal("audit_chain", _take, _check)


def _seal(_app: Flask) -> Seal:
    return CHAIN_SEAL


def register() -> None:
    backup_seals.connect(_seal)
