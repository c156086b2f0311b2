"""documents' content moves into the database (stored_files, issue 13: more than one web node)

Uploaded files lived under the instance folder, one node's disk. Now their bytes are rows of
``stored_files``, keyed by SHA-256, written in the transaction of the document that names them, so
every web node serves every upload and a backup of the database holds the documents too.

The upgrade copies every file that a document or case attachment names from the old folder
(``UPLOAD_FOLDER`` if it was set, else ``instance/documents``; ``<first two hex>/<sha256>``) into the
table, checking each file's hash. A file that is missing, or whose content no longer has the hash
it is named by, is reported (a WARNING per file and a count at the end) and left out: the upgrade
goes on, and the document answers 404 on download and "ontbreekt" in the vergaderbundel, as it did.
The folder itself is left as it was; remove it once the upgrade is checked.

The downgrade writes every stored file back into the folder (a file already there is kept), then
drops the table.

Revision ID: 6f5392b799eb
Revises: cb6ced060154
Create Date: 2026-12-07 08:56:16.691335
"""

import hashlib
import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = '6f5392b799eb'
down_revision = 'cb6ced060154'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

_stored_files = sa.table(
    "stored_files",
    sa.column("sha256", sa.String),
    sa.column("content", sa.LargeBinary),
    sa.column("size", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _folder() -> Path:
    from flask import current_app

    configured = current_app.config.get("UPLOAD_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "documents"


def upgrade() -> None:
    op.create_table('stored_files',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_stored_files'))
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # PDFs and Office files are compressed already: PostgreSQL need not try again, and uncompressed
        # TOAST lets a download read its pieces (substr) without reading the whole value each time.
        op.execute("ALTER TABLE stored_files ALTER COLUMN content SET STORAGE EXTERNAL")
    _move_files_in(bind, _folder())


def _move_files_in(bind: sa.engine.Connection, folder: Path) -> None:
    named = bind.execute(
        sa.text("SELECT sha256 FROM documents UNION SELECT sha256 FROM case_attachments ORDER BY 1")
    ).scalars().all()
    moment = datetime.now(UTC)
    if bind.dialect.name == "sqlite":
        moment = moment.replace(tzinfo=None)  # stored as naive UTC there, as the app's column does
    moved = missing = 0
    for digest in named:
        path = folder / digest[:2] / digest
        try:
            content = path.read_bytes()
        except OSError as exc:
            log.warning("stored_files: %s is missing (%s); its document stays without content", path, exc)
            missing += 1
            continue
        if hashlib.sha256(content).hexdigest() != digest:
            log.warning("stored_files: %s no longer matches its SHA-256; left out", path)
            missing += 1
            continue
        bind.execute(_stored_files.insert().values(sha256=digest, content=content, size=len(content), created_at=moment))
        moved += 1
    if named:
        log.info("stored_files: %s file(s) moved into the database from %s, %s missing", moved, folder, missing)


def downgrade() -> None:
    folder = _folder()
    bind = op.get_bind()
    for digest in bind.execute(sa.select(_stored_files.c.sha256)).scalars().all():
        target = folder / digest[:2] / digest
        if target.exists():
            continue
        content = bind.execute(sa.select(_stored_files.c.content).where(_stored_files.c.sha256 == digest)).scalar_one()
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, target)
    op.drop_table('stored_files')
