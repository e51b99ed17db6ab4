"""Pseudo-parameters nobody gave a value: kept symbolic, matched as wildcards.

A template names its own region and account with ``${AWS::Region}`` and
``${AWS::AccountId}`` (serverless.yml also with ``#{AWS::Region}`` of the
serverless-pseudo-parameters plugin, or ``${aws:region}``). When neither the
repository (samconfig ``region``, ``provider.region``, a pipeline's
``--region``) nor the user (``region``/``account_id`` of the configuration)
gives a value, it is unknown offline: names and ARNs keep the placeholder, so
nothing shown is made up. Where a name holding a placeholder is compared with
another one, the placeholder is a wildcard for one value of its shape (a
region, twelve digits), never spanning a separator.

>>> names_match("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders", "arn:aws:sqs:eu-west-1:111122223333:orders")
True
>>> names_match("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders", "arn:aws:sqs:eu-west-1:111122223333:orders-dlq")
False
>>> names_match("orders-#{AWS::Region}", "orders-${AWS::Region}")
True
>>> arn_fields("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders")
['arn', 'aws', 'sqs', '${AWS::Region}', '${AWS::AccountId}', 'orders']
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

__all__ = [
    "ACCOUNT_ID",
    "REGION",
    "WildcardKeys",
    "arn_fields",
    "field_matches",
    "has_pseudo",
    "names_match",
    "split_fields",
    "without_pseudo",
]

REGION = "${AWS::Region}"
ACCOUNT_ID = "${AWS::AccountId}"

# Every spelling of a pseudo-parameter a repository writes, and the name it stands for.
_PSEUDO = re.compile(r"[$#]\{\s*(AWS::Region|AWS::AccountId|AWS::Partition|aws:region|aws:accountId)\s*\}")
_CANONICAL = {
    "AWS::Region": "AWS::Region",
    "aws:region": "AWS::Region",
    "AWS::AccountId": "AWS::AccountId",
    "aws:accountId": "AWS::AccountId",
    "AWS::Partition": "AWS::Partition",
}
# Any ``${..}``/``#{..}`` placeholder: one value, whatever it holds (colons included).
_BRACED = re.compile(r"[$#]\{[^}]*\}")
# What a pseudo-parameter can stand for: a value of its shape, or another placeholder in its place.
_VALUE = {
    "AWS::Region": r"(?:[a-z]{2}(?:-[a-z]+)+-\d+|[$#]\{[^}]*\})",
    "AWS::AccountId": r"(?:\d{12}|[$#]\{[^}]*\})",
    "AWS::Partition": r"(?:aws(?:-[a-z]+)*|[$#]\{[^}]*\})",
}


def has_pseudo(text: str) -> bool:
    """Whether ``text`` holds a region, account or partition placeholder.

    >>> has_pseudo("orders-${AWS::Region}"), has_pseudo("orders-${Env}")
    (True, False)
    """
    return "{" in text and _PSEUDO.search(text) is not None


def without_pseudo(text: str) -> str:
    """``text`` with its pseudo-parameter placeholders taken out (to test what else it holds).

    >>> without_pseudo("arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:f")
    'arn:aws:lambda:::function:f'
    """
    return _PSEUDO.sub("", text) if "{" in text else text


def _canonical(text: str) -> str:
    return _PSEUDO.sub(lambda match: "${" + _CANONICAL[match.group(1)] + "}", text) if "{" in text else text


@functools.lru_cache(maxsize=4096)
def _pattern(text: str) -> re.Pattern[str]:
    pieces: list[str] = []
    position = 0
    for match in _PSEUDO.finditer(text):
        pieces.append(re.escape(text[position : match.start()]))
        pieces.append(_VALUE[_CANONICAL[match.group(1)]])
        position = match.end()
    pieces.append(re.escape(text[position:]))
    return re.compile("".join(pieces))


def names_match(first: str, second: str) -> bool:
    """Whether two names (or ARNs) may name the same thing, a pseudo-parameter matching any value of its shape."""
    if first == second:
        return True
    first_pseudo, second_pseudo = has_pseudo(first), has_pseudo(second)
    if not (first_pseudo or second_pseudo):
        return False
    first, second = _canonical(first), _canonical(second)
    if first == second:
        return True
    return bool((first_pseudo and _pattern(first).fullmatch(second)) or (second_pseudo and _pattern(second).fullmatch(first)))


def field_matches(written: str, known: str | None) -> bool:
    """Whether an ARN's region or account field fits the one known for a unit (None: nobody gave it).

    An empty field (S3 ARNs), a placeholder or an unknown value on either side matches anything.

    >>> field_matches("eu-west-1", None), field_matches(REGION, "eu-west-1"), field_matches("eu-west-1", "us-east-2")
    (True, True, False)
    """
    if not written or known is None or written == known:
        return True
    return has_pseudo(written) or has_pseudo(known)


def split_fields(text: str, separator: str = ":", maxsplit: int = -1) -> list[str]:
    """``text.split(separator, maxsplit)``, but a ``${..}``/``#{..}`` placeholder is never cut.

    >>> split_fields("function:${AWS::StackName}-worker:live")
    ['function', '${AWS::StackName}-worker', 'live']
    """
    if "{" not in text:
        return text.split(separator, maxsplit)
    hidden: list[str] = []

    def hide(match: re.Match[str]) -> str:
        hidden.append(match.group(0))
        return f"\x00{len(hidden) - 1}\x00"

    parts = _BRACED.sub(hide, text).split(separator, maxsplit)
    return [re.sub(r"\x00(\d+)\x00", lambda match: hidden[int(match.group(1))], part) for part in parts]


def arn_fields(arn: str) -> list[str]:
    """The six fields of an ARN (``arn``, partition, service, region, account, resource); fewer when it is not one."""
    return split_fields(arn, ":", 5)


class WildcardKeys:
    """The keys of a lookup table, for the names an exact lookup missed.

    A name holding a placeholder is compared with every key; a concrete name only
    with the keys holding one, so a miss costs little where no placeholder is written.

    >>> WildcardKeys(["orders-${AWS::Region}", "payments"]).matches("orders-eu-west-1")
    ['orders-${AWS::Region}']
    """

    def __init__(self, keys: Iterable[str]) -> None:
        self._keys = list(keys)
        self._symbolic = [key for key in self._keys if has_pseudo(key)]

    def matches(self, name: str) -> list[str]:
        """The keys other than ``name`` itself that ``name`` matches."""
        pool = self._keys if has_pseudo(name) else self._symbolic
        return [key for key in pool if key != name and names_match(name, key)]
