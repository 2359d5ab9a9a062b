"""Custom autograd functions under mixed precision."""
from __future__ import annotations

import functools
from typing import Any, Callable

import torch
from torch import Tensor


def apply_in_float32(function: type, *args: Any) -> Tensor:
    r"""``function.apply(*args)`` (a :class:`torch.autograd.Function`),
    run in float32 when :func:`torch.autocast` is on: its half-precision
    inputs are cast up and autocast is off inside, so a hand-written
    backward never meets a bfloat16 gradient beside a float32 saved tensor.
    Outside autocast it is ``function.apply(*args)``."""
    device_type = next((a.device.type for a in args
                        if isinstance(a, Tensor)), 'cpu')
    if not torch.is_autocast_enabled(device_type):
        return function.apply(*args)
    with torch.autocast(device_type, enabled=False):
        return function.apply(*(_up(a) for a in args))


def float32_backward(backward: Callable) -> Callable:
    r"""Decorates a :class:`torch.autograd.Function`'s ``backward`` so it
    runs with autocast off and half-precision incoming gradients cast up
    to float32 (float64 stays float64), also when the caller
    back-propagates inside an autocast region (which autocast's own
    documentation advises against, but users do)."""
    @functools.wraps(backward)
    def wrapped(ctx: Any, *grads: Any) -> Any:
        device_type = next((g.device.type for g in grads
                            if isinstance(g, Tensor)), 'cpu')
        with torch.autocast(device_type, enabled=False):
            return backward(ctx, *(_up(g) for g in grads))
    return wrapped


def _up(value: Any) -> Any:
    r"""A half-precision tensor as float32; anything else unchanged."""
    if isinstance(value, Tensor) and value.dtype in (torch.bfloat16,
                                                     torch.float16):
        return value.float()
    return value
