"""How a workload file says that sizes and counts vary, and that some keys differ.

A plain number means every key (or element) has exactly that size, as it always has. A
size or count that varies is written as quantiles or as a histogram:

    value_bytes: {p50: 300, p90: 1200, p99: 5000, max: 20000}     # min defaults to 1
    members:
      histogram:                       # each bucket: up to and including `up_to`,
        - {up_to: 100, share: 0.9}     # evenly spread above the previous bucket's bound
        - {up_to: 600, share: 0.096}
        - {up_to: 5000, share: 0.004}

A bucket of share 0 is a gap: no values between the previous bound and its own.

A share says that only part of the keys (or values) have a property:

    ttl: 0.3                  # 30% of the keys carry an expiry (true: all, false: none)
    numeric: 0.4              # 40% of the values are decimal integers; their digit counts
                              # follow the length field (value_bytes) unless `digits` says
    numeric: {share: 0.4, digits: {min: 1, max: 5}}

The memory model (``sizing.memory.distribution``) turns these into quantile bins.

Glossary
    Quantiles     points of the cumulative distribution: ``pN`` is the length that N% of
                  the items do not exceed; between points lengths are spread log-linearly.
    Histogram     buckets of the distribution; within one, lengths are spread evenly.
    share         the fraction (0..1) of keys or values a property holds for.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    Discriminator,
    Field,
    PlainSerializer,
    PlainValidator,
    Tag,
    ValidationError,
    model_validator,
)

from sizing.spec.base import SpecModel
from sizing.spec.messages import field_error, nested

SHARE_TOLERANCE = 1e-3
"""How far a histogram's shares may sum from 1 (rounded percentages in a hand-written file)."""


class Quantiles(SpecModel):
    """A size or count given by points of its distribution; ``max`` is required."""

    POINTS: ClassVar[dict[str, float]] = {
        "p1": 0.01, "p5": 0.05, "p10": 0.10, "p25": 0.25, "p50": 0.50, "p75": 0.75, "p90": 0.90, "p95": 0.95,
        "p99": 0.99, "p99_9": 0.999,
    }
    """Field name -> cumulative share."""

    min: int = Field(default=1, ge=1, description="Smallest value (default 1).")
    p1: int | None = Field(default=None, ge=1)
    p5: int | None = Field(default=None, ge=1)
    p10: int | None = Field(default=None, ge=1)
    p25: int | None = Field(default=None, ge=1)
    p50: int | None = Field(default=None, ge=1, description="Median.")
    p75: int | None = Field(default=None, ge=1)
    p90: int | None = Field(default=None, ge=1)
    p95: int | None = Field(default=None, ge=1)
    p99: int | None = Field(default=None, ge=1)
    p99_9: int | None = Field(default=None, ge=1, description="99.9th percentile.")
    max: int = Field(ge=1, description="Largest value: where encodings change, the tail decides.")

    @model_validator(mode="after")
    def _ordered(self) -> Quantiles:
        previous_name, previous = "min", self.min
        for name, value in [*((n, getattr(self, n)) for n in self.POINTS), ("max", self.max)]:
            if value is None:
                continue
            if value < previous:
                raise field_error(name, f"must be >= {previous_name} ({previous}), got {value}")
            previous_name, previous = name, value
        return self

    def points(self) -> list[tuple[float, int]]:
        """(cumulative share, value) from (0, min) to (1, max)."""
        given = [(share, getattr(self, name)) for name, share in self.POINTS.items() if getattr(self, name) is not None]
        return [(0.0, self.min), *given, (1.0, self.max)]


class Bucket(SpecModel):
    up_to: int = Field(ge=1, description="Largest value in the bucket.")
    share: float = Field(ge=0, le=1, description="Fraction of the items in the bucket (0: none, a gap).")


class Histogram(SpecModel):
    """A size or count given by buckets; within a bucket values are spread evenly."""

    histogram: list[Bucket] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Histogram:
        for index in range(1, len(self.histogram)):
            if self.histogram[index].up_to <= self.histogram[index - 1].up_to:
                raise field_error(f"histogram[{index}].up_to",
                                 f"must be above the previous bucket's ({self.histogram[index - 1].up_to})")
        total = sum(bucket.share for bucket in self.histogram)
        if abs(total - 1) > SHARE_TOLERANCE:
            raise field_error("histogram", f"shares must add up to 1, got {total:g}")
        return self


def _size_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "histogram" if "histogram" in value else "quantiles"
    if isinstance(value, Histogram):
        return "histogram"
    return "quantiles" if isinstance(value, Quantiles) else "exact"


SizeField = Annotated[
    Annotated[int, Tag("exact")] | Annotated[Quantiles, Tag("quantiles")] | Annotated[Histogram, Tag("histogram")],
    Discriminator(_size_kind),
]
"""A size or count as the file writes it: a number (exactly), quantiles or a histogram."""


def bounded(low: int, high: int) -> AfterValidator:
    """Every value a size field can take lies in low..high."""

    def check(value: Size) -> Size:
        if isinstance(value, int):
            smallest, largest, where = value, value, ""
        else:
            smallest, largest = lower(value), upper(value)
            where = " (its max)" if largest > high else " (its min)"
        if largest > high:
            raise field_error("", f"must be <= {high:,}{where}, got {largest:,}")
        if smallest < low:
            raise field_error("", f"must be >= {low}{where}, got {smallest}")
        return value

    return AfterValidator(check)


Size = int | Quantiles | Histogram
"""What a size or count field holds once validated."""

MAX_NUMERIC_DIGITS = 18
"""Longest decimal integer whose every value fits a signed 64-bit ``long``; longer "numbers"
are stored as strings by every engine (``string2l`` in ``util.c``)."""

Digits = Annotated[SizeField, bounded(1, MAX_NUMERIC_DIGITS)]
"""Digit counts of integer values."""

SIZE_TAGS = frozenset({"exact", "quantiles", "histogram"})
"""Union tags pydantic puts in error locations of size fields (not keys in the file)."""


class NumericShare(SpecModel):
    """Part of the values are decimal integers, with their own digit counts."""

    share: float = Field(ge=0, le=1, description="Fraction of the values that are integers.")
    digits: Digits | None = Field(
        default=None, description="Digit counts of the integer values; default: the length field's distribution.")


def _flag_or_share(value: Any) -> bool | float:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and 0 <= value <= 1:
        return float(value)
    raise field_error("", f"must be true, false or a share from 0 to 1, got {value!r}")


def _numeric(value: Any) -> bool | float | NumericShare:
    if isinstance(value, NumericShare):
        return value
    if not isinstance(value, dict):
        return _flag_or_share(value)
    try:
        return NumericShare.model_validate(value)
    except ValidationError as exc:
        raise nested(exc, SIZE_TAGS) from None


Share = Annotated[
    bool | float, PlainValidator(_flag_or_share, json_schema_input_type=bool | Annotated[float, Field(ge=0, le=1)]),
]
"""true (all), false (none) or the share (0..1) a property holds for."""

Numeric = Annotated[
    bool | float | NumericShare,
    PlainValidator(_numeric, json_schema_input_type=bool | Annotated[float, Field(ge=0, le=1)] | NumericShare),
    PlainSerializer(lambda value: value.model_dump(mode="json", exclude_none=True)
                    if isinstance(value, NumericShare) else value, return_type=Any),
]
"""``numeric:``: all values integers (true), none (false), a share of them, or a share with digits."""


def numeric_share(value: Numeric) -> float:
    """The fraction of values that are integers."""
    if isinstance(value, NumericShare):
        return value.share
    return float(value)


def scaled_down(value: Size, ratio: int) -> Size:
    """Every value divided by ``ratio`` (at least 1): e.g. values after compression."""
    if isinstance(value, int):
        return max(1, value // ratio)
    if isinstance(value, Quantiles):
        fields = value.model_dump(exclude_none=True)
        return Quantiles.model_validate({name: max(1, number // ratio) for name, number in fields.items()})
    buckets, previous = [], 0
    for bucket in value.histogram:
        up_to = max(previous + 1, bucket.up_to // ratio)
        buckets.append({"up_to": up_to, "share": bucket.share})
        previous = up_to
    return Histogram.model_validate({"histogram": buckets})


def lower(value: Size) -> int:
    """The smallest value a size can take."""
    if isinstance(value, int):
        return value
    if isinstance(value, Quantiles):
        return value.min
    return 1


def upper(value: Size) -> int:
    """The largest value a size can take."""
    if isinstance(value, int):
        return value
    if isinstance(value, Quantiles):
        return value.max
    return value.histogram[-1].up_to


