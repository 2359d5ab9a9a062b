"""Command line interface: ``pyg-kgt`` / ``python -m pyg_kgt``.

Thin by design: each subcommand parses its arguments and calls the library.
Bad input ends with one line on stderr and exit code 2; a NaN loss with 1;
a failed distributed run (a rank died or timed out) with 3; Ctrl-C with
130.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import List, Optional

from pyg_kgt.errors import ConfigError, DataFormatError
from pyg_kgt.training.distributed import DistributedError
from pyg_kgt.training.fit import NonFiniteLossError


def _stats(args: argparse.Namespace) -> int:
    from pyg_kgt.data.readers import read_multi_source
    kwargs = {}
    if args.alignment_split is not None:
        kwargs['alignment_split'] = args.alignment_split
    kg = read_multi_source(args.path, args.format, **kwargs)
    print(json.dumps(kg.statistics(), indent=None if args.compact else 2))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from pyg_kgt.demo import run_demo
    run_demo(seed=args.seed, quiet=args.quiet)
    return 0


def _load_config(args: argparse.Namespace):
    from pyg_kgt.run_config import RunConfig
    config = (RunConfig.from_yaml(args.config) if args.config else
              RunConfig())
    config = config.override(args.set or [])
    if getattr(args, 'run_dir', None):
        config = config.override([f'run_dir={args.run_dir}'])
    config.training.progress = not args.quiet
    return config


def _load_data(config):
    from pyg_kgt.data import make_synthetic_multi_source_kg, read_multi_source
    data = config.data
    if data.path == 'embedded':
        return make_synthetic_multi_source_kg(seed=data.seed)
    kwargs = {}
    if data.alignment_split:
        kwargs['alignment_split'] = data.alignment_split
    return read_multi_source(data.path, data.format, **kwargs)


def _sources(config, kg) -> list:
    sources = config.data.sources or [n for n in kg.names
                                      if n != config.data.target]
    unknown = sorted(set(sources) - set(kg.names))
    if unknown:
        raise ConfigError(f'data.sources: unknown KG(s) {unknown}; '
                          f'available: {kg.names}')
    return sources


def _pretrain(args: argparse.Namespace) -> int:
    import time

    from pyg_kgt.models import JointTeacher
    from pyg_kgt.run_folder import RunFolder
    from pyg_kgt.training.distributed import DistributedContext
    config = _load_config(args)
    kg = _load_data(config)
    sources = _sources(config, kg)
    # Under torchrun every rank trains; rank 0 alone writes the run folder.
    context = DistributedContext.from_environment(
        config.training.distributed_timeout_s)
    folder = RunFolder(config.run_dir) if context.is_main else None
    if folder is not None:
        folder.write_config(config)
    began = time.perf_counter()
    teacher = JointTeacher(config.teacher)
    history = teacher.fit(kg.subset(sources), config.training,
                          checkpoint_dir=os.path.join(config.run_dir,
                                                      'checkpoints'),
                          resume=args.resume)
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
    for name, result in results.items():
        print(f"{name}: " + ', '.join(
            f"{p} MRR {r['metrics']['mrr']:.4f}" for p, r in result.items()))
    print(f'teacher saved in {folder.file("teacher")}')
    return 0


def _retrain(args: argparse.Namespace) -> int:
    import time

    from pyg_kgt.models import JointTeacher, LocalStudent
    from pyg_kgt.run_folder import RunFolder
    from pyg_kgt.transforms import LinkSubgraph
    config = _load_config(args)
    if not config.data.target:
        raise ConfigError('data.target: retrain needs a target KG')
    kg = _load_data(config)
    target = _target(config, kg)
    teacher = JointTeacher.load(args.teacher)
    missing = sorted(set(teacher.names) - set(kg.names))
    if missing:
        raise ConfigError(f'the teacher was trained on KG(s) {missing} '
                          f'that the data lacks')
    folder = RunFolder(config.run_dir)
    folder.write_config(config)
    began = time.perf_counter()
    linked = LinkSubgraph(
        target, teacher.names, config.num_hops, config.max_neighbors,
        seed=config.training.seed, teacher_node_index={
            s: teacher.node_index(s) for s in teacher.names})(
        kg.subset([target, *teacher.names]).to_hetero_data())
    cache = teacher.cache_for(linked, folder.file('teacher_cache.pt'),
                              config.student.top_k)
    student = LocalStudent(config.student)
    history = student.fit(linked, cache, config.training,
                          checkpoint_dir=folder.file('checkpoints'),
                          resume=args.resume)
    folder.write_history(history)
    results = student.evaluate('test',
                               progress=config.training.progress)
    subset = kg.subset([target, *teacher.names])
    student.trained_model(kg[target], subset.relation_offset[target], {
        'seed': config.training.seed, 'teacher': args.teacher}).save(
        folder.file('model'))
    folder.write_results('retrain', {target: results},
                         config.training.seed, time.perf_counter() - began)
    print(f'{target}: ' + ', '.join(
        f"{p} MRR {r['metrics']['mrr']:.4f}" for p, r in results.items()))
    return 0


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


def _fit(args: argparse.Namespace) -> int:
    import time

    import torch

    from pyg_kgt.models import TrainedModel
    from pyg_kgt.run_folder import RunFolder
    from pyg_kgt.training import train_single_kg
    config = _load_config(args)
    kg = _load_data(config)
    target = _target(config, kg)
    folder = RunFolder(config.run_dir)
    folder.write_config(config)
    began = time.perf_counter()
    model_config = config.student.model
    result = train_single_kg(kg[target], model_config, config.training,
                             checkpoint_dir=folder.file('checkpoints'),
                             resume=args.resume)
    folder.write_history(result['history'])
    model = result['model']
    with torch.no_grad():
        embeddings = model(result['adjacency'])
    TrainedModel.from_embeddings(
        kg[target], embeddings, model_config, model.decoder,
        info={'kind': 'single_kg_rgcn', 'seed': config.training.seed}
    ).save(folder.file('model'))
    folder.write_results('fit', {target: result['test']},
                         config.training.seed, time.perf_counter() - began)
    print(f'{target}: ' + ', '.join(
        f"{p} MRR {r['metrics']['mrr']:.4f}"
        for p, r in result['test'].items()))
    print(f'model saved in {folder.file("model")}')
    return 0


def _load_model(path: str, kg_name: Optional[str]):
    r"""A :class:`TrainedModel` from a model folder, a run folder holding
    ``model/``, or a saved teacher (with ``--kg``)."""
    from pyg_kgt.models import JointTeacher, TrainedModel
    for folder in (path, os.path.join(path, 'model')):
        if os.path.isfile(os.path.join(folder, 'model.json')):
            model = TrainedModel.load(folder)
            if kg_name is not None and kg_name != model.kg_name:
                raise ConfigError(f"--kg: the model at {folder} is of KG "
                                  f"'{model.kg_name}', not '{kg_name}'")
            return model
    for folder in (path, os.path.join(path, 'teacher')):
        if os.path.isfile(os.path.join(folder, 'config.json')):
            teacher = JointTeacher.load(folder)
            if kg_name is None:
                raise ConfigError(f'--kg: {folder} is a teacher of '
                                  f'{teacher.names}; name one')
            return teacher.trained_model(kg_name)
    raise ConfigError(f'{path}: not a saved model (no model.json) or '
                      f'teacher (no config.json)')


def _evaluate(args: argparse.Namespace) -> int:
    from pyg_kgt.io import atomic_write_json
    model = _load_model(args.model, args.kg)
    config = _load_config(args)
    kg = _load_data(config)
    if model.kg_name not in kg.names:
        raise ConfigError(f"the data has no KG '{model.kg_name}'; "
                          f'available: {kg.names}')
    results = model.evaluate(kg[model.kg_name], args.split, args.protocol,
                             progress=not args.quiet)
    report = {'kg': model.kg_name, 'split': args.split, 'results': results}
    if args.output:
        atomic_write_json(report, args.output)
    print(json.dumps({p: r['metrics'] for p, r in results.items()},
                     indent=2))
    return 0


def _export(args: argparse.Namespace) -> int:
    model = _load_model(args.model, args.kg)
    formats = [f.strip() for f in args.format.split(',') if f.strip()]
    for path in model.export(args.out, formats):
        print(path)
    return 0


def _predict(args: argparse.Namespace) -> int:
    model = _load_model(args.model, args.kg)
    tails = model.predict_tails(args.head, args.relation, args.k)
    if args.json:
        print(json.dumps([{'rank': i + 1, 'entity': name, 'score': score}
                          for i, (name, score) in enumerate(tails)],
                         ensure_ascii=False))
    else:
        for i, (name, score) in enumerate(tails):
            print(f'{i + 1}\t{name}\t{score:.6g}')
    return 0


def _add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--config', help='YAML run configuration')
    parser.add_argument('--set', action='append', metavar='KEY=VALUE',
                        help='override a config key (repeatable), e.g. '
                        'training.epochs=10')
    parser.add_argument('--quiet', action='store_true',
                        help='no progress bars')


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    _add_config_options(parser)
    parser.add_argument('--run-dir', help='the run folder')
    parser.add_argument('--resume', action='store_true',
                        help='continue from the run folder\'s checkpoint')


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--model', required=True, help='a saved model '
                        '(model/ of a fit or retrain run), a run folder, '
                        'or a saved teacher')
    parser.add_argument('--kg', help="the KG, for a teacher's folder")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='pyg-kgt', description='Transferable representation learning '
        'on multi-source knowledge graphs.')
    sub = parser.add_subparsers(dest='command', required=True)

    stats = sub.add_parser('stats', help='print dataset statistics as JSON')
    stats.add_argument('path', help='dataset folder')
    stats.add_argument('--format', default='auto',
                       choices=['auto', 'dbp5l', 'openea', 'dbp15k', 'srprs',
                                'tsv'])
    stats.add_argument('--alignment-split', choices=['kens', 'jmac'],
                       help='DBP-5L only: which seed alignment split')
    stats.add_argument('--compact', action='store_true',
                       help='one-line JSON')
    stats.set_defaults(func=_stats)

    pretrain = sub.add_parser('pretrain', help='pre-train a JointTeacher')
    _add_run_options(pretrain)
    pretrain.set_defaults(func=_pretrain)

    retrain = sub.add_parser('retrain', help='re-train a LocalStudent '
                             'from a saved teacher')
    _add_run_options(retrain)
    retrain.add_argument('--teacher', required=True,
                         help='folder of a saved teacher')
    retrain.set_defaults(func=_retrain)

    fit = sub.add_parser('fit', help='train the single-KG baseline (the '
                         "student's network on data.target alone)")
    _add_run_options(fit)
    fit.set_defaults(func=_fit)

    evaluate = sub.add_parser('evaluate', help='evaluate a saved model on '
                              'its KG (filtered and lifted protocols)')
    _add_model_options(evaluate)
    _add_config_options(evaluate)
    evaluate.add_argument('--split', default='test',
                          choices=['train', 'val', 'test'])
    evaluate.add_argument('--protocol', nargs='+',
                          default=['filtered', 'lifted'],
                          choices=['filtered', 'lifted'])
    evaluate.add_argument('--output', help='also write the full results '
                          'as JSON here')
    evaluate.set_defaults(func=_evaluate)

    export = sub.add_parser('export', help='write entity and relation '
                            'embeddings (.npy, .pt, TSV)')
    _add_model_options(export)
    export.add_argument('--out', required=True, help='output folder')
    export.add_argument('--format', default='npy,pt,tsv',
                        help='comma-separated: npy, pt, tsv')
    export.set_defaults(func=_export)

    predict = sub.add_parser('predict', help='top-k tails of (head, '
                             'relation, ?) by name, with scores')
    _add_model_options(predict)
    predict.add_argument('--head', required=True, help='entity name')
    predict.add_argument('--relation', required=True, help='relation name')
    predict.add_argument('-k', type=int, default=10)
    predict.add_argument('--json', action='store_true')
    predict.set_defaults(func=_predict)

    demo = sub.add_parser('demo', help='run the main job on the embedded '
                          'default dataset')
    demo.add_argument('--seed', type=int, default=0)
    demo.add_argument('--quiet', action='store_true')
    demo.set_defaults(func=_demo)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (DataFormatError, ConfigError) as e:
        print(f'pyg-kgt: error: {e}', file=sys.stderr)
        return 2
    except DistributedError as e:
        print(f'pyg-kgt: distributed training failed: {e}', file=sys.stderr)
        return 3
    except NonFiniteLossError as e:
        print(f'pyg-kgt: training stopped: {e}', file=sys.stderr)
        return 1
    except KeyboardInterrupt as e:
        detail = f': {e}' if str(e) else ''
        print(f'pyg-kgt: interrupted{detail}', file=sys.stderr)
        return 130


if __name__ == '__main__':  # pragma: no cover
    sys.exit(main())
