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

For numpy's default bit generator, PCG64, `uniform` steps the generator's state itself (the
same 128-bit multiply and output permutation as numpy's C code, inlined): a draw then costs
about a nanosecond and a half instead of about six through the function address, which
matters at a million people with several draws each a day. A self-check against numpy at the
first use decides; if it fails (another numpy layout), the function address serves instead.

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

# Not inline="always": numba's own inlining repeated the draws' typing at each of some thirty
# call sites (about a second of a first run's compile time); LLVM may inline them still, and
# steps measured as fast.
_jit = numba.njit(cache=True, nogil=True)
_last: list = [None, None]  # the last Generator asked for and its stream
_inline_pcg64: list = []  # [whether the inlined PCG64 step matches numpy's], once checked

#: PCG64's 128-bit LCG multiplier (numpy's PCG_DEFAULT_MULTIPLIER_128).
_PCG64_MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341


def stream(rng: np.random.Generator) -> tuple[int, int, int, int]:
    """``(inline PCG64?, next_double, next_uint32, state)`` of ``rng``'s bit generator, for
    kernels: function and state addresses, and 1 where `uniform` may step a PCG64 itself."""
    if _last[0] is not rng:
        bits = rng.bit_generator
        c = bits.ctypes
        inline = type(bits) is np.random.PCG64 and _pcg64_inlines()
        _last[:] = rng, (
            int(inline), ctypes.cast(c.next_double, ctypes.c_void_p).value,
            ctypes.cast(c.next_uint32, ctypes.c_void_p).value, c.state_address,
        )
    return _last[1]


def _pcg64_inlines() -> bool:
    """Whether the inlined PCG64 step draws numpy's numbers here (checked once a process)."""
    if not _inline_pcg64:
        ours, theirs = np.random.default_rng(20261201), np.random.default_rng(20261201)
        ours.random(3), theirs.random(3)
        drawn = uniforms((1, 0, 0, ours.bit_generator.ctypes.state_address), 5)  # inlined
        _inline_pcg64.append(
            np.array_equal(drawn, theirs.random(5))
            and ours.bit_generator.state == theirs.bit_generator.state
        )
    return _inline_pcg64[0]


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


@intrinsic
def _pcg64_next_double(typingctx, state):
    """numpy's ``pcg64_next_double`` at the address of a ``pcg64_state``: step the 128-bit LCG
    (``state * multiplier + inc``), permute (XSL-RR) and keep the top 53 bits."""

    def codegen(context, builder, signature, args):
        i64, i128 = ir.IntType(64), ir.IntType(128)
        holder = builder.inttoptr(args[0], i128.as_pointer().as_pointer())
        lcg = builder.load(holder)  # pcg64_state.pcg_state: {__uint128_t state, inc}
        inc_at = builder.gep(lcg, [ir.Constant(ir.IntType(32), 1)])
        now = builder.add(
            builder.mul(builder.load(lcg, align=8), ir.Constant(i128, _PCG64_MULTIPLIER)),
            builder.load(inc_at, align=8),
        )
        builder.store(now, lcg, align=8)
        high = builder.trunc(builder.lshr(now, ir.Constant(i128, 64)), i64)
        mixed = builder.xor(high, builder.trunc(now, i64))
        turn = builder.trunc(builder.lshr(now, ir.Constant(i128, 122)), i64)
        back = builder.and_(builder.neg(turn), ir.Constant(i64, 63))
        out = builder.or_(builder.lshr(mixed, turn), builder.shl(mixed, back))
        top = builder.uitofp(builder.lshr(out, ir.Constant(i64, 11)), ir.DoubleType())
        return builder.fmul(top, ir.Constant(ir.DoubleType(), 1.0 / 9007199254740992.0))

    return types.float64(types.int64), codegen


@_jit
def uniform(stream):
    """One uniform in [0, 1): the next number of ``Generator.random``."""
    if stream[0]:
        return _pcg64_next_double(stream[3])
    return _next_double(stream[1], stream[3])


@_jit
def uniforms(stream, size):
    """``size`` uniforms in [0, 1): ``Generator.random(size)``."""
    out = np.empty(size)
    for i in range(size):
        out[i] = uniform(stream)
    return out


@_jit
def below(stream, bound):
    """A whole number in [0, bound): the next number of ``Generator.integers(0, bound, size)``
    for ``bound`` up to 2**32 (numpy's Lemire rejection on 32-bit draws)."""
    if bound <= 1:
        return 0  # numpy draws nothing for a range of one
    if bound == 2**32:
        return np.int64(_next_uint32(stream[2], stream[3]))
    span = np.uint64(bound)
    m = np.uint64(_next_uint32(stream[2], stream[3])) * span
    leftover = m & np.uint64(0xFFFFFFFF)
    if leftover < span:
        threshold = (np.uint64(0xFFFFFFFF) - (span - np.uint64(1))) % span
        while leftover < threshold:
            m = np.uint64(_next_uint32(stream[2], stream[3])) * span
            leftover = m & np.uint64(0xFFFFFFFF)
    return np.int64(m >> np.uint64(32))
