"""Byte sizes of the engines' compact encodings: SDS strings, listpacks, ziplists, intsets.

Pure arithmetic, no allocator rounding (callers apply size classes per allocation).

Glossary
    sds_bytes        header + length + NUL of one SDS string.
    entry_bytes      one listpack/ziplist entry: encoding + data + back-length (listpack)
                     or previous-length + encoding + data (ziplist).
    digits           length of a decimal integer; ``numeric`` values of d digits are taken
                     as spread evenly over 10^(d-1)..10^d-1 (0..9 for one digit).
"""

from __future__ import annotations

from typing import Literal

SdsRule = Literal["redis", "valkey8"]

_INT_BANDS_LISTPACK: tuple[tuple[int, int, int], ...] = (
    # (low, high, bytes incl. 1-byte back-length): 7-bit uint, 13-bit, int16, int24, int32,
    # int64 (lpEncodeIntegerGetType, listpack.c).
    (0, 127, 2),
    (-4096, 4095, 3),
    (-(2**15), 2**15 - 1, 4),
    (-(2**23), 2**23 - 1, 5),
    (-(2**31), 2**31 - 1, 6),
    (-(2**63), 2**63 - 1, 10),
)
_INT_BANDS_ZIPLIST: tuple[tuple[int, int, int], ...] = (
    # (low, high, bytes incl. 1-byte prevlen and 1-byte encoding): immediate 0..12, int8,
    # int16, int24, int32, int64 (zipTryEncoding / zipIntSize, ziplist.c 6.2).
    (0, 12, 2),
    (-128, 127, 3),
    (-(2**15), 2**15 - 1, 4),
    (-(2**23), 2**23 - 1, 5),
    (-(2**31), 2**31 - 1, 6),
    (-(2**63), 2**63 - 1, 10),
)
LISTPACK_HEADER_BYTES = 6 + 1
"""Total-bytes u32 + count u16, plus the 0xFF terminator (listpack.c ``lpNew``)."""
ZIPLIST_HEADER_BYTES = 10 + 1
"""zlbytes u32 + zltail u32 + zllen u16, plus the terminator (ziplist.c 6.2)."""
INTSET_HEADER_BYTES = 8
"""encoding u32 + length u32 (intset.h)."""


def sds_header_bytes(length: int, rule: SdsRule) -> int:
    """SDS header a string of ``length`` gets from ``sdsReqType`` (sds.c)."""
    if length < 32:  # sdshdr5 (both rules)
        return 1
    if rule == "redis":
        limits = _REDIS_SDS_LIMITS
    else:  # Valkey 8: the type must hold header + length + NUL as well.
        limits = _VALKEY8_SDS_LIMITS
    if length < limits[0]:
        return 3
    if length < limits[1]:
        return 5
    return 9 if length < limits[2] else 17


_REDIS_SDS_LIMITS = (256, 65_536, 2**32)
"""Lengths below which sdshdr8, sdshdr16 and sdshdr32 hold a string (sds.c ``sdsReqType``)."""
_VALKEY8_SDS_LIMITS = (256 - 4, 65_536 - 6, 2**32 - 10)
"""The same in Valkey 8, less each header and the NUL (sds.c ``sdsReqType``)."""


def sds_bytes(length: int, rule: SdsRule) -> int:
    """Header + bytes + NUL of an SDS string built by ``sdsnewlen``."""
    if length < 32:  # sdshdr5, both rules (``sds_header_bytes`` without the call: every item asks)
        return 1 + length + 1
    return sds_header_bytes(length, rule) + length + 1


def sds8_bytes(length: int) -> int:
    """An SDS forced to at least ``sdshdr8`` (embstr objects, argv strings <= 44 bytes)."""
    if length < _REDIS_SDS_LIMITS[0]:  # sdshdr5 or sdshdr8: sdshdr8 (``sds_header_bytes``, redis rule)
        return 3 + length + 1
    return sds_header_bytes(length, "redis") + length + 1


def digit_range(digits: int) -> tuple[int, int]:
    """The integers a numeric value of ``digits`` digits stands for."""
    return (0 if digits == 1 else 10 ** (digits - 1), 10**digits - 1)


def _mean_band_bytes(digits: int, bands: tuple[tuple[int, int, int], ...]) -> float:
    return _mean_range_bytes(*digit_range(digits), bands)


def integer_entry_bytes(low: int, high: int, encoding: Literal["listpack", "ziplist"]) -> float:
    """Mean entry size of integers spread evenly over low..high."""
    return _mean_range_bytes(low, high, _INT_BANDS_ZIPLIST if encoding == "ziplist" else _INT_BANDS_LISTPACK)


def _mean_range_bytes(low: int, high: int, bands: tuple[tuple[int, int, int], ...]) -> float:
    count = high - low + 1
    total = 0.0
    covered = low
    for band_low, band_high, size in bands:
        top = min(high, band_high)
        if top >= covered and band_low <= covered:
            total += (top - covered + 1) * size
            covered = top + 1
        if covered > high:
            break
    return total / count


def listpack_string_entry_bytes(length: int) -> int:
    """A string entry: 1/2/5-byte encoding + data + back-length (listpack.c)."""
    head = 1 if length < 64 else (2 if length < 4096 else 5)
    return head + length + _backlen_bytes(head + length)


def _backlen_bytes(encoded: int) -> int:
    if encoded <= 127:
        return 1
    if encoded < 16_383:
        return 2
    if encoded < 2_097_151:
        return 3
    if encoded < 268_435_455:
        return 4
    return 5


def listpack_entry_bytes(length: int, numeric: bool) -> float:
    """Mean listpack entry size of an element of ``length`` bytes (or digits)."""
    return _mean_band_bytes(length, _INT_BANDS_LISTPACK) if numeric else float(listpack_string_entry_bytes(length))


def ziplist_entry_bytes(length: int, numeric: bool) -> float:
    """Mean ziplist entry size, assuming the previous entry is shorter than 254 bytes."""
    if numeric:
        return _mean_band_bytes(length, _INT_BANDS_ZIPLIST)
    head = 1 if length <= 63 else (2 if length <= 16_383 else 5)
    return 1 + head + length
