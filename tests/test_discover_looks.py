"""Discovery's cheap look at a file's bytes: the substring searches before each expression change no answer."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch.discover import _LOOKS_LIKE_SERVICE, _LOOKS_LIKE_TEMPLATE, looks_like_service, looks_like_template

# Pieces of the words the expressions look for, and what surrounds them: any order, any repetition.
PIECES = st.sampled_from(
    [
        b"AWS::",
        b"AWS::SQS::Queue",
        b"AWS:",
        b"Resources",
        b"Resource",
        b"AWSTemplateFormatVersion",
        b"Transform",
        b"service",
        b"Service",
        b"servic",
        b'"',
        b"'",
        b":",
        b" ",
        b"\t",
        b"\n",
        b"\r\n",
        b"{",
        b",",
        b"x",
        b"9",
    ]
)


@given(st.lists(PIECES, max_size=12).map(b"".join))
def test_the_cheap_looks_answer_as_the_expressions_do(data: bytes) -> None:
    assert looks_like_template(data) == (_LOOKS_LIKE_TEMPLATE.search(data) is not None)
    assert looks_like_service(data) == (_LOOKS_LIKE_SERVICE.search(data) is not None)


def test_a_service_key_is_seen_at_the_start_of_the_text_and_of_any_line_quoted_or_not() -> None:
    assert [looks_like_service(text) for text in (b"service: a", b'"service": a', b"x: 1\n'service' : a", b" service: a")] == [
        True,
        True,
        True,
        False,
    ]
