import pytest
import torch

from pyg_kgt.environment import cpu_flags, hardware, native_bf16


def test_hardware_names_the_cores_and_the_vector_capability():
    text = hardware()
    assert 'cores' in text
    assert f'({torch.backends.cpu.get_cpu_capability()}' in text


def test_native_bf16_reads_the_cpu_flags(tmp_path):
    cpu = torch.device('cpu')
    avx2 = tmp_path / 'avx2'
    avx2.write_text('processor\t: 0\nflags\t\t: fpu sse avx avx2 fma\n')
    genoa = tmp_path / 'genoa'
    genoa.write_text('flags\t\t: avx2 avx512f avx512_bf16\n')
    arm = tmp_path / 'arm'
    arm.write_text('Features\t: fp asimd sve bf16\n')
    assert cpu_flags(str(avx2)) == {'fpu', 'sse', 'avx', 'avx2', 'fma'}
    assert not native_bf16(cpu, str(avx2))
    assert native_bf16(cpu, str(genoa)) and native_bf16(cpu, str(arm))
    # Unreadable flags: not known to be slow.
    assert cpu_flags(str(tmp_path / 'none')) is None
    assert native_bf16(cpu, str(tmp_path / 'none'))


def test_auto_device_is_cuda_when_available_else_cpu():
    import torch

    from pyg_kgt.environment import resolve_device
    expected = 'cuda' if torch.cuda.is_available() else 'cpu'
    assert resolve_device('auto').type == expected
    assert resolve_device('cpu') == torch.device('cpu')


def test_cuda_without_a_gpu_and_bad_settings_are_clear_config_errors():
    import torch

    from pyg_kgt.environment import resolve_device
    from pyg_kgt.errors import ConfigError
    from pyg_kgt.training import TrainingConfig
    if not torch.cuda.is_available():
        for name in ('cuda', 'cuda:1'):
            with pytest.raises(ConfigError, match='no CUDA GPU'):
                resolve_device(name)
    with pytest.raises(ConfigError, match='device'):
        TrainingConfig(device='tpu')
    with pytest.raises(ConfigError, match='precision'):
        TrainingConfig(precision='fp8')
