"""Comments and moderation: comments on any target ("article:<id>", "story:<id>") in
threads, their Markdown, votes and "best" score; reports, the moderation log and strikes;
users gain a role and the strike ladder's suspension and termination times.

The stub comments table's rows (article_id) keep their article as target "article:<id>".

Revision ID: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Reshape comments; add comment_votes, comment_reports, strikes, moderation_log; add
    users.role, users.suspended_until and users.terminated_at."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("role", sa.String(16), nullable=False, server_default="reader"))
        batch.add_column(sa.Column("suspended_until", TZ))
        batch.add_column(sa.Column("terminated_at", TZ))
    _reshape_comments()
    _create_votes_and_reports()
    _create_strikes_and_log()


def _reshape_comments() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("target", sa.String(64)))
        batch.add_column(sa.Column("parent_id", sa.Integer))
        batch.add_column(sa.Column("root_id", sa.Integer))
        batch.add_column(sa.Column("body_md", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("ups", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("downs", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("score", sa.Float, nullable=False, server_default="0"))
        batch.add_column(sa.Column("screening", sa.JSON))
        batch.add_column(sa.Column("edited_at", TZ))
        batch.create_foreign_key("fk_comments_parent", "comments", ["parent_id"], ["id"])
        batch.create_foreign_key("fk_comments_root", "comments", ["root_id"], ["id"])
    op.execute(
        "UPDATE comments SET target = 'article:' || CAST(article_id AS VARCHAR(20)) "
        "WHERE target IS NULL"
    )
    with op.batch_alter_table("comments") as batch:
        batch.alter_column("target", existing_type=sa.String(64), nullable=False)
        batch.alter_column("user_id", existing_type=sa.Integer, nullable=True)
        batch.drop_index("ix_comments_article_id")
        batch.drop_column("article_id")
    for name, columns in (
        ("ix_comments_target_created", ["target", "created_at"]),
        ("ix_comments_target_score", ["target", "score"]),
        ("ix_comments_root", ["root_id"]),
        ("ix_comments_parent", ["parent_id"]),
        ("ix_comments_user_created", ["user_id", "created_at"]),
        ("ix_comments_status_created", ["status", "created_at"]),
    ):
        op.create_index(name, "comments", columns)


def _create_votes_and_reports() -> None:
    op.create_table(
        "comment_votes",
        sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("value", sa.Integer, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("comment_id", "user_id"),
    )
    op.create_index("ix_comment_votes_user", "comment_votes", ["user_id", "created_at"])
    op.create_table(
        "comment_reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id"), nullable=False),
        sa.Column("reporter_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("rule_id", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("resolved_at", TZ),
        sa.Column("resolution", sa.String(16)),
        sa.UniqueConstraint("comment_id", "reporter_id", name="uq_comment_reports_reporter"),
    )
    op.create_index("ix_comment_reports_open", "comment_reports", ["resolved_at", "comment_id"])
    op.create_index("ix_comment_reports_reporter", "comment_reports", ["reporter_id", "created_at"])


def _create_strikes_and_log() -> None:
    op.create_table(
        "strikes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id"), nullable=False),
        sa.Column("rule_id", sa.String(32), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("appeal_text", sa.Text),
        sa.Column("appealed_at", TZ),
        sa.Column("appeal_state", sa.String(16)),
        sa.Column("decided_at", TZ),
        sa.Column("decided_by", sa.Integer, sa.ForeignKey("users.id")),
    )
    op.create_index("ix_strikes_user", "strikes", ["user_id", "expires_at"])
    op.create_index("ix_strikes_appeal", "strikes", ["appeal_state", "appealed_at"])
    op.create_table(
        "moderation_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("moderator_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id")),
        sa.Column("strike_id", sa.Integer, sa.ForeignKey("strikes.id")),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("rule_id", sa.String(32)),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_moderation_log_comment", "moderation_log", ["comment_id"])
    op.create_index("ix_moderation_log_created", "moderation_log", ["created_at"])
