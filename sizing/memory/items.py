"""The items of a keyspace as the model prices them: string values, or a collection's
elements, some of which may be integers.

An item is either text of some length or a decimal integer of some number of digits
(``numeric`` in the workload). The engines encode the two differently (listpack integer
entries, intsets, shared integer objects), so each side keeps its own distribution and
the share of integers weighs them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sizing.memory.allocator import Allocator
from sizing.memory.distribution import LENGTH_BREAKS, Alloc, Distribution, distribution, exactly
from sizing.memory.encodings import digit_range
from sizing.spec.distribution import Numeric, NumericShare, Size, numeric_share

ItemCost = Callable[[int, bool], float]
"""Cost of one item given its length (digits for an integer) and whether it is an integer."""
AllocatingCost = Callable[[int, bool, Alloc], float]
"""The same for a cost that allocates, given the allocator's rounding for this length."""


@dataclass(frozen=True)
class Items:
    text: Distribution | None
    """Lengths of the items that are text (None if all are integers)."""
    digits: Distribution | None
    """Digit counts of the items that are integers (None if none are)."""
    numeric_share: float

    @property
    def exact(self) -> bool:
        """One length, all text or all integers: the data the model was first written for."""
        side = self.digits if self.numeric_share == 1 else self.text
        return self.numeric_share in (0.0, 1.0) and side is not None and side.exact

    @property
    def all_numeric(self) -> bool:
        return self.numeric_share >= 1

    def expect(self, cost: ItemCost) -> float:
        """E[cost] of one item."""
        total = 0.0
        if self.text is not None and self.numeric_share < 1:
            total += (1 - self.numeric_share) * self.text.expect_item(cost, False)
        if self.digits is not None and self.numeric_share > 0:
            total += self.numeric_share * self.digits.expect_item(cost, True)
        return total

    def moments(self, cost: ItemCost) -> tuple[float, float]:
        """(E[cost], E[cost ** 2]) of one item, each as ``expect`` would give it."""
        mean = square = 0.0
        if self.text is not None and self.numeric_share < 1:
            text_mean, text_square = self.text.moments(cost, False)
            mean += (1 - self.numeric_share) * text_mean
            square += (1 - self.numeric_share) * text_square
        if self.digits is not None and self.numeric_share > 0:
            digit_mean, digit_square = self.digits.moments(cost, True)
            mean += self.numeric_share * digit_mean
            square += self.numeric_share * digit_square
        return mean, square

    def allocating(self, cost: AllocatingCost, allocator: Allocator) -> float:
        """E[cost] of one item where ``cost`` allocates: its ``alloc`` argument gives the size
        class of a request averaged over all the lengths its point stands for."""
        total = 0.0
        if self.text is not None and self.numeric_share < 1:
            total += (1 - self.numeric_share) * self.text.expect_allocating_item(cost, False, allocator)
        if self.digits is not None and self.numeric_share > 0:
            total += self.numeric_share * self.digits.expect_allocating_item(cost, True, allocator)
        return total

    def draw(self, numeric_u: float, length_u: float) -> tuple[bool, int]:
        """The item at (share of integers, cumulative share of lengths): (integer?, length)."""
        if self.digits is not None and (self.text is None or numeric_u < self.numeric_share):
            return True, self.digits.quantile(length_u)
        assert self.text is not None
        return False, self.text.quantile(length_u)

    def mean_length(self) -> float:
        return self.expect(lambda length, _numeric: float(length))

    def fits(self, limit: int) -> float:
        """P(one item's length, as the engine compares it with a ``*-max-*-value`` limit, <= limit)."""
        share = 0.0
        if self.text is not None and self.numeric_share < 1:
            share += (1 - self.numeric_share) * self.text.cdf(limit)
        if self.digits is not None and self.numeric_share > 0:
            share += self.numeric_share * self.digits.cdf(limit)
        return share

    def fitting(self, limit: int) -> Items | None:
        """The items that are <= limit (None if none are)."""
        text = self.text.at_most(limit) if self.text is not None and self.numeric_share < 1 else None
        digits = self.digits.at_most(limit) if self.digits is not None and self.numeric_share > 0 else None
        text_mass = (1 - self.numeric_share) * self.text.cdf(limit) if text is not None and self.text else 0.0
        digit_mass = self.numeric_share * self.digits.cdf(limit) if digits is not None and self.digits else 0.0
        if text_mass + digit_mass <= 0:
            return None
        return Items(text, digits, digit_mass / (text_mass + digit_mass))

    def integer_share_below(self, bound: int) -> float:
        """P(an item is an integer below ``bound``), integers of d digits spread evenly."""
        if self.digits is None or self.numeric_share <= 0:
            return 0.0
        return self.numeric_share * self.digits.expect(lambda d: _share_below(d, bound))

    def coarser(self, points: int) -> Items:
        return Items(self.text.coarser(points) if self.text else None,
                     self.digits.coarser(points) if self.digits else None, self.numeric_share)


def items(length: Size, numeric: Numeric, limit: int | None = None) -> Items:
    """The items a length field and its ``numeric`` flag describe; ``limit``: the
    ``*-max-*-value`` they are compared with."""
    share = numeric_share(numeric)
    digits_size = numeric.digits if isinstance(numeric, NumericShare) and numeric.digits is not None else length
    breaks = LENGTH_BREAKS + ((limit,) if limit is not None else ())
    return Items(
        text=distribution(length, breaks) if share < 1 else None,
        digits=distribution(digits_size, breaks) if share > 0 else None,
        numeric_share=share,
    )


def text(length: int) -> Items:
    """Items of exactly ``length`` characters, none an integer."""
    return Items(exactly(length), None, 0.0)


def _share_below(digits: int, bound: int) -> float:
    low, high = digit_range(digits)
    if high < bound:
        return 1.0
    if low >= bound:
        return 0.0
    return (bound - low) / (high - low + 1)
