"""Running formation over a population: chunks of blocks, optionally on worker processes.

A task is a run of whole random-number blocks (:mod:`iwm.model._rng`). Each block draws its
caregivers from its own generator, and each person's weekly and reunion draws are counter-based
(:mod:`iwm.model._philox`, by global person id), so a person's life depends on (seed,
generation, person id) alone, and results are bit-identical whatever the chunk size, the number
of workers and the backend (NumPy reference or compiled kernel).
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
from numpy.typing import NDArray

from iwm._errors import ParameterError
from iwm.model._blocks import MAX_N, Progress, check_backend, check_workers, map_blocks
from iwm.model._caregiving import (
    Caregivers,
    CaregivingMix,
    TransmissionParams,
    caregiving_from_parents,
    draw_caregivers,
    resolve_mix,
)
from iwm.model._formation import N_UNIFORMS, CaregiverTerms, FormationParams, _ChildState, to_population
from iwm.model._formation import run_weeks as reference_run_weeks
from iwm.model._formation_fused import run_weeks as fused_run_weeks
from iwm.model._params import check_value
from iwm.model._philox import uniforms
from iwm.model._population import Population
from iwm.model._reunion import ReunionParams, reunion
from iwm.model._rng import BLOCK, block_generator, check_seed

DEFAULT_CHUNK = 8 * BLOCK


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Spec:
    n: int
    seed: int
    mix: CaregivingMix
    with_parents: bool
    formation: FormationParams
    transmission: TransmissionParams
    reunion: ReunionParams = dataclasses.field(default_factory=ReunionParams)
    backend: str = "numpy"


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class Generation:
    """One generation's childhood: caregivers, behaviour in the reunion episode and the adult at the end."""

    caregivers: Caregivers
    infant_behaviour: dict[str, NDArray[np.float32]]
    population: Population


def _caregivers(spec: _Spec, blocks: range, stream: int, parents: Population | None) -> Caregivers:
    """The caregivers of whole blocks, each block from its own generator (a pure function of
    (seed, stream, block))."""
    gens = [block_generator(spec.seed, stream, b) for b in blocks]
    if parents is None:
        return Caregivers.concat([draw_caregivers(spec.mix, g, BLOCK) for g in gens])
    padded = _pad(parents, len(blocks) * BLOCK)
    return Caregivers.concat(
        [
            caregiving_from_parents(padded.take(slice(i * BLOCK, (i + 1) * BLOCK)), g, spec.transmission)
            for i, g in enumerate(gens)
        ]
    )


def reunion_draws(seed: int, stream: int, step: int, first_person: int, n: int, steps: int) -> NDArray[np.float32]:
    """The uniforms of the reunion episode, shape (steps + 1, N_UNIFORMS, n): set ``r`` of
    person ``i`` is Philox's at ``(seed, stream, person=i, step, sub=1 + r)`` (the week's own
    episode draws use sub 0)."""
    return np.stack([uniforms(seed, stream, step, first_person, n, N_UNIFORMS, sub=1 + r) for r in range(steps + 1)])


def _form_blocks(spec: _Spec, blocks: range, stream: int, parents: Population | None) -> Generation:
    """Formation of whole blocks (columns of len(blocks) * BLOCK people); the padded tail is trimmed.

    Every person draws by their global id (block * BLOCK + position), padded tail included."""
    p = spec.formation
    first, size = blocks.start * BLOCK, len(blocks) * BLOCK
    cg = _caregivers(spec, blocks, stream, parents)
    state = _ChildState.newborn((size,), p)
    terms = CaregiverTerms.of(cg, p)
    run_weeks = fused_run_weeks if spec.backend == "numba" else reference_run_weeks
    behaviour: dict[str, NDArray[np.float32]] = {}
    if p.infant_episode <= p.episodes:  # the reunion episode: behaviour only, coded in iwm.measure
        run_weeks(state, terms, p, spec.seed, stream, first, range(p.infant_episode))
        r = spec.reunion
        draws = reunion_draws(spec.seed, stream, p.infant_episode, first, size, r.steps)
        behaviour = reunion(state, terms, draws, r, p)
        run_weeks(state, terms, p, spec.seed, stream, first, range(p.infant_episode, p.episodes))
    else:
        run_weeks(state, terms, p, spec.seed, stream, first, range(p.episodes))
    population = to_population(state, p.years, p.plasticity_at(p.years))
    n = min(spec.n - first, size)
    return Generation(
        caregivers=cg.take(slice(0, n)),
        infant_behaviour={k: v[:n] for k, v in behaviour.items()},
        population=population.take(slice(0, n)),
    )


def _pad(pop: Population, size: int) -> Population:
    if pop.n == size:
        return pop
    idx = np.arange(size) % pop.n
    return pop.take(idx)


INNER_BLOCKS = 1
"""Blocks formed together in the NumPy reference's weekly loop. One block (4096 people) keeps
the working columns, draws and temporaries inside a core's L2 cache; measured on the reference
machine, two blocks already spill and run about a third slower. The compiled backend chunks the
children itself (:data:`iwm.model._formation_fused.CHUNK`), so it forms a task's blocks in one
call. Blocks are independent, so this never changes results."""


def _form_task_blocks(spec: _Spec, blocks: range, stream: int, parents: Population | None) -> Generation:
    parts = []
    step = INNER_BLOCKS if spec.backend == "numpy" else len(blocks)
    for start in range(blocks.start, blocks.stop, step):
        inner = range(start, min(start + step, blocks.stop))
        mine = None
        if parents is not None:
            offset = (start - blocks.start) * BLOCK
            mine = parents.take(slice(offset, offset + len(inner) * BLOCK))
        parts.append(_form_blocks(spec, inner, stream, mine))
    return _concat_generations(parts)


def _run_task(spec: _Spec, blocks: range) -> tuple[Generation, Generation | None]:
    first = _form_task_blocks(spec, blocks, stream=0, parents=None)
    if not spec.with_parents:
        return first, None
    children = _form_task_blocks(spec, blocks, stream=1, parents=first.population)
    return children, first


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class Formation:
    """What :func:`develop` returns: a formed population and how it got there (model state
    and the behaviour of the reunion episode). Infant codes, shares, dimensions and
    transmission figures are read-outs of it (:class:`iwm.Development`, :mod:`iwm.measure._formation`)."""

    n: int
    seed: int
    caregiving: str
    caregivers: Caregivers
    infant_behaviour: dict[str, NDArray[np.float32]]
    population: Population
    parents: Generation | None = None


def develop(
    caregiving: str | CaregivingMix | None = None,
    *,
    n: int,
    seed: int,
    parents: str | CaregivingMix | None = None,
    formation: FormationParams | None = None,
    transmission: TransmissionParams | None = None,
    reunion: ReunionParams | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    progress: Progress | None = None,
    backend: str | None = None,
) -> Formation:
    """Form a population of working models from birth to 18 (MODEL.md C5).

    Give either ``caregiving`` (a named mix, a :class:`CaregivingMix` or a mix file) or
    ``parents`` (a mix that forms a parent generation first; the children are then raised by
    caregiving derived from their parents' working models). ``reunion`` sets the reunion
    episode whose behaviour an observer codes (:mod:`iwm.model._reunion`; the codes are read
    out in :mod:`iwm.measure`). ``chunk_size`` (people, rounded up to whole blocks of 4096)
    and ``workers`` change speed and memory, never results. ``backend`` computes the weekly
    episodes with the NumPy reference (``"numpy"``) or the compiled kernel (``"numba"``); None
    takes numba when it is installed. The two give bit-identical results.
    """
    if (caregiving is None) == (parents is None):
        raise ParameterError("caregiving/parents", "exactly one of the two given", "both or neither")
    n = int(check_value("n", n, 1, MAX_N, integer=True))
    seed = check_seed(seed)
    chunk, workers = check_workers(chunk_size, workers)
    backend = check_backend(backend)
    mix = resolve_mix(caregiving if caregiving is not None else parents)  # type: ignore[arg-type]
    spec = _Spec(
        n=n,
        seed=seed,
        mix=mix,
        with_parents=parents is not None,
        formation=formation or FormationParams(),
        transmission=transmission or TransmissionParams(),
        reunion=reunion or ReunionParams(),
        backend=backend,
    )
    results = map_blocks(functools.partial(_run_task, spec), n, chunk_size=chunk, workers=workers, progress=progress)
    children = [r[0] for r in results]
    parent_gen = None
    if spec.with_parents:
        gens = [r[1] for r in results if r[1] is not None]
        parent_gen = _concat_generations(gens)
    child_gen = _concat_generations(children)
    return Formation(
        n=n,
        seed=seed,
        caregiving=mix.name,
        caregivers=child_gen.caregivers,
        infant_behaviour=child_gen.infant_behaviour,
        population=child_gen.population,
        parents=parent_gen,
    )


def _concat_generations(parts: list[Generation]) -> Generation:
    return Generation(
        caregivers=Caregivers.concat([g.caregivers for g in parts]),
        infant_behaviour={k: np.concatenate([g.infant_behaviour[k] for g in parts]) for k in parts[0].infant_behaviour},
        population=Population.concat([g.population for g in parts]),
    )
