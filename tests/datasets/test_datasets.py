import shutil

import pytest
import torch

from pyg_kgt.datasets import DBP5L, SRPRS


@pytest.mark.dataset
def test_dbp5l_dataset_process_and_reload(shared_data, tmp_path):
    shutil.copytree(f'{shared_data}/dbp5l', tmp_path / 'raw')
    ds = DBP5L(str(tmp_path), alignment_split='jmac')
    data = ds[0]
    assert data['el'].num_nodes == 5231
    assert data['el', 'fact', 'el'].edge_index.size(1) == 8670
    assert data['el', 'same_as', 'en'].test_edge_index.size(1) == 1140
    vocab = (tmp_path / 'processed_jmac' / 'el' /
             'entity_to_id.tsv').read_text(encoding='utf-8').splitlines()
    assert vocab[0] == 'id\tname' and len(vocab) == 5232
    again = DBP5L(str(tmp_path), alignment_split='jmac')[0]
    assert torch.equal(again['ja', 'fact', 'ja'].edge_type,
                       data['ja', 'fact', 'ja'].edge_type)


@pytest.mark.dataset
def test_srprs_dataset(shared_data, tmp_path):
    shutil.copytree(f'{shared_data}/srprs_15k/en_fr_15k_V1',
                    tmp_path / 'en_fr_15k_V1' / 'raw')
    data = SRPRS(str(tmp_path), 'en_fr_15k_V1')[0]
    assert data['en', 'same_as', 'fr'].edge_index.size(1) == 4500
    assert data['fr', 'fact', 'fr'].edge_index.size(1) == 33532


def test_unknown_names_are_errors(tmp_path):
    with pytest.raises(ValueError, match='unknown SRPRS dataset'):
        SRPRS(str(tmp_path), 'nope')
