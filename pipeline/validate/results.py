"""What validation returns: one ExpectationOutcome per declared check, in a ValidationResult
that says which missions to hold back and whether the tables may be published."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ExpectationOutcome:
    """The result of one check on one table.

    failing_ids are the mission_ids of the failing rows (sorted, unique; rows without an id are
    only counted). unexpected_count is GE's count of failing rows; for the schema checks it is
    the number of offending columns, for the publish checks the rows lost. detail says why when
    there is more to say (missing or retyped columns, the exception GE caught, a helper column
    that could not be computed, a joined table that was not given, the row counts compared).
    scope is `row`, `table` or `publish` (see the module docstring).
    """

    name: str
    suite: str
    table: str
    columns: list[str]
    severity: str
    scope: str
    description: str
    success: bool
    unexpected_count: int
    failing_ids: list[str]
    detail: str | None = None


@dataclass
class ValidationResult:
    outcomes: list[ExpectationOutcome]
    ge_results: list = field(default_factory=list)  # GE ExpectationSuiteValidationResult per suite
    coverage: dict | None = None  # field_coverage() of the missions table validated, if any

    def failures(self, severity: str | None = None) -> list[ExpectationOutcome]:
        """Failed outcomes, optionally only those of one severity ("error" or "warning")."""
        return [o for o in self.outcomes
                if not o.success and (severity is None or o.severity == severity)]

    def quarantine_ids(self) -> dict[str, list[str]]:
        """mission_id -> sorted names of the failed error-severity row checks naming it.

        Row checks of the crew and events tables name their mission too: a mission whose crew
        lists a person twice on one leg is held back as a whole.
        """
        held: dict[str, set[str]] = {}
        for o in self.failures("error"):
            if o.scope != "row":
                continue
            for mid in o.failing_ids:
                held.setdefault(mid, set()).add(o.name)
        return {mid: sorted(names) for mid, names in sorted(held.items())}

    def blocks_publish(self) -> list[ExpectationOutcome]:
        """Failed checks that must stop this run's tables from being published.

        These are the `publish` checks (check_row_counts: a table shrank too much against the
        published snapshot) and the failed error-severity `table` checks (a column missing or
        retyped against the contract, a mission without an id): the tables as a whole are
        wrong, and holding back rows cannot fix them. Row checks never block publishing.
        """
        return [o for o in self.outcomes if not o.success and
                (o.scope == "publish" or (o.scope == "table" and o.severity == "error"))]
