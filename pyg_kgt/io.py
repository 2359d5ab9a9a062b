"""Atomic writes and safe loads for everything pyg_kgt puts on disk."""
from __future__ import annotations

import io
import json
import os
import tempfile
from typing import Any, Iterable, Sequence, Union

import torch

from pyg_kgt.errors import DataFormatError, PathLike


def atomic_write(path: PathLike, data: Union[bytes, str]) -> None:
    r"""Writes ``data`` to ``path`` atomically: a temporary file in the same
    folder, flushed and fsync'ed, then renamed over ``path``. A crash leaves
    either the old file or the new one, never a half-written file."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    payload = data.encode('utf-8') if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.' +
                               os.path.basename(path) + '.', suffix='.tmp')
    try:
        # mkstemp creates the file 0600; give it the mode open() would.
        os.fchmod(fd, 0o666 & ~_current_umask())
        with os.fdopen(fd, 'wb') as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # Persist the rename itself; not every filesystem allows it.
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_torch_save(obj: Any, path: PathLike) -> None:
    r"""``torch.save`` through :func:`atomic_write`."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    atomic_write(path, buffer.getvalue())


def safe_torch_load(path: PathLike) -> Any:
    r"""Loads a file written by :func:`atomic_torch_save` without executing
    code from it (``weights_only=True``). A corrupted, truncated or
    code-carrying file raises :class:`DataFormatError` naming the file."""
    if not os.path.isfile(path):
        raise DataFormatError(path, 'missing file')
    try:
        return torch.load(path, map_location='cpu', weights_only=True)
    except Exception as e:  # noqa: BLE001 - any unpickling failure
        problem = str(e).strip().splitlines()[0] if str(e).strip() else (
            type(e).__name__)
        raise DataFormatError(path, f'cannot be loaded safely (corrupted, '
                              f'truncated, or not a pyg_kgt file): '
                              f'{problem}') from None


def read_json(path: PathLike) -> Any:
    r"""Reads a JSON file; a missing or malformed file raises
    :class:`DataFormatError` naming it."""
    if not os.path.isfile(path):
        raise DataFormatError(path, 'missing file')
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise DataFormatError(path, f'not valid JSON ({e})') from None


def check_format_version(path: PathLike, meta: dict, supported: int) -> int:
    r"""The ``format_version`` of a saved artefact's metadata ``meta`` (read
    from ``path``); a missing, malformed or newer version than
    ``supported`` raises :class:`DataFormatError` naming the file."""
    version = meta.get('format_version')
    if not isinstance(version, int) or isinstance(version, bool) or \
            version < 1:
        raise DataFormatError(path, f'no valid format_version ({version!r})')
    if version > supported:
        raise DataFormatError(
            path, f'format_version {version} is newer than this pyg_kgt '
            f'reads ({supported}); it was written by pyg_kgt '
            f"{meta.get('pyg_kgt_version', '?')}: upgrade pyg_kgt")
    return version


def atomic_write_json(obj: Any, path: PathLike) -> None:
    atomic_write(path, json.dumps(obj, indent=2, sort_keys=True) + '\n')


def atomic_write_tsv(rows: Iterable[Sequence[object]], path: PathLike,
                     header: Sequence[str] = ()) -> None:
    lines = ['\t'.join(header)] if header else []
    lines += ['\t'.join(str(v) for v in row) for row in rows]
    atomic_write(path, '\n'.join(lines) + '\n')
