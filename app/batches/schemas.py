"""Request and response models of the batch API."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.validation import StoredText

BatchFormat = Literal["ob3", "ob3-jwt", "ob2"]
OnDuplicate = Literal["skip", "reissue"]
BatchState = Literal["preview", "queued", "running", "done", "cancelled", "discarded"]
RowCheck = Literal["ok", "warning", "error"]
RowState = Literal["pending", "issued", "skipped", "failed"]

_SLASHED = re.compile(r"\d{4}/\d{1,2}/\d{1,2}")

# A row of a JSON body: column name to value. Values are checked row by row, as in a CSV
# file, so a bad value is a row error in the report rather than a 422 for the whole batch.
JsonRow = dict[str, Any]


class BatchSettings(BaseModel):
    """What a batch is, apart from its rows: the same fields as a CSV upload's form."""

    model_config = ConfigDict(extra="forbid")

    achievement_id: uuid.UUID
    format: BatchFormat = Field(
        default="ob3",
        description="ob3: Data Integrity eddsa-rdfc-2022; ob3-jwt: VC-JWT; ob2: OB 2.0.",
    )
    label: StoredText | None = Field(
        default=None, min_length=1, max_length=100, description="The session, e.g. 2026#6."
    )
    exam_date: date | None = Field(default=None, description="YYYY-MM-DD (or YYYY/MM/DD).")

    @field_validator("exam_date", mode="before")
    @classmethod
    def _slashes(cls, value: Any) -> Any:
        # Japanese spreadsheets and forms write dates as 2026/11/29.
        if isinstance(value, str) and _SLASHED.fullmatch(value.strip()):
            year, month, day = value.strip().split("/")
            return f"{year}-{int(month):02}-{int(day):02}"
        return value

    on_duplicate: OnDuplicate = Field(
        default="skip",
        description="A row whose external_id was issued before: skip it, or re-issue the same "
        "credential (same id, new validFrom).",
    )
    notify: bool = Field(default=True, description="E-mail each passer once issued.")


class BatchCreate(BatchSettings):
    rows: list[JsonRow] = Field(
        min_length=1,
        description="One object a passer: external_id, email, name; optionally name_en, "
        "language, valid_until, result, evidence_url, narrative, prefecture.",
    )


class RowProblem(BaseModel):
    column: str = Field(description="The column, or empty for the row as a whole.")
    code: str
    message_ja: str
    message_en: str


class BatchCounts(BaseModel):
    total: int
    ok: int
    warning: int
    error: int
    pending: int
    issued: int
    skipped: int
    failed: int


class BatchRead(BaseModel):
    id: uuid.UUID
    issuer: str = Field(description="The issuer's slug.")
    achievement_id: uuid.UUID
    format: BatchFormat
    label: str | None
    exam_date: date | None
    on_duplicate: OnDuplicate
    notify: bool
    state: BatchState
    counts: BatchCounts
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    created_by_key_id: uuid.UUID | None
    source_filename: str | None
    source_encoding: str | None
    rows_per_second: float | None = Field(
        description="Rows issued or failed a second since the batch started."
    )
    eta_seconds: float | None = Field(
        description="Seconds left at that rate, while the batch is queued or running."
    )
    rows_url: str
    report_url: str
    results_url: str = Field(description="results.csv: each row's credential URL or error.")


class BatchRowRead(BaseModel):
    row_number: int = Field(
        description="The spreadsheet's row (the header is row 1), or the index from 1 in a "
        "JSON body."
    )
    external_id: str | None
    email: str | None
    name: str | None
    name_en: str | None
    language: str | None
    valid_until: datetime | None
    result: str | None
    evidence_url: str | None
    narrative: str | None
    prefecture: int | None = Field(description="JIS X 0401 code; null: overseas or unknown.")
    check: RowCheck
    problems: list[RowProblem]
    duplicate_of: uuid.UUID | None = Field(
        description="The credential issued before for the same external_id."
    )
    state: RowState
    credential_id: uuid.UUID | None
    error: str | None
    attempts: int


class BatchPreview(BatchRead):
    ignored_columns: list[str] = Field(
        description="Header cells that name no column; their values were not read."
    )
    report: list[BatchRowRead] = Field(
        description="The rows with problems, errors first, then warnings, each by row number "
        "(the first 1,000; `rows_url` pages through all)."
    )
    report_truncated: bool


class BatchList(BaseModel):
    items: list[BatchRead]
    total: int


class BatchRowList(BaseModel):
    items: list[BatchRowRead]
    total: int
