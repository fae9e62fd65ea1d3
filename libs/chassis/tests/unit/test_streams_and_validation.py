"""A service's own stream by naming convention, and the page-size check of list requests."""

from __future__ import annotations

import pytest
from chassis.errors import InvalidArgument
from chassis.streams import StreamSpec, service_stream
from chassis.validation import PageSizeOutOfRange, page_size


def test_service_stream_follows_the_subject_convention() -> None:
    assert service_stream("billing") == StreamSpec("BILLING", ("billing.>",))


@pytest.mark.parametrize(("value", "expected"), [(0, 25), (1, 1), (25, 25), (100, 100)])
def test_page_size_defaults_and_bounds(value: int, expected: int) -> None:
    assert page_size(value, default=25, maximum=100) == expected


@pytest.mark.parametrize("value", [-1, 101])
def test_page_size_out_of_range_is_invalid_argument(value: int) -> None:
    with pytest.raises(PageSizeOutOfRange) as caught:
        page_size(value, default=25, maximum=100)
    assert isinstance(caught.value, InvalidArgument)
    assert caught.value.code == "invalid_page_size"
    assert caught.value.message == "Размер страницы должен быть от 1 до 100 (0 — по умолчанию 25)"


def test_page_size_names_another_field_in_the_code() -> None:
    with pytest.raises(PageSizeOutOfRange) as caught:
        page_size(500, default=10, maximum=50, field="limit")
    assert caught.value.code == "invalid_limit"
