import json
import subprocess
import sys

import pytest

from pyg_kgt.cli import main


def test_stats_on_tsv_folder(write, capsys):
    root = write({'train.tsv': 'a\tp\tb\n', 'test.tsv': 'a\tp\tc\n'})
    assert main(['stats', str(root), '--format', 'tsv', '--compact']) == 0
    stats = json.loads(capsys.readouterr().out)
    kg = stats['kgs'][root.name]
    assert kg['train_triples'] == 1 and kg['test_triples'] == 1
    assert kg['unseen_entity_triples']['test'] == 1


def test_stats_bad_input_exits_nonzero_with_one_line(write, capsys):
    root = write({'train.tsv': 'a\tp\tb\nbroken line\n'})
    assert main(['stats', str(root)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count('\n') == 0
    assert 'train.tsv:2: expected 3 tab-separated columns' in err


def test_python_dash_m_entry_point(write):
    root = write({'train.tsv': 'a\tp\tb\n'})
    out = subprocess.run([sys.executable, '-m', 'pyg_kgt', 'stats',
                          str(root), '--compact'], capture_output=True,
                         text=True, check=True)
    assert json.loads(out.stdout)['kgs'][root.name]['entities'] == 2


@pytest.mark.dataset
def test_stats_real_dbp5l_matches_source_md(shared_data, capsys):
    assert main(['stats', f'{shared_data}/dbp5l', '--format', 'dbp5l',
                 '--compact']) == 0
    el = json.loads(capsys.readouterr().out)['kgs']['el']
    assert (el['entities'], el['train_triples'], el['val_triples'],
            el['test_triples']) == (5231, 8670, 4152, 1017)
