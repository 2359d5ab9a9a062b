"""Custom autograd functions under mixed precision."""
from __future__ import annotations

from typing import Any

import torch
from torch import Tensor


def apply_in_float32(function: type, *args: Any) -> Tensor:
    r"""``function.apply(*args)`` (a :class:`torch.autograd.Function`),
    run in float32 when :func:`torch.autocast` is on: its floating inputs
    are cast up and autocast is off inside, so a hand-written backward
    never meets a bfloat16 gradient beside a float32 saved tensor. Outside
    autocast it is ``function.apply(*args)``."""
    device_type = next((a.device.type for a in args
                        if isinstance(a, Tensor)), 'cpu')
    if not torch.is_autocast_enabled(device_type):
        return function.apply(*args)
    with torch.autocast(device_type, enabled=False):
        return function.apply(*(a.float() if isinstance(a, Tensor) and
                                a.is_floating_point() else a
                                for a in args))
