import pytest

pytest.importorskip('matplotlib')

from pyg_kgt.plots import plot_training_curves  # noqa: E402
from benchmarks.plots import plot_method_comparison  # noqa: E402


def test_plots_write_png(tmp_path):
    history = [{'epoch': 1, 'loss': 2.0}, {'epoch': 2, 'loss': 1.5,
                                           'val_mrr': 0.2}]
    path = plot_training_curves(history, str(tmp_path / 'curve.png'))
    assert open(path, 'rb').read(8) == b'\x89PNG\r\n\x1a\n'
    rows = [{'target': 'el', 'method': 'a', 'mean': 0.3, 'std': 0.01},
            {'target': 'el', 'method': 'b', 'mean': 0.4, 'std': 0.02}]
    path = plot_method_comparison(rows, str(tmp_path / 'bars.png'))
    assert open(path, 'rb').read(4) == b'\x89PNG'
