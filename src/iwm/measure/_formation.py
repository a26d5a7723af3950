"""Read-outs of formation: infant and adult shares, dimension means, transmission figures.

The model forms a population and returns its state (:class:`iwm.model._development.Formation`);
:class:`Development` is that record together with what an observer computes from it.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iwm.measure._readout import (
    ADULT_CATEGORIES,
    INFANT_CLASSES,
    SECURE_ADULT,
    SECURE_INFANT,
    AdultReadout,
    InfantReadout,
    adult_category,
    anxiety,
    avoidance,
    code_infants,
)
from iwm.measure._stats import concordance_kappa, pearson, shares
from iwm.model._development import Formation


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class Development(Formation):
    """The result of :func:`iwm.develop`: a formed population (:class:`Formation`) and its
    read-outs (shares, dimensions, transmission)."""

    readout: AdultReadout = dataclasses.field(default_factory=AdultReadout)
    infant_readout: InfantReadout = dataclasses.field(default_factory=InfantReadout)

    @classmethod
    def of(
        cls, formed: Formation, readout: AdultReadout | None = None, infant_readout: InfantReadout | None = None
    ) -> Development:
        """The read-outs of a model's formation record."""
        fields = {f.name: getattr(formed, f.name) for f in dataclasses.fields(Formation)}
        return cls(**fields, readout=readout or AdultReadout(), infant_readout=infant_readout or InfantReadout())

    @functools.cached_property
    def infant(self) -> NDArray[np.int8]:
        """A/B/C/D codes of the reunion episode's behaviour (:func:`code_infants`)."""
        return code_infants(self.infant_behaviour, self.infant_readout)

    @property
    def adult_category(self) -> NDArray[np.int8]:
        return adult_category(self.population, self.readout)

    def infant_shares(self) -> dict[str, float]:
        return shares(self.infant, INFANT_CLASSES)

    def adult_shares(self) -> dict[str, float]:
        return shares(self.adult_category, ADULT_CATEGORIES)

    def transmission(self) -> dict[str, float]:
        """Parent secure/insecure vs infant secure/insecure, and sensitivity vs security."""
        if self.parents is None:
            raise ValueError("transmission needs a run with parents (develop(parents=...))")
        parent_secure = adult_category(self.parents.population, self.readout) == SECURE_ADULT
        infant_secure = self.infant == SECURE_INFANT
        agree, kappa = concordance_kappa(parent_secure, infant_secure)
        return {
            "concordance": agree,
            "kappa": kappa,
            "sensitivity_security_r": pearson(self.caregivers.sensitivity, infant_secure),
            "parents_secure": float(parent_secure.mean()),
        }

    def summary(self) -> dict[str, Any]:
        """The figures ``iwm develop --json`` prints."""
        out: dict[str, Any] = {
            "n": self.n,
            "seed": self.seed,
            "caregiving": self.caregiving,
            "infant": self.infant_shares(),
            "adult": self.adult_shares(),
            "anxiety_mean": float(np.mean(anxiety(self.population, self.readout), dtype=np.float64)),
            "avoidance_mean": float(np.mean(avoidance(self.population, self.readout), dtype=np.float64)),
        }
        if self.parents is not None:
            out["parents"] = {"adult": shares(adult_category(self.parents.population, self.readout), ADULT_CATEGORIES)}
            t = self.transmission()
            out["transmission"] = {k: t[k] for k in ("concordance", "kappa")}
            out["sensitivity_security_r"] = t["sensitivity_security_r"]
            out["transmission"]["sensitivity_security_r"] = t["sensitivity_security_r"]
        return out
