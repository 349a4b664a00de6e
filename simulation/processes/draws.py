"""Random numbers inside compiled kernels, from the model's own `numpy.random.Generator`.

A kernel that makes a step's choices needs uniforms. Drawing them in numpy first costs a
call and an array per draw site, which is most of a small organisation's step; handing numba
the Generator itself costs about 12 us per call to unbox. So a kernel takes a `stream` instead:
the addresses of the Generator's bit generator state and of its ``next_double`` and
``next_uint32`` functions (numpy's documented C interface, ``BitGenerator.ctypes``), about a
microsecond per call. Calling them draws exactly the numbers numpy's own methods would, in the
same order, from the same state, so a kernel that draws where numpy code drew leaves every
result unchanged (`uniform` is ``Generator.random``, `below` is ``Generator.integers(0, b)``
as it fills an array).

The Generator must stay alive while a kernel draws from its stream, and only one thread may
draw from one Generator at a time (as with numpy's own methods, which also take its lock).
"""

from __future__ import annotations

import ctypes

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = ["stream", "uniform", "uniforms", "below"]

_jit = numba.njit(cache=True, nogil=True, inline="always")
_last: list = [None, None]  # the last Generator asked for and its stream


def stream(rng: np.random.Generator) -> tuple[int, int, int]:
    """``(next_double, next_uint32, state)`` addresses of ``rng``'s bit generator, for kernels."""
    if _last[0] is not rng:
        c = rng.bit_generator.ctypes
        address = ctypes.cast(c.next_double, ctypes.c_void_p).value
        address32 = ctypes.cast(c.next_uint32, ctypes.c_void_p).value
        _last[:] = rng, (address, address32, c.state_address)
    return _last[1]


def _caller(result: ir.Type, numba_result: types.Type):
    """An intrinsic that calls ``result next(void *state)`` at a function address."""

    @intrinsic
    def call(typingctx, function, state):
        def codegen(context, builder, signature, args):
            pointer = ir.IntType(8).as_pointer()
            kind = ir.FunctionType(result, [pointer])
            target = builder.inttoptr(args[0], kind.as_pointer())
            return builder.call(target, [builder.inttoptr(args[1], pointer)])

        return numba_result(types.int64, types.int64), codegen

    return call


_next_double = _caller(ir.DoubleType(), types.float64)
_next_uint32 = _caller(ir.IntType(32), types.uint32)


@_jit
def uniform(stream):
    """One uniform in [0, 1): the next number of ``Generator.random``."""
    return _next_double(stream[0], stream[2])


@_jit
def uniforms(stream, size):
    """``size`` uniforms in [0, 1): ``Generator.random(size)``."""
    out = np.empty(size)
    for i in range(size):
        out[i] = _next_double(stream[0], stream[2])
    return out


@_jit
def below(stream, bound):
    """A whole number in [0, bound): the next number of ``Generator.integers(0, bound, size)``
    for ``bound`` up to 2**32 (numpy's Lemire rejection on 32-bit draws)."""
    if bound <= 1:
        return 0  # numpy draws nothing for a range of one
    if bound == 2**32:
        return np.int64(_next_uint32(stream[1], stream[2]))
    span = np.uint64(bound)
    m = np.uint64(_next_uint32(stream[1], stream[2])) * span
    leftover = m & np.uint64(0xFFFFFFFF)
    if leftover < span:
        threshold = (np.uint64(0xFFFFFFFF) - (span - np.uint64(1))) % span
        while leftover < threshold:
            m = np.uint64(_next_uint32(stream[1], stream[2])) * span
            leftover = m & np.uint64(0xFFFFFFFF)
    return np.int64(m >> np.uint64(32))
