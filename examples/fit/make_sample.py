"""Make the shipped synthetic sample of `iwm fit` (docs/fitting.md) from known parameters.

The truth is the model's defaults: the low-risk caregiving mix (sensitive .72, inconsistent .03,
rejecting .16, frightening .09) and the ledger's formation defaults. 500 simulated 18-year-olds
answer the ECR-R (raw answers: sample.csv); 100 of the same population's infants are classified
in the Strange Situation (counts in data.yaml). Run from the repository root:

    python examples/fit/make_sample.py

It needs no `fit` extra. Same seed, same files.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from iwm.study._fit import Design, SimJob, simulated_data
from iwm.study._fit_priors import PriorSet

HERE = Path(__file__).resolve().parent
TRUTH = {
    "caregiving.inconsistent": 0.03,
    "caregiving.rejecting": 0.16,
    "caregiving.frightening": 0.09,
    "population.formation.learning_rate": 0.5,
    "population.formation.plasticity_floor": 0.15,
}
N, INFANTS, SEED = 500, 100, 20261203


def main() -> None:
    priors = PriorSet()
    theta = [TRUTH[name] for name in priors.names]
    design = Design(n=N, instrument="ecr-r", infants=INFANTS)
    sample, answers = simulated_data(SimJob(0, priors.scenario_at(theta, N), SEED, design))
    assert answers is not None and sample.infants is not None
    answers.to_csv(HERE / "sample.csv", index=False)
    data = {"questionnaire": "sample.csv", "instrument": "ecr-r", "infants": sample.infants}
    (HERE / "data.yaml").write_text(
        "# The shipped synthetic sample (made by make_sample.py; truth in truth.yaml)\n" + yaml.safe_dump(data),
        encoding="utf-8",
    )
    (HERE / "truth.yaml").write_text(
        f"# The parameters sample.csv was simulated from (n = {N}, seed {SEED})\n" + yaml.safe_dump(TRUTH),
        encoding="utf-8",
    )
    print(f"wrote {HERE / 'sample.csv'} ({N} respondents), data.yaml, truth.yaml")


if __name__ == "__main__":
    main()
