"""One pattern language for choosing variables by their slim path.

Used by ``include``/``exclude`` in :func:`slimkeras.checkpoints.restore`,
by :func:`slimkeras.variables.get_variables_to_restore` and
:func:`slimkeras.variables.get_variables` (``scope=``), and meant for
trainable scopes. A pattern is one of:

* **a scope** (a plain string, the default): ``'vgg_16/fc8'`` matches the
  name ``vgg_16/fc8`` itself and everything below it
  (``vgg_16/fc8/weights``, ``vgg_16/fc8/biases``) but **not**
  ``vgg_16/fc80/weights``: matching stops at ``/`` boundaries. This is
  research/slim's ``--checkpoint_exclude_scopes`` without its prefix
  surprise. A trailing ``/`` is ignored.
* **a glob** (a string containing ``*``, ``?`` or ``[``): ``*`` matches
  any characters except ``/``, ``**`` any characters including ``/``,
  ``?`` one character except ``/``, ``[abc]`` a character class. Like a
  scope, a glob matches a name when it matches the whole name *or* one of
  its enclosing scopes: ``'vgg_16/conv*'`` selects every variable under
  ``vgg_16/conv1`` … ``vgg_16/conv5``; ``'**/BatchNorm/moving_*'`` selects
  every moving statistic.
* **a regular expression**: a string starting with ``re:`` or a compiled
  ``re.Pattern``; it is searched (``re.search``) in the full name, so
  ``'re:fc[67]/weights$'`` matches ``vgg_16/fc6/weights``.

Names are slim paths (``variable.path``); a TF1 ``:0`` output suffix on a
name is ignored. Patterns may be given as one string, a sequence of them,
or ``None`` (no pattern). :func:`split_patterns` turns research/slim's
comma-separated flag values into a list.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "Pattern",
    "compile_pattern",
    "compile_patterns",
    "split_patterns",
    "matches_any",
    "filter_names",
    "unmatched",
    "suggest",
    "warn_unmatched",
]

_GLOB_CHARS = frozenset("*?[")


def _strip(name: str) -> str:
    return name[:-2] if name.endswith(":0") else name


def _glob_to_regex(glob: str) -> str:
    out, i = [], 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = glob.find("]", i + 1)
            if end < 0:
                raise ValueError(
                    f"Unclosed '[' in pattern. Received: pattern={glob!r}."
                )
            body = glob[i + 1:end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append(f"[{body}]")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


class Pattern:
    """A compiled pattern; ``pattern.matches(name)`` tests a slim path.

    Attributes:
        source: what the caller wrote (a string or ``re.Pattern``).
        kind: ``'scope'``, ``'glob'`` or ``'regex'``.
    """

    __slots__ = ("source", "kind", "_scope", "_regex")

    def __init__(self, source: Any):
        self.source = source
        self._scope = None
        self._regex = None
        if isinstance(source, re.Pattern):
            self.kind = "regex"
            self._regex = source
            return
        if isinstance(source, Pattern):
            self.source, self.kind = source.source, source.kind
            self._scope, self._regex = source._scope, source._regex
            return
        if not isinstance(source, str):
            raise TypeError(
                "A variable pattern must be a string (scope, glob or "
                f"'re:<regex>') or a compiled re.Pattern. Received: "
                f"{source!r} of type {type(source).__name__}."
            )
        if source.startswith("re:"):
            self.kind = "regex"
            try:
                self._regex = re.compile(source[3:])
            except re.error as e:
                raise ValueError(
                    f"Invalid regular expression in pattern {source!r}: {e}."
                ) from None
            return
        text = source.strip().rstrip("/")
        if not text:
            raise ValueError(
                "A variable pattern must not be empty. "
                f"Received: pattern={source!r}."
            )
        if _GLOB_CHARS & set(text):
            self.kind = "glob"
            self._regex = re.compile(
                "(?:" + _glob_to_regex(text) + ")(?:/.*)?", re.DOTALL)
        else:
            self.kind = "scope"
            self._scope = text

    def matches(self, name: str) -> bool:
        """Whether the slim path ``name`` is selected by this pattern."""
        name = _strip(name)
        if self.kind == "scope":
            s = self._scope
            return name == s or (name.startswith(s) and name[len(s)] == "/")
        if self.kind == "glob":
            return self._regex.fullmatch(name) is not None
        return self._regex.search(name) is not None

    def __repr__(self) -> str:
        src = self.source.pattern if self.kind == "regex" and isinstance(
            self.source, re.Pattern) else self.source
        return f"Pattern({src!r}, kind={self.kind!r})"

    def __str__(self) -> str:
        if isinstance(self.source, re.Pattern):
            return "re:" + self.source.pattern
        return str(self.source)


def compile_pattern(pattern: Any) -> Pattern:
    """A :class:`Pattern` from a string / ``re.Pattern`` / ``Pattern``."""
    return Pattern(pattern)


def compile_patterns(patterns: Any, argname: str = "patterns"
                     ) -> list[Pattern] | None:
    """``None`` stays ``None``; one pattern or a sequence → a list.

    Raises:
        TypeError: naming ``argname`` if an element is not a pattern.
    """
    if patterns is None:
        return None
    if isinstance(patterns, (str, re.Pattern, Pattern)):
        patterns = [patterns]
    try:
        items = list(patterns)
    except TypeError:
        raise TypeError(
            f"`{argname}` must be a pattern string, a list of them or None. "
            f"Received: {argname}={patterns!r}."
        ) from None
    try:
        return [Pattern(p) for p in items]
    except TypeError as e:
        raise TypeError(f"`{argname}`: {e}") from None


def split_patterns(flag: str | None) -> list[str]:
    """``'a/Logits, a/AuxLogits'`` → ``['a/Logits', 'a/AuxLogits']``.

    For research/slim's comma-separated ``--checkpoint_exclude_scopes``.
    """
    if not flag:
        return []
    return [s.strip() for s in flag.split(",") if s.strip()]


def matches_any(name: str, patterns: Sequence[Pattern] | None) -> bool:
    """True if any pattern matches ``name`` (False for ``None``/empty)."""
    return bool(patterns) and any(p.matches(name) for p in patterns)


def filter_names(names: Iterable[str], include: Any = None,
                 exclude: Any = None) -> tuple[list[str], list[str]]:
    """Splits names into ``(selected, excluded)``.

    A name is selected when ``include`` is None or some include pattern
    matches it, and no exclude pattern matches it. ``excluded`` lists the
    names an exclude pattern removed (after include), in input order.
    """
    inc = compile_patterns(include, "include")
    exc = compile_patterns(exclude, "exclude")
    selected, excluded = [], []
    for n in names:
        if inc is not None and not matches_any(n, inc):
            continue
        (excluded if matches_any(n, exc) else selected).append(n)
    return selected, excluded


def unmatched(patterns: Sequence[Pattern] | None,
              names: Iterable[str]) -> list[Pattern]:
    """The patterns that match none of ``names``."""
    if not patterns:
        return []
    names = list(names)
    return [p for p in patterns if not any(p.matches(n) for n in names)]


def _scopes_of(names: Iterable[str]) -> list[str]:
    out: dict[str, None] = {}
    for n in names:
        parts = _strip(n).split("/")
        for i in range(1, len(parts) + 1):
            out["/".join(parts[:i])] = None
    return list(out)


def suggest(pattern: Any, names: Iterable[str], n: int = 3) -> list[str]:
    """Close matches for a pattern among names and their enclosing scopes."""
    text = str(pattern)
    if text.startswith("re:"):
        text = text[3:]
    scopes = _scopes_of(names)
    # 'fc6' for 'vgg_16/fc6' (the net scope left out): scopes ending in
    # the pattern come first; difflib alone scores them too low.
    tail = "/" + text.strip("/")
    ends = sorted((s for s in scopes if s.endswith(tail)),
                  key=lambda s: (s.count("/"), s))
    close = difflib.get_close_matches(text, scopes, n=n, cutoff=0.6)
    return (ends + [c for c in close if c not in ends])[:n]


def describe_unmatched(patterns: Sequence[Pattern], names: Iterable[str],
                       argname: str) -> str:
    names = list(names)
    lines = []
    for p in patterns:
        close = suggest(p, names)
        hint = f" (did you mean {', '.join(map(repr, close))}?)" if close \
            else ""
        lines.append(f"  {str(p)!r}{hint}")
    return (f"`{argname}` pattern(s) matched no variable:\n"
            + "\n".join(lines))


def warn_unmatched(patterns: Sequence[Pattern] | None, names: Iterable[str],
                   argname: str, stacklevel: int = 3) -> list[Pattern]:
    """Warns (``UserWarning``) about patterns that match none of ``names``.

    Returns the unmatched patterns.
    """
    names = list(names)
    bad = unmatched(patterns, names)
    if bad:
        warnings.warn(describe_unmatched(bad, names, argname),
                      UserWarning, stacklevel=stacklevel)
    return bad
