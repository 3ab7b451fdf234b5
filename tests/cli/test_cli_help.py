"""Every flag of every subcommand has help text (issue 23), and the
research/slim flags use research/slim's own wording.

The parsers are built in-process (what ``--help`` prints); the real
``python -m slimkeras train --help`` subprocess runs once, in
tests/cli/test_tf_log_noise.py.
"""

import argparse
import importlib

cli_main = importlib.import_module("slimkeras.cli.main")


def _actions(parser, prefix):
    """``(command, flag, action)`` for every visible argument, recursing
    into subcommands."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _actions(sub, f"{prefix} {name}")
        elif not isinstance(action, argparse._HelpAction) and (
                action.help != argparse.SUPPRESS):
            yield prefix, "/".join(action.option_strings) or action.dest, \
                action


def _all():
    return list(_actions(cli_main._parser(), "slimkeras"))


def test_every_flag_of_every_subcommand_has_help():
    rows = _all()
    commands = {c for c, _, _ in rows}
    assert {"slimkeras train", "slimkeras eval", "slimkeras export",
            "slimkeras inspect", "slimkeras demo"} <= commands
    assert len(rows) > 100  # train alone has ~60 flags
    missing = [f"{c} {f}" for c, f, a in rows
               if not (a.help and a.help.strip())]
    assert not missing, missing


def test_help_renders_and_expands_defaults():
    parser = cli_main._parser()
    sub = next(a for a in parser._actions
               if isinstance(a, argparse._SubParsersAction))
    for name, p in sub.choices.items():
        text = p.format_help()  # raises on a bad %-format in a help string
        assert "--" in text or name == "inspect", name
    assert "epochs of Model.fit (default: 5)" in sub.choices[
        "demo"].format_help()


WORDING = [
    ("train", "--train_dir",
     "Directory where checkpoints and event logs are written to."),
    ("train", "--adam_beta1",
     "The exponential decay rate for the 1st moment estimates."),
    ("train", "--checkpoint_exclude_scopes",
     "Comma-separated list of scopes of variables to exclude when "),
    ("train", "--ignore_missing_vars",
     "When restoring a checkpoint would ignore missing variables."),
    ("train", "--labels_offset", "An offset for the labels in the dataset."),
    ("eval", "--max_num_batches",
     "Max number of batches to evaluate by default use all."),
    ("export", "--batch_size", "Batch size for the exported model."),
]


def test_research_slim_wording():
    helps = {(c.split()[-1], f): a.help for c, f, a in _all()}
    for command, flag, words in WORDING:
        assert helps[(command, flag)].startswith(words), (
            command, flag, helps[(command, flag)])
