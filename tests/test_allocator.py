"""jemalloc size classes, pinned so that a change shows up in review."""

from __future__ import annotations

import pytest

from sizing import DEBIAN_JEMALLOC, UPSTREAM_JEMALLOC

UPSTREAM = {1: 8, 8: 8, 9: 16, 17: 24, 24: 24, 25: 32, 33: 40, 41: 48, 49: 56, 57: 64, 65: 80, 81: 96, 97: 112,
            113: 128, 129: 160, 161: 192, 193: 224, 225: 256, 257: 320, 1025: 1280, 8191: 8192, 14337: 16384,
            16385: 20480, 1_048_577: 1_310_720}
DEBIAN = {1: 8, 9: 16, 17: 32, 24: 32, 33: 48, 41: 48, 49: 64, 57: 64, 65: 80, 129: 160, 8191: 8192}


@pytest.mark.parametrize(("request_bytes", "class_bytes"), sorted(UPSTREAM.items()))
def test_upstream_classes(request_bytes: int, class_bytes: int) -> None:
    assert UPSTREAM_JEMALLOC.class_bytes(request_bytes) == class_bytes


@pytest.mark.parametrize(("request_bytes", "class_bytes"), sorted(DEBIAN.items()))
def test_debian_classes(request_bytes: int, class_bytes: int) -> None:
    assert DEBIAN_JEMALLOC.class_bytes(request_bytes) == class_bytes


def test_classes_are_monotonic_and_cover_requests() -> None:
    for allocator in (UPSTREAM_JEMALLOC, DEBIAN_JEMALLOC):
        previous = 0
        for n in range(1, 70_000):
            size = allocator.class_bytes(n)
            assert size >= n and size >= previous
            previous = size


def test_mean_class_interpolates() -> None:
    assert UPSTREAM_JEMALLOC.mean_class_bytes(64.0) == 64
    assert UPSTREAM_JEMALLOC.mean_class_bytes(64.5) == pytest.approx(72.0)
