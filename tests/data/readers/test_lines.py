import pytest

from pyg_kgt.data.readers.lines import read_id_rows, read_names, read_rows
from pyg_kgt.errors import DataFormatError


def test_read_rows_crlf_lf_mix_and_blank_lines(write):
    root = write({'a.tsv': '1\t2\r\n\n3\t4\n'})
    rows = list(read_rows(root / 'a.tsv', 2))
    assert rows == [(1, ['1', '2']), (3, ['3', '4'])]


@pytest.mark.parametrize('text, problem, line', [
    ('1\t2\t3\n1\t2\n', 'expected 3 tab-separated columns, found 2', 2),
    ('1\tx\t3\n', "relation id 'x' is not an integer id", 1),
    ('1\t2\t3\n-1\t2\t3\n', 'head id -1 is out of range', 2),
    ('1\t2\t30\n', 'tail id 30 is out of range [0, 10)', 1),
    ('', 'file is empty (no rows)', None),
])
def test_read_id_rows_errors(write, text, problem, line):
    root = write({'t.tsv': text})
    with pytest.raises(DataFormatError) as info:
        read_id_rows(root / 't.tsv', 3, (10, 5, 10),
                     ('head id', 'relation id', 'tail id'))
    assert info.value.problem.startswith(problem) or problem in str(
        info.value)
    assert info.value.line == line
    assert str(root / 't.tsv') in str(info.value)
    assert '\n' not in str(info.value)


def test_read_id_rows_floats(write):
    root = write({'l.tsv': '3.0\t4.0\n'})
    pairs = read_id_rows(root / 'l.tsv', 2, (5, 5), ('a', 'b'),
                         allow_float=True)
    assert pairs.tolist() == [[3, 4]]
    root = write({'m.tsv': '3.5\t4.0\n'})
    with pytest.raises(DataFormatError, match="'3.5' is not an integer"):
        read_id_rows(root / 'm.tsv', 2, (5, 5), ('a', 'b'), allow_float=True)


def test_missing_file_and_bad_encoding(write, tmp_path):
    with pytest.raises(DataFormatError, match='missing file'):
        list(read_rows(tmp_path / 'nope.tsv', 3))
    (tmp_path / 'bad.tsv').write_bytes(b'a\tb\tc\n\xff\xfe\tb\tc\n')
    with pytest.raises(DataFormatError, match='not valid UTF-8') as info:
        list(read_rows(tmp_path / 'bad.tsv', 3))
    assert info.value.line == 2


def test_read_names(write):
    root = write({'n.txt': 'a\r\nb\r\n'})
    assert read_names(root / 'n.txt') == ['a', 'b']
    root = write({'d.txt': 'a\nb\na\n'})
    with pytest.raises(DataFormatError, match="duplicate name 'a'"):
        read_names(root / 'd.txt')
    assert read_names(root / 'd.txt', unique=False) == ['a', 'b', 'a']
    root = write({'e.txt': 'a\n\nb\n'})
    with pytest.raises(DataFormatError, match='blank name') as info:
        read_names(root / 'e.txt')
    assert info.value.line == 2
