"""The one scope-pattern language (slimkeras.patterns)."""

import re

import pytest

from slimkeras import patterns

NAMES = [
    "vgg_16/conv1/conv1_1/weights",
    "vgg_16/conv1/conv1_1/biases",
    "vgg_16/conv5/conv5_3/weights",
    "vgg_16/fc8/weights",
    "vgg_16/fc8/biases",
    "vgg_16/fc80/weights",
    "vgg_16/fc8_extra/weights",
    "net/conv1/BatchNorm/moving_mean",
    "net/block/conv2/BatchNorm/moving_variance",
]


def sel(p):
    return [n for n in NAMES if patterns.compile_pattern(p).matches(n)]


def test_scope_prefix_stops_at_slash():
    assert sel("vgg_16/fc8") == ["vgg_16/fc8/weights", "vgg_16/fc8/biases"]
    assert sel("vgg_16/fc8/") == sel("vgg_16/fc8")
    assert sel("vgg_16/fc8/weights") == ["vgg_16/fc8/weights"]
    assert sel("vgg") == []
    assert patterns.compile_pattern("a/b").kind == "scope"
    assert patterns.compile_pattern("a/b").matches("a/b:0")


def test_glob_matches_name_or_enclosing_scope():
    assert sel("vgg_16/conv*") == NAMES[:3]
    assert sel("vgg_16/fc?") == ["vgg_16/fc8/weights", "vgg_16/fc8/biases"]
    assert sel("*/fc8") == ["vgg_16/fc8/weights", "vgg_16/fc8/biases"]
    assert sel("**/BatchNorm/moving_*") == NAMES[-2:]
    assert sel("*/BatchNorm") == []  # '*' does not cross '/'
    assert sel("vgg_16/fc[!8]*") == []
    assert sel("vgg_16/fc8[0_]*") == NAMES[5:7]
    assert patterns.compile_pattern("a*").kind == "glob"


def test_regex_is_searched():
    assert sel("re:fc8/") == ["vgg_16/fc8/weights", "vgg_16/fc8/biases"]
    assert sel("re:conv[15]_\\d/weights$") == [NAMES[0], NAMES[2]]
    assert sel(re.compile(r"moving_variance$")) == [NAMES[-1]]
    assert patterns.compile_pattern("re:x").kind == "regex"


def test_filter_names_include_then_exclude():
    selected, excluded = patterns.filter_names(
        NAMES, include="vgg_16", exclude=["vgg_16/fc8", "re:fc80"])
    assert excluded == ["vgg_16/fc8/weights", "vgg_16/fc8/biases",
                        "vgg_16/fc80/weights"]
    assert selected == NAMES[:3] + ["vgg_16/fc8_extra/weights"]
    assert patterns.filter_names(NAMES) == (NAMES, [])


def test_unmatched_and_suggestions():
    pats = patterns.compile_patterns(["vgg_16/fc9", "vgg_16/fc8"])
    bad = patterns.unmatched(pats, NAMES)
    assert [str(p) for p in bad] == ["vgg_16/fc9"]
    assert "vgg_16/fc8" in patterns.suggest("vgg_16/fc9", NAMES)
    with pytest.warns(UserWarning, match=r"'vgg_16/fc9' \(did you mean "):
        patterns.warn_unmatched(bad, NAMES, "exclude")


def test_split_patterns_flag():
    assert patterns.split_patterns("a/Logits, a/AuxLogits,") == [
        "a/Logits", "a/AuxLogits"]
    assert patterns.split_patterns(None) == []


@pytest.mark.parametrize("bad,exc,match", [
    ("", ValueError, "must not be empty"),
    ("re:(", ValueError, "Invalid regular expression"),
    ("a/[b", ValueError, "Unclosed"),
    (3, TypeError, "must be a string"),
])
def test_bad_patterns(bad, exc, match):
    with pytest.raises(exc, match=match):
        patterns.compile_pattern(bad)


def test_compile_patterns_argument_name():
    assert patterns.compile_patterns(None) is None
    assert len(patterns.compile_patterns("a")) == 1
    with pytest.raises(TypeError, match="`exclude`"):
        patterns.compile_patterns(5, "exclude")
