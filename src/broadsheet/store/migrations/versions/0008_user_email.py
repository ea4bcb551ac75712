"""An optional email per account, where password-reset links are mailed; one account per
email (a partial unique index: the accounts without one are not in it).

Revision ID: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add users.email and the unique index over the accounts that have one."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.String(254)))
    has_email = sa.column("email").is_not(None)
    op.create_index(
        "ux_users_email",
        "users",
        ["email"],
        unique=True,
        sqlite_where=has_email,
        postgresql_where=has_email,
    )
