r"""The ``pyg-kgt`` commands that use a saved model: ``evaluate``,
``export`` and ``predict`` (parsers in :mod:`pyg_kgt.cli`)."""
from __future__ import annotations

import argparse
import json
from typing import Dict, List, Optional

from pyg_kgt.errors import ConfigError, DataFormatError


def load_model(path: str, kg_name: Optional[str], device: str = 'auto'):
    r"""A :class:`TrainedModel` from a model folder, a run folder holding
    ``model/``, or a saved teacher or pretrain run (with ``--kg``), on
    ``device`` (``--device``; a model saved on a GPU loads anywhere)."""
    from pyg_kgt.environment import resolve_device
    from pyg_kgt.models import JointTeacher, TrainedModel
    from pyg_kgt.run_folder import find_saved
    target = resolve_device(device)
    folder, kind = find_saved(path, 'model', 'teacher')
    if kind == 'model':
        model = TrainedModel.load(folder)
        if kg_name is not None and kg_name != model.kg_name:
            raise ConfigError(f"--kg: the model at {folder} is of KG "
                              f"'{model.kg_name}', not '{kg_name}'")
        return model.to(target)
    teacher = JointTeacher.load(folder)
    if kg_name is None:
        raise ConfigError(f'--kg: {folder} is a teacher of '
                          f'{teacher.names}; name one')
    return teacher.trained_model(kg_name).to(target)


def run_data(args: argparse.Namespace, model):
    r"""The data (a :class:`~pyg_kgt.data.MultiSourceKG`) a saved model was
    trained on: from ``--config``, else the ``config.yaml`` of the run
    folder the model was saved in."""
    from pyg_kgt.run_folder import run_config_of
    found = None if args.config else run_config_of(args.model)
    if not args.config and found is None:
        raise ConfigError(f'--config: no config.yaml in the run folder of '
                          f'{args.model}; give the config of the data the '
                          f'model was trained on')
    from pyg_kgt.cli_training import load_config, load_data
    config = load_config(args, found)
    kg = load_data(config)
    if model.kg_name not in kg.names:
        raise ConfigError(f"the data has no KG '{model.kg_name}'; "
                          f'available: {kg.names}')
    return kg


def model_data(args: argparse.Namespace, model):
    r"""The KG a saved model was trained on (see :func:`run_data`)."""
    return run_data(args, model)[model.kg_name]


def evaluate(args: argparse.Namespace) -> int:
    from pyg_kgt.evaluation import DEFAULT_PROTOCOLS, PROTOCOLS
    from pyg_kgt.io import atomic_write_json
    protocols = args.protocol or DEFAULT_PROTOCOLS
    unknown = [p for p in protocols if p not in PROTOCOLS]
    if unknown:
        raise ConfigError(f'--protocol: unknown {unknown} (use one of '
                          f'{list(PROTOCOLS)})')
    model = load_model(args.model, args.kg, args.device or 'auto')
    kg = model_data(args, model)
    results = model.evaluate(kg, args.split, protocols,
                             progress=not args.quiet)
    report = {'kg': model.kg_name, 'split': args.split, 'results': results}
    if args.output:
        atomic_write_json(report, args.output)
    print(json.dumps({p: r['metrics'] for p, r in results.items()},
                     indent=2))
    return 0


def export(args: argparse.Namespace) -> int:
    model = load_model(args.model, args.kg, args.device or 'auto')
    formats = [f.strip() for f in args.format.split(',') if f.strip()]
    for path in model.export(args.out, formats):
        print(path)
    return 0


def queries(args: argparse.Namespace) -> List[Dict[str, str]]:
    r"""Queries from ``--head``/``--tail`` and ``--relation``, or a TSV file
    of ``head \t relation [\t ?]`` (tails) and ``? \t relation \t tail``
    (heads) rows."""
    if args.queries:
        from pyg_kgt.data.readers.lines import read_rows
        queries = []
        for line, fields in read_rows(args.queries, (2, 3)):
            head, relation = fields[0], fields[1]
            tail = fields[2] if len(fields) == 3 else '?'
            if (head == '?') == (tail == '?'):
                raise DataFormatError(args.queries, 'a query has exactly one '
                                      "'?' (head or tail)", line)
            queries.append({'head': head, 'relation': relation,
                            'tail': tail})
        return queries
    if args.relation is None or (args.head is None) == (args.tail is None):
        raise ConfigError('predict: give --relation and one of --head '
                          '(tails are predicted) or --tail (heads), or '
                          '--queries FILE')
    return [{'head': args.head or '?', 'relation': args.relation,
             'tail': args.tail or '?'}]


def predict(args: argparse.Namespace) -> int:
    model = load_model(args.model, args.kg, args.device or 'auto')
    known = model_data(args, model) if args.filter_known else None
    answers = []
    for query in queries(args):
        side = 'tail' if query['tail'] == '?' else 'head'
        given = query['head'] if side == 'tail' else query['tail']
        answers.append({'query': query, 'predict': side, 'answers': [
            {'rank': i + 1, 'entity': name, 'score': score}
            for i, (name, score) in enumerate(model.predict(
                given, query['relation'], side, args.k, known))]})
    if args.json:
        print(json.dumps(answers, ensure_ascii=False))
        return 0
    print('head\trelation\ttail\trank\tentity\tscore')
    for item in answers:
        q = item['query']
        for a in item['answers']:
            print(f"{q['head']}\t{q['relation']}\t{q['tail']}\t{a['rank']}"
                  f"\t{a['entity']}\t{a['score']:.6g}")
    return 0


def show(args: argparse.Namespace) -> int:
    r"""Draws the linked neighbourhood of ``--entity`` (PNG) and writes it as
    GraphML: its facts, the source entities aligned to it and theirs, and
    the model's top ``-k`` answers of ``--relation``."""
    import os
    import re

    from pyg_kgt.inspection import (ROLES, draw_neighbourhood,
                                    linked_neighbourhood, write_graphml)
    model = load_model(args.model, args.kg, args.device or 'auto')
    kg = run_data(args, model)
    predictions = (model.predict(args.entity, args.relation, 'tail', args.k,
                                 kg[model.kg_name] if args.filter_known
                                 else None)
                   if args.relation else [])
    graph = linked_neighbourhood(kg, model.kg_name, args.entity,
                                 args.relation, args.hops, predictions,
                                 args.max_nodes)
    stem = re.sub(r'[^A-Za-z0-9._-]+', '_', args.entity.rstrip('/').rsplit(
        '/', 1)[-1])[:80] or 'entity'
    out = args.out or 'show'
    png = draw_neighbourhood(graph, os.path.join(out, f'{stem}.png'),
                             f'{model.kg_name}: {args.entity}' + (
                                 f' — {args.relation}' if args.relation
                                 else ''))
    graphml = write_graphml(graph, os.path.join(out, f'{stem}.graphml'))
    roles = [d['role'] for _, d in graph.nodes(data=True)]
    print(', '.join(f'{roles.count(r)} {r}' for r in ROLES if r in roles) +
          f' ({graph.number_of_edges()} edges; cap {args.max_nodes} nodes)')
    for rank, (name, score) in enumerate(predictions, 1):
        print(f'{rank}\t{name}\t{score:.6g}')
    print(png)
    print(graphml)
    return 0
