"""API models of the statistics."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Label(BaseModel):
    ja: str
    en: str


class StatisticsGroup(BaseModel):
    """One row of a grouping."""

    key: str | None = Field(
        description=(
            "The achievement's or batch's id, the month (`YYYY-MM`), or the prefecture's "
            "JIS X 0401 code (`01` to `47`); `null` for credentials of no batch, or of no "
            "prefecture (overseas or unknown)."
        )
    )
    label: Label
    counts: dict[str, int] = Field(description="One count per name of `measures`.")


class StatisticsFilters(BaseModel):
    issuer: str | None
    achievement_id: str | None
    batch_id: str | None
    date_from: str | None = Field(alias="from")
    date_to: str | None = Field(alias="to")
    time_zone: str

    model_config = {"populate_by_name": True}


class StatisticsRead(BaseModel):
    """Counts of credentials, in total and by grouping; each grouping's rows add up to the total."""

    measures: list[str] = Field(
        description="What is counted, in order: `issued` (every credential), `active`, "
        "`revoked`, `suspended`, `claimed` (accepted by the passer on the claim page); later "
        "versions may add names (a client ignores those it "
        "does not know)."
    )
    filters: StatisticsFilters
    totals: dict[str, int]
    groups: dict[str, list[StatisticsGroup]] = Field(
        description="By `achievement`, `batch`, `month` (in the time zone) and `prefecture`."
    )
