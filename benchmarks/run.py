"""One command for every benchmark table (``make bench``).

    python -m benchmarks.run                          # every suite, full
    python -m benchmarks.run --suite dbp5l --targets el ja --seeds 0 1 2
    python -m benchmarks.run --quick                  # smoke run, < 10 min
    python -m benchmarks.run --dry-run                # print the plan

Suites (tables of the benchmark issue):

* ``dbp5l`` (tables 1 and 2): per target language, a teacher pre-trained
  on the other four KGs (saved as ``<teachers>/teacher_no_<target>`` and
  reused when present); our single-KG RGCN, the linked twin, the student
  with all three distillation levels and each ablation (each level
  removed, and the cold start), one after the other in one process
  (``bench_transfer.py``); the PyKEEN peers RotatE and TransE on the same
  splits, ranked by the same evaluator, in their own environment
  (``pykeen_peer.py``); joint training from scratch over
  all five KGs with the teacher's configuration (one model per seed, saved
  in ``<teachers>/joint_from_scratch`` and shared by every target, as its
  KGs are the same). Then one teacher on
  ``{en, fr, es}`` is pre-trained once and reused, unchanged, for ``el``
  and ``ja`` (methods ``student_reused_teacher`` and
  ``linked_no_kd_reused_teacher``).
* ``dbp5l_field``: the field's setting (every seed alignment trains,
  ``--alignment-split all``; records as dataset ``dbp5l_all``): per
  target a teacher on the other four (``teacher_no_<target>_all``), the
  student and its two twins, and joint training from scratch
  (``joint_from_scratch_all``); ``field.py`` sets the rows beside the
  published ones.
* ``speed`` (table 3): our convolution vs PyG's, evaluation queries/s.
* ``transfer_suite``: beyond DBP-5L, the SRPRS and DBP15K pairs
  (``transfer_suite.py``; not in ``--quick``).

Every step is a separate process (so peak memory is its own). A DBP-5L
step is skipped when its records already exist with the same
configuration, so an interrupted suite resumes where it stopped;
``--force`` re-runs. A teacher that is not saved (a fresh checkout) is
trained only when its own records or a run that needs it are missing, so
a suite whose DBP-5L results are all committed trains nothing again. The
``speed`` steps measure the machine they run on and always run. The
markdown tables and plots (``report.py``, ``field.py``,
``efficiency.py``), which the docs include, are regenerated at the end. ``--quick`` runs every table
with a tiny budget (target ``el``, one seed) and writes to ``benchmarks/.work/quick`` so the
committed results stay untouched.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import subprocess
import sys
import time
from typing import Dict, List, Optional, Sequence

from benchmarks.budget import QUICK, Budget

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
LANGUAGES = ('en', 'fr', 'es', 'ja', 'el')   # teachers' source order
TARGETS = ('el', 'ja', 'es', 'fr', 'en')
REUSE_SOURCES = ('en', 'fr', 'es')
REUSE_TARGETS = ('el', 'ja')
# The rows of the DBP-5L table, a subset of pyg_kgt.pipeline.METHODS: the
# twins, the default student and its ablations (each KD level removed, and
# the cold start instead of the teacher's warm start).
METHODS = ('single_kg_rgcn', 'linked_no_kd', 'student_full_kd',
           'student_no_feature_kd', 'student_no_network_kd',
           'student_no_prediction_kd', 'student_cold_start')
REUSE_METHODS = ('student_full_kd', 'linked_no_kd')
# The field's setting (every seed alignment trains; LSMGA, IMKGC, DMKGC):
# the student, its twins and joint training, for the published table.
FIELD_METHODS = ('single_kg_rgcn', 'linked_no_kd', 'student_full_kd')
SUITES = ('dbp5l', 'dbp5l_field', 'speed', 'transfer_suite')


@dataclasses.dataclass
class Step:
    r"""One command of the plan; ``creates`` (a folder) marks it done;
    ``loads`` is the saved teacher it needs."""
    title: str
    argv: List[str]
    creates: Optional[str] = None
    peer: bool = False
    loads: Optional[str] = None


def _script(name: str, *args) -> List[str]:
    r"""``-m benchmarks.<name>`` and its arguments (run from the root)."""
    return ['-m', f'benchmarks.{name[:-len(".py")]}',
            *[str(a) for a in args]]


def teacher_step(sources: Sequence[str], folder: str, suffix: str,
                 budget: Budget, data: str,
                 alignment_split: str = 'jmac') -> Step:
    return Step(f"teacher on {', '.join(sources)}", _script(
        'bench_teacher.py', '--data', data, '--sources', *sources,
        '--epochs', budget.teacher_epochs, '--dim', budget.teacher_dim,
        '--batch-size', budget.teacher_batch_size, '--lr', budget.teacher_lr,
        '--skip-single', '--save', folder, '--method-suffix', suffix,
        '--alignment-split', alignment_split), creates=folder)


def transfer_step(title: str, teacher: str, sources: Sequence[str],
                  target: str, seeds: Sequence[int], methods: Sequence[str],
                  budget: Budget, data: str, *extra,
                  alignment_split: str = 'jmac') -> Step:
    return Step(title, _script(
        'bench_transfer.py', '--data', data, '--teacher', teacher,
        '--alignment-split', alignment_split,
        '--teacher-sources', *sources, '--teacher-dim', budget.teacher_dim,
        '--targets', target, '--seeds', *seeds, '--methods', *methods,
        '--dim', budget.student_dim, '--epochs', budget.student_epochs,
        '--batch-size', budget.student_batch_size, '--lr', budget.student_lr,
        '--lr-schedule', budget.student_lr_schedule,
        '--joint-epochs', budget.teacher_epochs,
        '--joint-batch-size', budget.teacher_batch_size,
        '--joint-lr', budget.teacher_lr, *extra),
        # Joint training from scratch takes only the teacher's config.
        loads=teacher if methods else None)


def dbp5l_plan(targets: Sequence[str], seeds: Sequence[int],
               joint_seeds: Sequence[int], budget: Budget, data: str,
               teachers: str, peers: Sequence[str],
               methods: Sequence[str] = METHODS,
               reuse_methods: Sequence[str] = REUSE_METHODS,
               alignment_split: str = 'jmac') -> List[Step]:
    r"""Tables 1 and 2: every target, then the reused teacher; with
    ``alignment_split="all"`` the field's setting (every seed pair trains),
    whose teachers and joint models are saved apart (suffix ``_all``)."""
    steps = []
    tag = '' if alignment_split == 'jmac' else f'_{alignment_split}'
    split = {'alignment_split': alignment_split}
    for target in targets:
        sources = [name for name in LANGUAGES if name != target]
        folder = os.path.join(teachers, f'teacher_no_{target}{tag}')
        steps.append(teacher_step(sources, folder, f'_no_{target}{tag}',
                                  budget, data, alignment_split))
        if methods:
            steps.append(transfer_step(
                f'{target}: single KG, linked twin, student and ablations',
                folder, sources, target, seeds, methods, budget, data,
                **split))
        if peers:
            steps.append(Step(f"{target}: PyKEEN {', '.join(peers)}",
                              _script(
                'pykeen_peer.py', '--data', data, '--targets', target,
                '--models', *peers, '--seeds', *seeds,
                '--dim', budget.peer_dim, '--epochs', budget.peer_epochs,
                '--batch-size', budget.peer_batch_size), peer=True))
        if joint_seeds:
            steps.append(transfer_step(
                f'{target}: joint training from scratch', folder, sources,
                target, joint_seeds, [], budget, data, '--joint-from-scratch',
                '--joint-dir', os.path.join(teachers,
                                            f'joint_from_scratch{tag}'),
                **split))
    reuse = [t for t in targets if t in REUSE_TARGETS]
    if reuse and reuse_methods:
        folder = os.path.join(teachers, 'teacher_' + '_'.join(REUSE_SOURCES))
        steps.append(teacher_step(REUSE_SOURCES, folder, '_' + '_'.join(
            REUSE_SOURCES), budget, data))
        for target in reuse:
            steps.append(transfer_step(
                f'{target}: student of the reused teacher', folder,
                REUSE_SOURCES, target, seeds, reuse_methods, budget, data,
                '--reused'))
    return steps


def speed_plan(budget: Budget, data: str) -> List[Step]:
    r"""Table 3."""
    quick = ['--quick'] if budget.quick else []
    return [Step('convolution: ours vs PyG', _script('bench_conv.py',
                                                     *quick)),
            Step('evaluation speed', _script(
                'bench_eval_speed.py', '--data', data,
                *(['--repeats', 1] if budget.quick else [])))]


def plan(args) -> List[Step]:
    budget = QUICK if args.quick else Budget()
    suites = SUITES if args.suite == 'all' else (args.suite,)
    steps: List[Step] = []
    if 'dbp5l' in suites:
        steps += dbp5l_plan(args.targets, args.seeds, args.joint_seeds,
                            budget, args.data, args.teachers, args.peers,
                            args.methods, args.reuse_methods)
    if 'dbp5l_field' in suites:
        steps += dbp5l_plan(args.targets, args.seeds, args.joint_seeds,
                            budget, args.data, args.teachers, peers=(),
                            methods=FIELD_METHODS, reuse_methods=(),
                            alignment_split='all')
    if 'speed' in suites:
        steps += speed_plan(budget, args.data)
    if 'transfer_suite' in suites and not budget.quick:
        steps.append(Step('beyond DBP-5L', _script(
            'transfer_suite.py', '--data', args.data, '--seeds',
            *args.seeds, '--joint')))
    for step in steps:
        if not args.force and step.argv[1] in (
                'benchmarks.bench_transfer', 'benchmarks.pykeen_peer'):
            step.argv.append('--skip-existing')
    return steps


def _python(step: Step, dry_run: bool) -> str:
    if step.peer and not dry_run:
        from benchmarks.pykeen_peer import peer_python
        return peer_python()
    return sys.executable


def pending(step: Step, env: Dict[str, str]) -> bool:
    r"""Whether ``step`` has a run not recorded yet (``--pending``)."""
    return subprocess.run([_python(step, False), *step.argv, '--pending'],
                          env=env, cwd=ROOT, stdout=subprocess.DEVNULL
                          ).returncode != 0


def needed(step: Step, steps: Sequence[Step], env: Dict[str, str]) -> bool:
    r"""Whether a teacher step (``creates`` a folder that is not saved)
    must train: its own records are missing, or a step that loads it
    (``loads``) has a run left. A suite resumed on a fresh checkout, with
    every result recorded, trains no teacher again."""
    users = [s for s in steps if s.loads == step.creates]
    return any(pending(s, env) for s in (step, *users))


def run(steps: Sequence[Step], env: Dict[str, str], dry_run: bool,
        force: bool) -> None:
    began = time.perf_counter()
    for number, step in enumerate(steps, 1):
        argv = [_python(step, dry_run), *step.argv]
        header = (f'[{number}/{len(steps)} '
                  f'{time.perf_counter() - began:6.0f} s] {step.title}')
        skip = ''
        if step.creates and not force:
            if os.path.isfile(os.path.join(ROOT, step.creates,
                                           'weights.pt')):
                skip = ' (saved, reused)'
            elif not dry_run and not needed(step, steps, env):
                skip = ' (recorded, not needed)'
        print(header + skip, flush=True)
        if dry_run:
            print('    ' + shlex.join(argv), flush=True)
            continue
        if skip:
            continue
        if subprocess.run(argv, env=env, cwd=ROOT).returncode:
            raise SystemExit(f'step failed: {shlex.join(argv)}')


def main(argv: Optional[Sequence[str]] = None) -> None:
    from benchmarks.pykeen_peer import MODELS as PEERS
    from benchmarks.results import default_data
    parser = argparse.ArgumentParser(
        description='Runs the benchmark suites and renders their tables.')
    parser.add_argument('--suite', choices=('all', *SUITES), default='all')
    parser.add_argument('--data', default=default_data())
    parser.add_argument('--targets', nargs='+', choices=LANGUAGES)
    parser.add_argument('--seeds', nargs='+', type=int)
    parser.add_argument('--joint-seeds', nargs='*', type=int,
                        help='seeds of joint training from scratch '
                             '(default: --seeds; about 30 min each, one '
                             'model per seed serves every target)')
    parser.add_argument('--methods', nargs='*', choices=METHODS,
                        default=list(METHODS), help='our methods per target')
    parser.add_argument('--reuse-methods', nargs='*', choices=REUSE_METHODS,
                        default=list(REUSE_METHODS),
                        help='methods served by the reused teacher')
    parser.add_argument('--peers', nargs='*', default=list(PEERS),
                        choices=list(PEERS))
    parser.add_argument('--teachers', help='folder of the saved teachers '
                        '(default: runs, or benchmarks/.work/quick)')
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--force', action='store_true')
    parser.add_argument('--dry-run', action='store_true')
    args = parser.parse_args(argv)
    # Relative to the repository root (every step runs there), so the
    # teacher paths recorded in the results do not depend on the checkout.
    quick_dir = os.path.join('benchmarks', '.work', 'quick')
    args.targets = args.targets or (['el'] if args.quick else
                                    list(TARGETS))
    args.seeds = args.seeds or ([0] if args.quick else [0, 1, 2])
    if args.joint_seeds is None:
        args.joint_seeds = list(args.seeds)
    args.teachers = args.teachers or (quick_dir if args.quick else 'runs')
    env = dict(os.environ)
    if args.quick:
        env['PYG_KGT_RESULTS'] = os.path.join(ROOT, quick_dir, 'results')
        os.makedirs(env['PYG_KGT_RESULTS'], exist_ok=True)
    run(plan(args), env, args.dry_run, args.force)
    if args.dry_run or args.suite not in ('all', 'dbp5l', 'dbp5l_field'):
        return
    for render in (['report.py', 'teacher'],
                   ['report.py', 'dbp5l_transfer', '--dataset', 'dbp5l'],
                   ['report.py', 'dbp5l_transfer', '--dataset', 'dbp5l_all',
                    '--out', 'dbp5l_transfer_all'],
                   ['field.py'],
                   ['efficiency.py']):
        argv = [sys.executable, *_script(*render)]
        if subprocess.run(argv, env=env, cwd=ROOT).returncode:
            raise SystemExit(f'rendering failed: {shlex.join(argv)}')


if __name__ == '__main__':
    main()
