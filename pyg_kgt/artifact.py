"""The one on-disk layout of trained artefacts (teacher, target model).

A saved artefact is a folder of three files, each written atomically:

* a metadata JSON (``config.json`` for a :class:`~pyg_kgt.JointTeacher`,
  ``model.json`` for a :class:`~pyg_kgt.models.TrainedModel`) holding
  ``class``, ``format_version``, ``pyg_kgt_version`` and the class's own
  fields;
* ``vocabularies.json``: entity and relation names;
* ``weights.pt``: tensors only, read back with ``weights_only=True`` (no
  code runs from the files).

Loading checks the class and the format version: a newer or malformed
version is refused with an error naming the file.
"""
from __future__ import annotations

import os
from typing import Any, Dict, NamedTuple

from pyg_kgt.errors import DataFormatError
from pyg_kgt.io import (atomic_torch_save, atomic_write_json,
                        check_format_version, read_json, safe_torch_load)

VOCABULARIES = 'vocabularies.json'
WEIGHTS = 'weights.pt'


class Artifact(NamedTuple):
    r"""What :func:`read_artifact` returns."""
    meta: Dict[str, Any]
    vocabularies: Dict[str, Any]
    weights: Dict[str, Any]
    format_version: int


def write_artifact(folder: str, meta_file: str, cls_name: str,
                   format_version: int, meta: Dict[str, Any],
                   vocabularies: Dict[str, Any],
                   weights: Dict[str, Any]) -> None:
    r"""Writes an artefact of class ``cls_name`` to ``folder`` (created)."""
    import pyg_kgt
    os.makedirs(folder, exist_ok=True)
    atomic_torch_save(weights, os.path.join(folder, WEIGHTS))
    atomic_write_json(vocabularies, os.path.join(folder, VOCABULARIES))
    atomic_write_json({'class': cls_name, 'format_version': format_version,
                       'pyg_kgt_version': pyg_kgt.__version__, **meta},
                      os.path.join(folder, meta_file))


def read_artifact(folder: str, meta_file: str, cls_name: str,
                  supported_version: int) -> Artifact:
    r"""Reads an artefact written by :func:`write_artifact`.

    Raises:
        DataFormatError: A file is missing or malformed, the folder holds
            another class, or its format is newer than ``supported_version``.
    """
    meta_path = os.path.join(folder, meta_file)
    meta = read_json(meta_path)
    if meta.get('class') != cls_name:
        raise DataFormatError(meta_path, f"not a {cls_name} (class "
                              f"{meta.get('class')!r})")
    version = check_format_version(meta_path, meta, supported_version)
    weights = safe_torch_load(os.path.join(folder, WEIGHTS))
    return Artifact(meta, read_json(os.path.join(folder, VOCABULARIES)),
                    weights, version)
