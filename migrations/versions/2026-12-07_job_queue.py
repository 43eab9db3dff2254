"""job queue: procrastinate's tables on PostgreSQL (batch issuing by `shomei worker`)

procrastinate 3.10's own schema (https://procrastinate.readthedocs.io/en/stable/howto/basics/
migrations.html), applied as it ships. SQLite needs nothing: jobs run inside the server.
Upgrading procrastinate later: add a migration that applies the package's migration files
between the two versions, as its documentation says.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    _run_script(SchemaManager.get_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _run_script(
        """
        DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers,
            procrastinate_jobs, procrastinate_workers CASCADE;
        DO $$
        DECLARE f regprocedure;
        BEGIN
            FOR f IN SELECT oid::regprocedure FROM pg_proc
                     WHERE proname LIKE 'procrastinate%'
                       AND pronamespace = current_schema()::regnamespace
            LOOP
                EXECUTE 'DROP FUNCTION ' || f || ' CASCADE';
            END LOOP;
        END $$;
        DROP TYPE IF EXISTS procrastinate_job_status, procrastinate_job_event_type,
            procrastinate_job_to_defer_v1 CASCADE;
        """
    )


def _run_script(sql: str) -> None:
    # A script with $$-quoted bodies and literal % signs: through the driver's cursor without
    # parameters, so nothing in it is read as a placeholder. Same transaction as the migration.
    cursor = op.get_bind().connection.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()
