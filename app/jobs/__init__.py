"""Background work: tasks that requests enqueue, and periodic tasks, on two back ends.

- PostgreSQL: procrastinate (https://procrastinate.readthedocs.io/), a job queue kept in
  PostgreSQL tables (LISTEN/NOTIFY, retries, worker heartbeats), run by ``shomei worker``
  processes on as many machines as needed (:mod:`app.jobs.postgres`).
- SQLite, or PostgreSQL with ``SHOMEI_JOBS_RUN_IN=server``: a thread inside ``shomei serve``
  (:mod:`app.jobs.inprocess`).

Tasks and periodic tasks are declared once, in :mod:`app.jobs.registry`; both back ends run
the same functions with the same :class:`~app.jobs.base.WorkContext`. A task must be safe to
run twice (a worker may die after its work committed but before the queue heard of it):
make its effect conditional in SQL.
"""
