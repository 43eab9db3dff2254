"""Alembic migrations of the service's database (shipped with the package)."""
