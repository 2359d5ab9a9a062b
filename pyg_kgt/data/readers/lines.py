r"""Validated, line-numbered reading of tab-separated text files.

Infrastructure shared by every reader: it turns encoding problems, wrong
column counts and bad numbers into one-line :class:`DataFormatError`\ s
that name the file and line.
"""
from __future__ import annotations

import os
from typing import Iterator, List, Sequence, Tuple

import torch
from torch import Tensor

from pyg_kgt.errors import DataFormatError, PathLike


def _read_text(path: PathLike) -> str:
    r"""The file's text (UTF-8, BOM skipped), or a one-line error naming the
    missing file or the line of the first undecodable byte."""
    if not os.path.isfile(path):
        raise DataFormatError(path, 'missing file')
    with open(path, 'rb') as f:
        raw = f.read()
    try:
        return raw.decode('utf-8-sig')
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b'\n') + 1
        raise DataFormatError(path, f'not valid UTF-8 ({e.reason})',
                              line) from None


def read_rows(path: PathLike, num_columns: int | Sequence[int],
              allow_empty: bool = False) -> Iterator[Tuple[int, List[str]]]:
    r"""Yields ``(line_number, fields)`` for every non-blank line of a TSV file.

    CRLF and LF endings (and mixes) are accepted; a UTF-8 byte order mark is
    skipped. Blank lines are skipped.

    Args:
        path (str): The file.
        num_columns (int or [int]): The accepted column count(s).
        allow_empty (bool): Whether a file with no rows is fine.
            (default: :obj:`False`)
    """
    accepted = ({num_columns} if isinstance(num_columns, int) else
                set(num_columns))
    text = _read_text(path)
    found = False
    for number, line in enumerate(text.split('\n'), start=1):
        line = line.rstrip('\r')
        if not line.strip():
            continue
        fields = line.split('\t')
        if len(fields) not in accepted:
            want = ' or '.join(str(n) for n in sorted(accepted))
            raise DataFormatError(
                path, f'expected {want} tab-separated columns, found '
                f'{len(fields)}', number)
        found = True
        yield number, [field.strip() for field in fields]
    if not found and not allow_empty:
        raise DataFormatError(path, 'file is empty (no rows)')


def parse_id(path: PathLike, line: int, text: str, what: str,
             allow_float: bool = False) -> int:
    r"""Parses a non-negative integer id, optionally written as ``3931.0``."""
    try:
        if allow_float and ('.' in text or 'e' in text.lower()):
            value = float(text)
            if not value.is_integer():
                raise ValueError
            number = int(value)
        else:
            number = int(text)
    except (ValueError, OverflowError):
        raise DataFormatError(path, f'{what} {text!r} is not an integer id',
                              line) from None
    if number < 0 or number >= 2**62:
        raise DataFormatError(path, f'{what} {number} is out of range', line)
    return number


def read_id_rows(path: PathLike, num_columns: int, bounds: Sequence[int],
                 names: Sequence[str], allow_float: bool = False,
                 allow_empty: bool = False) -> Tensor:
    r"""Reads an all-integer TSV file into a long tensor of shape
    :obj:`[rows, num_columns]`, checking column ``i`` lies in
    ``[0, bounds[i])``.

    Args:
        path (str): The file.
        num_columns (int): Columns per row.
        bounds ([int]): Exclusive upper bound per column.
        names ([str]): What each column holds, for error messages.
        allow_float (bool): Accept ids written as floats (DBP-5L links).
        allow_empty (bool): Whether a file with no rows is fine.
    """
    rows = []
    for number, fields in read_rows(path, num_columns, allow_empty):
        row = []
        for field, bound, name in zip(fields, bounds, names):
            value = parse_id(path, number, field, name, allow_float)
            if value >= bound:
                raise DataFormatError(
                    path, f'{name} {value} is out of range [0, {bound})',
                    number)
            row.append(value)
        rows.append(row)
    return torch.tensor(rows, dtype=torch.long).view(-1, num_columns)


def read_names(path: PathLike, unique: bool = True) -> List[str]:
    r"""Reads a vocabulary file: one name per line, line ``i`` is id ``i``.

    Blank lines are not allowed inside a vocabulary (they would shift ids).

    Args:
        path (str): The file.
        unique (bool): Whether a repeated name is an error. Upstream files
            whose ids are line numbers may repeat a name (DBP-5L does); then
            both ids are kept and the repeat is counted in the KG's
            statistics. (default: :obj:`True`)
    """
    text = _read_text(path)
    lines = [line.rstrip('\r') for line in text.split('\n')]
    if lines and lines[-1] == '':
        lines.pop()
    if not lines:
        raise DataFormatError(path, 'file is empty (no rows)')
    seen = {}
    for number, name in enumerate(lines, start=1):
        if not name.strip():
            raise DataFormatError(path, 'blank name in vocabulary', number)
        if name in seen and unique:
            raise DataFormatError(
                path, f'duplicate name {name!r} (first on line {seen[name]})',
                number)
        seen.setdefault(name, number)
    return lines
