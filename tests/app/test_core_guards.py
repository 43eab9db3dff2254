"""The length guard for rows written without the ORM (issuing's Core INSERT)."""

from __future__ import annotations

from typing import cast

import pytest
from sqlalchemy import Table

from app.credentials.models import IssuedCredential
from app.storage_guards import UnstorableValueError, refuse_overlong_values

CREDENTIALS = cast(Table, IssuedCredential.__table__)


def test_a_value_longer_than_its_column_is_refused_by_name() -> None:
    refuse_overlong_values(CREDENTIALS, {"recipient_name": "名" * 200, "document": "x" * 10**5})
    with pytest.raises(UnstorableValueError, match="recipient_name must be at most 200"):
        refuse_overlong_values(CREDENTIALS, {"recipient_name": "名" * 201})
    with pytest.raises(UnstorableValueError, match="status must be at most 10"):
        refuse_overlong_values(CREDENTIALS, {"status": "s" * 11, "external_id": None})
