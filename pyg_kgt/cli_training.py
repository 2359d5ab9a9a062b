r"""The ``pyg-kgt`` commands that train: ``pretrain``, ``retrain`` and
``fit`` (parsers in :mod:`pyg_kgt.cli`), and the run configuration and
data loading they share with :mod:`pyg_kgt.cli_models`."""
from __future__ import annotations

import argparse
import os
from typing import Any, Dict, Optional

from pyg_kgt.errors import ConfigError


def load_config(args: argparse.Namespace, config_path: Optional[str] = None):
    r"""The run configuration: ``--config`` (or ``config_path``), then
    ``--set`` overrides, ``--run-dir``, ``--threads`` and ``--device``
    (over ``training`` and ``retraining`` both); applies the process
    settings (threads) it names."""
    from pyg_kgt.run_config import RunConfig
    path = args.config or config_path
    config = RunConfig.from_yaml(path) if path else RunConfig()
    flags = {'run_dir': getattr(args, 'run_dir', None),
             'training.num_threads': getattr(args, 'threads', None),
             'training.device': getattr(args, 'device', None)}
    given = [key for key, value in flags.items() if value is not None]
    config = config.override((args.set or []) + [
        f'{key}={flags[key]}' for key in given])
    for key in given:  # a flag also wins over the re-training budget
        config.retraining.pop(key.replace('training.', ''), None)
    config.training.progress = not args.quiet
    from pyg_kgt.runtime import apply_process_settings
    apply_process_settings(config.training)
    return config


def load_data(config):
    r"""The multi-source KG ``config.data`` names (``embedded``: the
    synthetic default)."""
    from pyg_kgt.data import make_synthetic_multi_source_kg, read_multi_source
    data = config.data
    if data.path == 'embedded':
        return make_synthetic_multi_source_kg(seed=data.seed)
    kwargs = {'shared_relations': data.shared_relations}
    if data.alignment_split:
        kwargs['alignment_split'] = data.alignment_split
    return read_multi_source(data.path, data.format, **kwargs)


def _tracker(training, folder, tag: str):
    r"""The live tracker ``training.tracker`` names, writing into the run
    folder's ``tensorboard/`` (none on a rank that writes no folder)."""
    from pyg_kgt.tracking import open_tracker
    if folder is None:
        return None
    return open_tracker(training.tracker, folder.file('tensorboard'), tag)


def _sources(config, kg) -> list:
    sources = config.data.sources or [n for n in kg.names
                                      if n != config.data.target]
    unknown = sorted(set(sources) - set(kg.names))
    if unknown:
        raise ConfigError(f'data.sources: unknown KG(s) {unknown}; '
                          f'available: {kg.names}')
    return sources


def _report(results: Dict[str, Dict[str, Any]], saved: Dict[str, str],
            folder: str) -> None:
    r"""The closing lines every training command prints: test MRR per KG
    and protocol, where each artefact went, and the run folder."""
    for name, result in results.items():
        print(f'{name}: ' + ', '.join(
            f"{p} MRR {r['metrics']['mrr']:.4f}" for p, r in result.items()))
    for what, path in saved.items():
        print(f'{what} saved in {path}')
    print(f'run folder: {folder}')


def pretrain(args: argparse.Namespace) -> int:
    import time

    from pyg_kgt.environment import resolve_device
    from pyg_kgt.models import JointTeacher
    from pyg_kgt.run_folder import RunFolder
    from pyg_kgt.training.distributed import DistributedContext
    config = load_config(args)
    kg = load_data(config)
    sources = _sources(config, kg)
    # Under torchrun every rank trains; rank 0 alone writes the run folder.
    context = DistributedContext.from_environment(
        config.training.distributed_timeout_s,
        resolve_device(config.training.device))
    folder = RunFolder(config.run_dir) if context.is_main else None
    if folder is not None:
        folder.write_config(config)
    began = time.perf_counter()
    teacher = JointTeacher(config.teacher)
    tracker = _tracker(config.training, folder, 'pretrain')
    try:
        history = teacher.fit(kg.subset(sources), config.training,
                              checkpoint_dir=os.path.join(config.run_dir,
                                                          'checkpoints'),
                              resume=args.resume, on_epoch=tracker)
    finally:
        if tracker is not None:
            tracker.close()
    if folder is None:
        context.close()
        return 0
    folder.write_history(history)
    teacher.save(folder.file('teacher'))
    results = teacher.evaluate(kg.subset(sources),
                               progress=config.training.progress)
    folder.write_results('pretrain', results, config.training.seed,
                         time.perf_counter() - began)
    context.close()
    _report(results, {'teacher': folder.file('teacher')}, folder.path)
    return 0


def retrain(args: argparse.Namespace) -> int:
    import time

    from pyg_kgt.data.relation_matching import write_relation_matches
    from pyg_kgt.models import JointTeacher
    from pyg_kgt.pipeline import (METHODS, describe_linked, infer_relations,
                                  link_target)
    from pyg_kgt.run_folder import RunFolder, find_saved
    config = load_config(args)
    training = config.retraining_config()
    if not config.data.target:
        raise ConfigError('data.target: retrain needs a target KG')
    teacher = JointTeacher.load(find_saved(args.teacher, 'teacher')[0])
    kg = load_data(config)
    target = _target(config, kg)
    matches, aliases = infer_relations(kg, target, teacher,
                                       config.data.relation_alignment)
    folder = RunFolder(config.run_dir)
    folder.write_config(config)
    if matches:
        path = write_relation_matches(matches,
                                      folder.file('relation_alignment.tsv'))
        print(f'relations inferred from the seed alignment: '
              f'{len({m.target for m in matches})} target relations '
              f'matched ({len(aliases or {})} to a teacher relation for '
              f'distillation); table with support in {path}')
    began = time.perf_counter()
    linked = link_target(kg, target, teacher, config.num_hops,
                         config.max_neighbors, training.seed, matches)
    print(f'linked subgraph: {describe_linked(linked)}')
    cache = teacher.cache_for(linked, folder.file('teacher_cache.pt'),
                              config.student.top_k, aliases)
    results = _train_student(
        'retrain', METHODS['student_full_kd'], linked, None, cache, config,
        training, folder, args.resume,
        {'seed': training.seed, 'teacher': os.path.abspath(args.teacher)})
    folder.write_results('retrain', {target: results},
                         training.seed, time.perf_counter() - began)
    _report({target: results}, {'model': folder.file('model'),
                                'teacher cache': folder.file(
                                    'teacher_cache.pt')}, folder.path)
    return 0


def _train_student(command: str, method, linked, alone, cache, config,
                   training, folder, resume: bool, info: dict) -> dict:
    r"""One student the way ``method`` says
    (:func:`~pyg_kgt.pipeline.train_method`), with the run folder's
    checkpoints and live tracker; writes its history and ``model/``;
    returns its test results."""
    from pyg_kgt.pipeline import train_method
    tracker = _tracker(training, folder, command)
    try:
        student = train_method(method, linked, alone, cache, config.student,
                               training,
                               checkpoint_dir=folder.file('checkpoints'),
                               resume=resume, on_epoch=tracker)
    finally:
        if tracker is not None:
            tracker.close()
    folder.write_history(student.history)
    results = student.evaluate('test', progress=training.progress)
    student.trained_model(info).save(folder.file('model'))
    return results


def _target(config, kg) -> str:
    r"""``data.target``, or the only KG of a single-KG dataset."""
    target = config.data.target
    if target is None:
        if len(kg.names) != 1:
            raise ConfigError(f'data.target: name the KG to train on; '
                              f'available: {kg.names}')
        return kg.names[0]
    if target not in kg.names:
        raise ConfigError(f"data.target: unknown KG '{target}'; "
                          f'available: {kg.names}')
    return target


def fit(args: argparse.Namespace) -> int:
    r"""The single-KG baseline: the student's network trained on the target
    alone, the same path as the benchmark tables' ``single_kg_rgcn``
    (:func:`~pyg_kgt.pipeline.train_method`)."""
    import time

    from pyg_kgt.pipeline import METHODS, target_alone
    from pyg_kgt.run_folder import RunFolder
    config = load_config(args)
    training = config.retraining_config()
    kg = load_data(config)
    target = _target(config, kg)
    folder = RunFolder(config.run_dir)
    folder.write_config(config)
    began = time.perf_counter()
    results = _train_student(
        'fit', METHODS['single_kg_rgcn'], None, target_alone(kg, target),
        None, config, training, folder, args.resume,
        {'kind': 'single_kg_rgcn', 'seed': training.seed})
    folder.write_results('fit', {target: results}, training.seed,
                         time.perf_counter() - began)
    _report({target: results}, {'model': folder.file('model')},
            folder.path)
    return 0
