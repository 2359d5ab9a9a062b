from pyg_kgt.cli import main


def test_a_profiled_student_epoch_says_where_its_time_goes(tmp_path):
    small = ['--set', 'training.epochs=1', '--set',
             'teacher.model.hidden_channels=8', '--set',
             'student.model.hidden_channels=8', '--set',
             'data.target=target', '--quiet']
    teacher = tmp_path / 'teacher'
    assert main(['pretrain', '--run-dir', str(teacher), *small]) == 0
    student = tmp_path / 'student'
    # A 1-epoch teacher ranks the target at chance: keep it unchecked, so
    # the student distils and every distillation phase is profiled.
    assert main(['retrain', '--run-dir', str(student), '--teacher',
                 str(teacher), *small, '--set', 'student.teacher_check=false',
                 '--set', 'retraining.epochs=2',
                 '--set', 'retraining.eval_every=1', '--set',
                 'retraining.profile=true']) == 0
    rows = [line.split('\t') for line in
            (student / 'phases.tsv').read_text().splitlines()]
    assert rows[0] == ['epoch', 'phase', 'seconds']
    phases = {}
    for epoch, name, seconds in rows[1:]:
        phases.setdefault(int(epoch), {})[name] = float(seconds)
    assert set(phases) == {1, 2}
    first = phases[1]
    # Every phase of a student step, each distillation level inside the
    # extra loss, and nothing counted twice.
    assert {'encoder', 'task_loss', 'extra_loss', 'kd_feature',
            'kd_network', 'kd_prediction', 'backward', 'optimizer',
            'validation', 'other'} <= set(first)
    assert all(value >= 0 for value in first.values())
    kd = first['kd_feature'] + first['kd_network'] + first['kd_prediction']
    assert kd <= first['extra_loss'] * 1.05
    epoch_s = [line.split('\t') for line in
               (student / 'metrics.tsv').read_text().splitlines()][1][3]
    # The step's phases happen inside the epoch's training time (its
    # 'seconds', validation apart) and cover most of it.
    steps = sum(first[name] for name in ('encoder', 'task_loss',
                                         'extra_loss', 'backward',
                                         'optimizer'))
    assert 0.5 * float(epoch_s) <= steps <= 1.05 * float(epoch_s)
    # Unprofiled runs write no phases.
    assert not (teacher / 'phases.tsv').exists()
