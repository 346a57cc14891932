"""
The small-cell rule every insights figure follows, so that no cell identifies a person.

A count of 1 to 4 is shown as "<5", and so is any rate, median or percentile worked out from
fewer than 5 requests, and any share of 1 to 4 requests (which the whole would give away). A
total beside a hidden count is hidden too ("hidden"), or it would give the count away. Zero
stays zero: "nobody" identifies nobody.
"""

from typing import Final

SMALLEST_SHOWN: Final = 5


class Withheld:
    """The value of a cell that is not shown, written as `text` on the page and in a CSV."""

    def __init__(self, name: str, text: str):
        self.name, self.text = name, text

    def __repr__(self):
        return self.name

    def __str__(self):
        return self.text


# Too small to show.
SUPPRESSED: Final = Withheld("SUPPRESSED", "<5")
# A total that, beside the other cells of its row, would give a suppressed one away.
HIDDEN: Final = Withheld("HIDDEN", "hidden")


def protect(value, *, based_on: int):
    """
    `value` as it may be shown, given the number of requests it was worked out from: the
    value itself from 5 requests up, SUPPRESSED from 1 to 4, and from none a count of 0
    (anything else, a rate or a median of nothing, is None: no data).
    """
    if based_on == 0:
        return 0 if value == 0 else None
    if based_on < SMALLEST_SHOWN:
        return SUPPRESSED
    return value


def count_cell(count: int):
    """A count of requests as it may be shown."""
    return protect(count, based_on=count)


def total_cell(counts: list[int]):
    """
    The total of `counts`, each shown with count_cell, as it may be shown: hidden when one of
    them is 1 to 4, which the total minus the others would give away.
    """
    total = sum(counts)
    if total >= SMALLEST_SHOWN and any(0 < count < SMALLEST_SHOWN for count in counts):
        return HIDDEN
    return count_cell(total)


def share_cell(part: int, whole: int):
    """
    `part` as a percentage of `whole` (one decimal), as it may be shown. A share of 1 to 4
    requests is hidden like their count: with the whole shown, the share would give it away.
    """
    if 0 < part < SMALLEST_SHOWN:
        return SUPPRESSED
    return protect(round(100 * part / whole, 1) if whole else None, based_on=whole)
