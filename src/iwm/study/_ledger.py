"""The calibration ledger: every free parameter of the model and its read-outs, with its
meaning, unit, range, default and where its value comes from.

The table in ``docs/calibration.md`` (between the ``ledger`` markers) is generated from the
declarations themselves (:func:`iwm.model._params.bounded`: range and meaning are written once),
plus the provenance below; ``tests/test_ledger.py`` fails when a parameter is added, removed or
changed without regenerating it: ``python -m iwm.study._ledger --write``.

Provenance words: **design** (a choice of the simulation, not a claim about people),
**source** (a published figure), **tuned to X** (set by a small grid search so that target X
holds; see "How the parameters were chosen"), **assumption** (set by hand from the theory and
checked against the construct signatures, not tuned to a target), **uncalibrated** (no target
exists yet; results that depend on it are reported, not claimed).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from iwm.measure._interview import InterviewParams
from iwm.measure._items import ResponseParams
from iwm.measure._latent import LatentParams
from iwm.measure._readout import AdultReadout, InfantReadout
from iwm.model._adult import AdultParams
from iwm.model._caregiving import MIXES, PROFILES, CaregiverProfile, TransmissionParams
from iwm.model._formation import FormationParams
from iwm.model._life_events import LifeEventParams
from iwm.model._params import Params, _fmt
from iwm.model._priming import PrimeParams
from iwm.model._reunion import ReunionParams
from iwm.model._therapy import TherapyParams

STEP1 = "tuned to the formation signatures (step 1): each pure kind of caregiving gives its own majority infant class"
ADULT = "assumption: daily scale set so that a secure couple is stable (step 6); C6-C24 signatures checked, not tuned"

PROVENANCE: dict[type[Params], list[tuple[str, str]]] = {
    FormationParams: [
        (r"years|episodes_per_week", "design"),
        (r"infant_assessment_age", "source: the Strange Situation at 12-18 months (Ainsworth et al. 1978)"),
        (r"plasticity_", "assumption: a sensitive period in the first years (Bowlby 1969), not fitted"),
        (r"exploration|learning_rate|baseline_rate|max_gain|effort|relief|rebuff_pain|fright_pain", STEP1),
        (r"initial_", "assumption: a newborn shows what it feels"),
        (
            r"prior_count",
            "assumption: a flat prior, Beta(1, 1) (Bayes-Laplace); forgetting returns to it (Kulhavy & Zarrop 1993)",
        ),
        (
            r"mood_weeks",
            "assumption: the inconsistent caregiver's availability follows her own state and mood, not the "
            "child's signals (Ainsworth et al. 1978; Cassidy & Berlin 1994); a month is an order of magnitude, "
            "unsourced; checked by the C2 signature (tests/test_beliefs.py), not tuned",
        ),
        (
            r"volatility_rate",
            "assumption: volatility is learned over about fifty relevant episodes, a year of weekly episodes "
            "(Behrens et al. 2007)",
        ),
        (
            r"forgetting_floor",
            "assumption: a stable other's evidence is kept for about 1 / (floor x plasticity) episodes; sets the "
            "sensitive child's SD of other-availability (about .05 at 18); not tuned",
        ),
        (
            r"recent_rate|volatility_forgetting",
            "tuned to the C2 signature (issue 15): inconsistent / sensitive posterior SD of other-availability "
            ">= 2 at 18 (a grid of 2 x 2 values on the v2b branch; 2.23-2.24 on this model, seeds 1-3)",
        ),
        (
            r"notice|loud_cue|response_width|comfort_floor|rebuff_saturation|fright_when_alone",
            "assumption: caregiver behaviour after Ainsworth et al. 1978 and Main & Hesse 1990; checked by the "
            "formation signatures",
        ),
        (r"perception_bias", "assumption (C21): the same pull as in adulthood"),
        (r".*", STEP1),
    ],
    CaregiverProfile: [
        (r"concentration", "assumption: individual variation within a kind of caregiving"),
        (r".*", "assumption: the four kinds of caregiving of C5 (Ainsworth et al. 1978; Main & Hesse 1990)"),
    ],
    TransmissionParams: [
        (
            r"secure_anchor|span",
            "tuned to T5 and T6 (step 5), on the ECR metric (anchor 3.25, span 2); re-expressed on the "
            "strategy strengths (anchor (3.25 - 3) / 2.5, span 2 / 2.5), not re-tuned",
        ),
        (r".*", "tuned to T5 and T6 (step 5)"),
    ],
    AdultParams: [
        (
            r"hyper_|deact_",
            "assumption: which state drives which strategy follows Mikulincer & Shaver 2003; the "
            "weights are those of the self-report dimensions on the same state, rescaled to strength "
            "0-1 (so strategy and self-report agree on average); not tuned, T3-T6 and C6-C14 checked",
        ),
        (r"evidence_rate|strategy_rate", "tuned to T3/T4 after five years with anxiety r about .8 over ten (step 6)"),
        (r"dating_", "tuned: about two thirds of adults partnered after a few years (step 6)"),
        (
            r"attraction_|acceptance_",
            "step 6 values (tuned then to about two thirds of adults partnered), kept, not retuned, when "
            "acceptance became relative to one's own comparison level (Thibaut & Kelley 1959; Rusbult "
            "1980) with familiarity relative to those met (C22), which removed acceptance_threshold; "
            "partnering by category is reported, not tuned (docs/model.md)",
        ),
        (
            r"momentary_|trait_rate",
            "assumption: attachment is trait-like with state fluctuation, the state slowly moving the trait "
            "(Fraley 2002; Fraley et al. 2011): a day's experience weighs about a third in how secure one feels "
            "today, a deviation halves in about a week, a lasting shift of the state is half taken into the "
            "trait in about four years at the adult plasticity floor; not tuned to a target (test-retest by "
            "interval is reported, docs/model.md)",
        ),
        (
            r"commitment_rate|breakup_dissatisfaction",
            "assumption (step 6 value kept, not retuned): scale of the investment model's weekly "
            "commitment growth and leaving per unit of dependence, satisfaction against the "
            "alternatives (Rusbult 1983); C13 signatures checked",
        ),
        (
            r"security_",
            "assumption: security priming lowers threat appraisal and raises expected care "
            "(Mikulincer & Shaver 2007); uncalibrated",
        ),
        (
            r"choice_temperature|fear_weight|conflict_stress",
            "assumption: the approach-fear choice (Main & Hesse 1990) set by hand so that, after frightening "
            "care, the values of approach and flight are close (C16, C17, C19 checked by caregiving history, "
            "not tuned to a target)",
        ),
        (r".*", ADULT),
    ],
    LifeEventParams: [(r".*", "assumption: order of magnitude only, unsourced; uncalibrated")],
    TherapyParams: [(r".*", "uncalibrated: no therapy target in MODEL.md; dose-response is reported, not claimed")],
    PrimeParams: [
        (
            r".*",
            "assumption: a transient effect over days (Mikulincer & Shaver 2007; Gillath et al. 2008); uncalibrated",
        )
    ],
    InfantReadout: [(r".*", "tuned to T1 (the low-risk shares), checked on T2, T5, T6 and the pure kinds")],
    ReunionParams: [
        (r"choice_temperature", "assumption: the approach/withdraw rule of the adult day (AdultParams)"),
        (
            r"separation_distress|distress_spread|steps",
            "design: a distressed reunion after two separations, observed over a few steps (Ainsworth et al. 1978)",
        ),
        (r".*", "tuned to T1 (the low-risk shares)"),
    ],
    AdultReadout: [
        (r"cut$", "source: the ECR scale midpoint (Brennan, Clark & Shaver 1998)"),
        (r"unresolved_cut", "tuned to T3 (unresolved share)"),
        (r".*", "tuned (step 4): adults spread over 1-7, low-risk means near ECR-R norms (Fraley et al. 2000)"),
    ],
    LatentParams: [
        (r".*_(center|spread)$", "design: reference constants (low-risk adults at 23, seed 1, n = 20,000)"),
        (r".*", "chosen to reproduce T8 and unimodal latents (docs/measurement.md)"),
    ],
    ResponseParams: [(r".*", "chosen to reproduce published scale properties, T7 and T9 (docs/measurement.md)")],
    InterviewParams: [(r".*", "chosen so T3 holds on the interview channel; T10 is checked, not tuned")],
}

UNITS = [
    (r"^years$|_age$|halflife", "years"),
    (r"episodes_per_week", "episodes per week"),
    (r"_rate$", "per step (week or episode)"),
    (r"loss_rate|trauma_rate", "per person-year"),
    (r"cut$|_location$|anxiety_center|avoidance_center", "scale points"),
    (r"_sd$|_spread$|_scale$", "SD"),
]


def _unit(cls: type[Params], name: str) -> str:
    if cls is TransmissionParams and name in ("secure_anchor", "span"):
        return "strategy strength (0-1)"
    if cls is LifeEventParams and name in ("loss_rate", "trauma_rate"):
        return "per person-year"
    if cls is AdultReadout and name != "cut" and not name.endswith("_cut"):
        return "logit per unit"
    for pattern, unit in UNITS:
        if re.search(pattern, name):
            return unit
    return "dimensionless (share, weight or gain)"


def provenance(cls: type[Params], name: str) -> str:
    for pattern, text in PROVENANCE[cls]:
        if re.fullmatch(pattern, name) or re.match(pattern, name):
            return text
    raise KeyError(f"{cls.__name__}.{name} has no provenance in the ledger")


def _all_params() -> list[type[Params]]:
    def walk(c: type[Params]) -> list[type[Params]]:
        out = []
        for sub in c.__subclasses__():
            out += [sub, *walk(sub)]
        return out

    return sorted(walk(Params), key=lambda c: (c.__module__, c.__name__))


def ledger_markdown() -> str:
    """The ledger as Markdown tables, one per parameter set, then the caregiving mixes."""
    lines = []
    for cls in _all_params():
        if cls not in PROVENANCE:
            raise KeyError(f"{cls.__module__}.{cls.__name__} is not in the ledger's PROVENANCE")
        defaults = cls()
        lines += [f"### `{cls.__name__}` ({cls.__module__})", ""]
        lines += ["| parameter | meaning | unit | range | default | source |", "|---|---|---|---|---|---|"]
        for name, (lo, hi, doc) in cls.ranges().items():
            value = _fmt(getattr(defaults, name))
            span = f"[{_fmt(lo)}, {_fmt(hi)}]"
            lines.append(f"| `{name}` | {doc} | {_unit(cls, name)} | {span} | {value} | {provenance(cls, name)} |")
        lines.append("")
    lines += ["### Caregiving profiles and mixes (iwm.model._caregiving)", ""]
    lines += ["| profile | " + " | ".join(CaregiverProfile.ranges()) + " |", "|---" * 6 + "|"]
    for name, prof in PROFILES.items():
        lines.append(f"| {name} | " + " | ".join(_fmt(getattr(prof, k)) for k in CaregiverProfile.ranges()) + " |")
    lines += ["", "| mix | " + " | ".join(PROFILES) + " | source |", "|---" * (len(PROFILES) + 2) + "|"]
    for name, mix in MIXES.items():
        shares = [_fmt(round(sum(w for w, p in mix.components if p == prof), 4)) for prof in PROFILES.values()]
        source = (
            "design: one kind of caregiving" if name in PROFILES else "tuned to T1/T2 (step 3): a modelling assumption"
        )
        lines.append(f"| {name} | " + " | ".join(shares) + f" | {source} |")
    return "\n".join(lines) + "\n"


START, END = "<!-- ledger:start -->", "<!-- ledger:end -->"


def write(doc: Path) -> bool:
    """Rewrite the ledger section of ``doc``; True when it changed."""
    text = doc.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{ledger_markdown()}{END}{tail}"
    if new != text:
        doc.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, nargs="?", const=Path("docs/calibration.md"), default=None)
    args = parser.parse_args(argv)
    if args.write is None:
        sys.stdout.write(ledger_markdown())
    else:
        print(f"{args.write}: {'updated' if write(args.write) else 'up to date'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
