"""Command line interface: ``pyg-kgt`` / ``python -m pyg_kgt``.

Thin by design: each subcommand parses its arguments and calls the library.
Bad input ends with one line on stderr and exit code 2.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional

from pyg_kgt.errors import ConfigError, DataFormatError
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
    if args.run_dir:
        config = config.override([f'run_dir={args.run_dir}'])
    if args.quiet:
        config.training.progress = False
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
    config = _load_config(args)
    kg = _load_data(config)
    sources = _sources(config, kg)
    folder = RunFolder(config.run_dir)
    folder.write_config(config)
    began = time.perf_counter()
    teacher = JointTeacher(config.teacher)
    history = teacher.fit(kg.subset(sources), config.training,
                          checkpoint_dir=folder.file('checkpoints'),
                          resume=args.resume)
    folder.write_history(history)
    teacher.save(folder.file('teacher'))
    results = teacher.evaluate(kg.subset(sources))
    folder.write_results('pretrain', results, config.training.seed,
                         time.perf_counter() - began)
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
    if config.data.target not in kg.names:
        raise ConfigError(f"data.target: unknown KG '{config.data.target}'"
                          f'; available: {kg.names}')
    teacher = JointTeacher.load(args.teacher)
    missing = sorted(set(teacher.names) - set(kg.names))
    if missing:
        raise ConfigError(f'the teacher was trained on KG(s) {missing} '
                          f'that the data lacks')
    folder = RunFolder(config.run_dir)
    folder.write_config(config)
    began = time.perf_counter()
    target = config.data.target
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
    results = student.evaluate('test')
    folder.write_results('retrain', {target: results},
                         config.training.seed, time.perf_counter() - began)
    print(f'{target}: ' + ', '.join(
        f"{p} MRR {r['metrics']['mrr']:.4f}" for p, r in results.items()))
    return 0


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--config', help='YAML run configuration')
    parser.add_argument('--set', action='append', metavar='KEY=VALUE',
                        help='override a config key (repeatable), e.g. '
                        'training.epochs=10')
    parser.add_argument('--run-dir', help='the run folder')
    parser.add_argument('--resume', action='store_true',
                        help='continue from the run folder\'s checkpoint')
    parser.add_argument('--quiet', action='store_true',
                        help='no progress bars')


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
    except NonFiniteLossError as e:
        print(f'pyg-kgt: training stopped: {e}', file=sys.stderr)
        return 1
    except KeyboardInterrupt as e:
        detail = f': {e}' if str(e) else ''
        print(f'pyg-kgt: interrupted{detail}', file=sys.stderr)
        return 130


if __name__ == '__main__':  # pragma: no cover
    sys.exit(main())
