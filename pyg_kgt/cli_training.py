r"""The ``pyg-kgt`` commands that train: ``pretrain``, ``retrain`` and
``fit`` (parsers in :mod:`pyg_kgt.cli`), and the run configuration and
data loading they share with :mod:`pyg_kgt.cli_models`."""
from __future__ import annotations

import argparse
import os
from typing import (Any, Callable, Dict, List, NamedTuple, Optional,
                    Tuple)

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


class RunOutcome(NamedTuple):
    r"""What a training command leaves: test results per KG, the saved
    artefacts (what -> path), the epoch history and the run folder."""
    results: Dict[str, Dict[str, Any]]
    saved: Dict[str, str]
    history: List[Dict[str, float]]
    folder: str


class PreparedTarget(NamedTuple):
    r"""What ``retrain`` builds before the student trains: the target's
    name, the inferred relation matches and aliases, the linked subgraph
    and the teacher cache (reusable across runs that change none of
    ``data``, ``num_hops``, ``max_neighbors``, ``student.top_k`` and the
    seed, e.g. the trials of ``pyg-kgt tune``)."""
    target: str
    matches: list
    aliases: Optional[Dict[str, str]]
    linked: Any
    cache: Any


def _chain(*callbacks: Optional[Callable]) -> Optional[Callable]:
    r"""One ``on_epoch`` callback calling each given one in turn."""
    given = [c for c in callbacks if c is not None]
    if len(given) < 2:
        return given[0] if given else None

    def each(record: Dict[str, float]) -> None:
        for callback in given:
            callback(record)
    return each


def pretrain(args: argparse.Namespace) -> int:
    config = load_config(args)
    outcome = run_pretrain(config, args.resume)
    if outcome is not None:
        _report(outcome.results, outcome.saved, outcome.folder)
    return 0


def run_pretrain(config, resume: bool = False,
                 on_epoch: Optional[Callable] = None
                 ) -> Optional[RunOutcome]:
    r"""``pyg-kgt pretrain`` of ``config`` (:obj:`None` on a distributed
    rank that writes no folder)."""
    import time

    from pyg_kgt.environment import resolve_device
    from pyg_kgt.models import JointTeacher
    from pyg_kgt.run_folder import RunFolder
    from pyg_kgt.training.distributed import DistributedContext
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
                              resume=resume, on_epoch=_chain(tracker,
                                                             on_epoch))
    finally:
        if tracker is not None:
            tracker.close()
    if folder is None:
        context.close()
        return None
    folder.write_history(history)
    teacher.save(folder.file('teacher'))
    results = teacher.evaluate(kg.subset(sources),
                               progress=config.training.progress)
    folder.write_results('pretrain', results, config.training.seed,
                         time.perf_counter() - began)
    context.close()
    return RunOutcome(results, {'teacher': folder.file('teacher')}, history,
                      folder.path)


def retrain(args: argparse.Namespace) -> int:
    config = load_config(args)
    outcome = run_retrain(config, args.teacher, args.resume)
    _report(outcome.results, outcome.saved, outcome.folder)
    return 0


def prepare_target(config, teacher_path: str) -> PreparedTarget:
    r"""The target of ``config``, linked to the teacher saved at
    ``teacher_path``, with its relations matched and the teacher cache
    computed (printing what was inferred and linked)."""
    from pyg_kgt.models import JointTeacher
    from pyg_kgt.pipeline import describe_linked, infer_relations, link_target
    from pyg_kgt.run_folder import find_saved
    if not config.data.target:
        raise ConfigError('data.target: retrain needs a target KG')
    teacher = JointTeacher.load(find_saved(teacher_path, 'teacher')[0])
    kg = load_data(config)
    target = _target(config, kg)
    matches, aliases = infer_relations(kg, target, teacher,
                                       config.data.relation_alignment)
    if matches:
        print(f'relations inferred from the seed alignment: '
              f'{len({m.target for m in matches})} target relations '
              f'matched ({len(aliases or {})} to a teacher relation for '
              f'distillation)')
    linked = link_target(kg, target, teacher, config.num_hops,
                         config.max_neighbors,
                         config.retraining_config().seed, matches)
    print(f'linked subgraph: {describe_linked(linked)}')
    cache = teacher.cache_for(linked, None, config.student.top_k, aliases)
    return PreparedTarget(target, matches, aliases, linked, cache)


def run_retrain(config, teacher_path: str, resume: bool = False,
                on_epoch: Optional[Callable] = None,
                prepared: Optional[PreparedTarget] = None) -> RunOutcome:
    r"""``pyg-kgt retrain`` of ``config`` on the teacher saved at
    ``teacher_path`` (``prepared``: the target already linked by
    :func:`prepare_target`)."""
    import time

    from pyg_kgt.data.relation_matching import write_relation_matches
    from pyg_kgt.pipeline import METHODS
    from pyg_kgt.run_folder import RunFolder
    training = config.retraining_config()
    began = time.perf_counter()
    computed = prepared is None  # bad input fails here, before any write
    if computed:
        prepared = prepare_target(config, teacher_path)
    folder = RunFolder(config.run_dir)
    folder.write_config(config)
    if computed:
        prepared.cache.save(folder.file('teacher_cache.pt'))
    saved = {'model': folder.file('model')}
    if computed:
        saved['teacher cache'] = folder.file('teacher_cache.pt')
    if prepared.matches:
        saved['relation alignment (with support)'] = write_relation_matches(
            prepared.matches, folder.file('relation_alignment.tsv'))
    results, history = _train_student(
        'retrain', METHODS['student_full_kd'], prepared.linked, None,
        prepared.cache, config, training, folder, resume,
        {'seed': training.seed, 'teacher': os.path.abspath(teacher_path)},
        on_epoch)
    target = prepared.target
    folder.write_results('retrain', {target: results},
                         training.seed, time.perf_counter() - began)
    return RunOutcome({target: results}, saved, history, folder.path)


def _train_student(command: str, method, linked, alone, cache, config,
                   training, folder, resume: bool, info: dict,
                   on_epoch: Optional[Callable] = None
                   ) -> Tuple[dict, List[Dict[str, float]]]:
    r"""One student the way ``method`` says
    (:func:`~pyg_kgt.pipeline.train_method`), with the run folder's
    checkpoints and live tracker; writes its history and ``model/``;
    returns its test results and history."""
    from pyg_kgt.pipeline import train_method
    tracker = _tracker(training, folder, command)
    try:
        student = train_method(method, linked, alone, cache, config.student,
                               training,
                               checkpoint_dir=folder.file('checkpoints'),
                               resume=resume,
                               on_epoch=_chain(tracker, on_epoch))
    finally:
        if tracker is not None:
            tracker.close()
    folder.write_history(student.history)
    check = student.teacher_check
    if check is not None:
        print(check)
        info = dict(info, teacher_check=dict(vars(check),
                                             passed=check.passed))
    results = student.evaluate('test', progress=training.progress)
    student.trained_model(info).save(folder.file('model'))
    return results, student.history


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
    config = load_config(args)
    outcome = run_fit(config, args.resume)
    _report(outcome.results, outcome.saved, outcome.folder)
    return 0


def run_fit(config, resume: bool = False,
            on_epoch: Optional[Callable] = None) -> RunOutcome:
    r"""``pyg-kgt fit``: the single-KG baseline, the student's network
    trained on the target alone, the same path as the benchmark tables'
    ``single_kg_rgcn`` (:func:`~pyg_kgt.pipeline.train_method`)."""
    import time

    from pyg_kgt.pipeline import METHODS, target_alone
    from pyg_kgt.run_folder import RunFolder
    training = config.retraining_config()
    kg = load_data(config)
    target = _target(config, kg)
    folder = RunFolder(config.run_dir)
    folder.write_config(config)
    began = time.perf_counter()
    results, history = _train_student(
        'fit', METHODS['single_kg_rgcn'], None, target_alone(kg, target),
        None, config, training, folder, resume,
        {'kind': 'single_kg_rgcn', 'seed': training.seed}, on_epoch)
    folder.write_results('fit', {target: results}, training.seed,
                         time.perf_counter() - began)
    return RunOutcome({target: results}, {'model': folder.file('model')},
                      history, folder.path)
