"""The report parameters a caller may set, with their bounds and defaults: the one definition.

Every door into a comparison validates against this module - the engine (``compare_fingerprints``
and its command line), the knowledge base's request service, the admin form, the API serializer
(whose OpenAPI minimum/maximum come from here) and ``manage.py fingerprint`` - so the same
out-of-range value gets the same sentence everywhere: ``validate({"null_size": 600})`` raises
``ParameterError("null_size must be a whole number from 8 to 512.")``.

The bounds are practical, not statistical: below 8 null pairs no empirical p can go under 1/9,
so a score cannot be weighed; above 512 the weight-reading methods' nulls take minutes per method.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ParameterError


@dataclass(frozen=True)
class Parameter:
    """One whole-number parameter: ``minimum`` ≤ value ≤ ``maximum``, ``default`` when not given."""

    name: str
    default: int
    minimum: int
    maximum: int
    help: str

    @property
    def flag(self) -> str:
        """The command-line option, e.g. ``--null-size``."""
        return "--" + self.name.replace("_", "-")

    @property
    def message(self) -> str:
        """The one sentence every caller shows for a bad value of this parameter."""
        return f"{self.name} must be a whole number from {self.minimum} to {self.maximum}."

    def check(self, value: Any) -> int:
        """``value`` if it is an int within the bounds (bools are not numbers here), else ParameterError."""
        if isinstance(value, bool) or not isinstance(value, int) or not self.minimum <= value <= self.maximum:
            raise ParameterError(self.message, parameter=self.name)
        return value


NULL_SIZE = Parameter(
    "null_size",
    default=32,
    minimum=8,
    maximum=512,
    help="Unrelated pairs drawn for each method's null distribution.",
)
SEED = Parameter(
    "seed", default=0, minimum=0, maximum=2**31 - 1, help="Random seed of the null distributions."
)

PARAMETERS: dict[str, Parameter] = {p.name: p for p in (NULL_SIZE, SEED)}
"""Name → Parameter, in the order forms and help texts list them."""

DEFAULTS: dict[str, int] = {name: p.default for name, p in PARAMETERS.items()}


def validate(given: Mapping[str, Any] | None) -> dict[str, int]:
    """Every parameter, with defaults filled in; ParameterError naming the first bad one and its bounds."""
    given = dict(given or {})
    unknown = sorted(set(given) - set(PARAMETERS))
    if unknown:
        raise ParameterError(
            f"Unknown parameter(s) {', '.join(unknown)}; known: {', '.join(PARAMETERS)}.",
            parameter=unknown[0],
        )
    return {name: p.check(given.get(name, p.default)) for name, p in PARAMETERS.items()}
