"""Errors raised on bad user input."""
from __future__ import annotations

import os
from typing import Optional, Union

PathLike = Union[str, os.PathLike]


class DataFormatError(ValueError):
    r"""A data file is malformed; the message names the file, line and problem.

    The message is one line: ``path:line: problem`` (or ``path: problem`` when
    no single line is at fault), so the CLI can print it as is.

    Args:
        path (str or os.PathLike): The offending file.
        problem (str): What is wrong, in words.
        line (int, optional): The 1-based line number. (default: :obj:`None`)
    """

    def __init__(self, path: PathLike, problem: str,
                 line: Optional[int] = None) -> None:
        self.path = str(path)
        self.problem = problem
        self.line = line
        where = self.path if line is None else f'{self.path}:{line}'
        super().__init__(f'{where}: {problem}')


class ConfigError(ValueError):
    r"""A configuration value or key is invalid; the message names the key."""


class DataWarning(UserWarning):
    r"""Something in a data file was read in a way the user should know
    about (e.g. a header line skipped); the message names the file and
    line."""


class PerformanceWarning(UserWarning):
    r"""A setting will run far slower on this machine than elsewhere (e.g.
    bfloat16 on a CPU that emulates it); the message says why and what to
    use instead."""


class NonFiniteLossError(RuntimeError):
    r"""The training loss became NaN or infinite."""


class DistributedError(RuntimeError):
    r"""A collective failed: a peer rank died, or did not answer within the
    timeout."""
