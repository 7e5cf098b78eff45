"""Reading Code for America's gogen / BEAR options JSON into `gogen` pack parameters.

The JSON looks like
`{"baselineEligibility": {"dismiss": ["11357"], "reduce": ["11359"]},
  "additionalRelief": {"subjectUnder21AtConviction": true, "subjectAgeThreshold": 57, ...}}`.
Validation follows gogen: an age threshold is 0 (off) or 40-65, a years threshold 0 (off) or
1-15. Unlike gogen, triage also refuses unknown keys and sections that are not Prop 64
sections, since a typo there would silently change who gets relief.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from rules.errors import RulesError

# additionalRelief key -> (gogen pack parameter, kind, (low, high) for numbers)
RELIEF_KEYS: dict[str, tuple[str, type, tuple[int, int] | None]] = {
    "subjectUnder21AtConviction": ("under_21_at_conviction", bool, None),
    "subjectAgeThreshold": ("age_threshold", int, (40, 65)),
    "yearsSinceConvictionThreshold": ("years_since_conviction", int, (1, 15)),
    "yearsCrimeFreeThreshold": ("years_crime_free", int, (1, 15)),
    "subjectHasOnlyProp64Charges": ("only_prop64", bool, None),
    "subjectIsDeceased": ("deceased", bool, None),
}
_SECTION_ENTRY = re.compile(r"^(11357|11358|11359|11360)(\((?:[a-d]|no-sub-section)\))?$", re.I)


class _Source:
    def __init__(self, name: str, text: str) -> None:
        self.name, self.lines = name, text.splitlines()

    def line_of(self, key: str) -> int:
        needle = f'"{key}"'
        for number, line in enumerate(self.lines, start=1):
            if needle in line:
                return number
        return 0

    def fail(self, key: str, message: str) -> RulesError:
        line = self.line_of(key) if key else 0
        where = f"{self.name}:{line}" if line else self.name
        return RulesError(f"{where}: {message}")


def _load(path_or_mapping: str | Path | Mapping[str, object]) -> tuple[object, _Source]:
    if isinstance(path_or_mapping, Mapping):
        return path_or_mapping, _Source("<gogen options>", "")
    path = Path(path_or_mapping)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RulesError(f"{path}: no such options file") from None
    except UnicodeDecodeError:
        raise RulesError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise RulesError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return json.loads(text), _Source(str(path), text)
    except json.JSONDecodeError as exc:
        raise RulesError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None


def _sections(value: object, key: str, src: _Source) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise src.fail(key, f"baselineEligibility.{key} must be a list of code sections")
    for entry in value:
        if not _SECTION_ENTRY.match(entry.strip()):
            raise src.fail(
                key,
                f"baselineEligibility.{key}: '{entry}' is not a Prop 64 section "
                "(11357, 11358, 11359, 11360, optionally 11357(a)-(d) or 11357(no-sub-section))",
            )
    return tuple(v.strip() for v in value)


def read_gogen_options(
    path_or_mapping: str | Path | Mapping[str, object],
) -> tuple[dict[str, object], bytes, str]:
    """Validated gogen pack parameters, canonical option bytes (for the hash), and source."""
    doc, src = _load(path_or_mapping)
    if not isinstance(doc, Mapping):
        raise src.fail("", "options must be a JSON object")
    for key in doc:
        if key not in ("baselineEligibility", "additionalRelief"):
            raise src.fail(
                str(key), f"unknown option '{key}' (expected baselineEligibility, additionalRelief)"
            )
    baseline = doc.get("baselineEligibility", {})
    if not isinstance(baseline, Mapping):
        raise src.fail("baselineEligibility", "baselineEligibility must be an object")
    for key in baseline:
        if key not in ("dismiss", "reduce"):
            raise src.fail(
                str(key), f"unknown option baselineEligibility.{key} (expected dismiss, reduce)"
            )
    dismiss = _sections(baseline.get("dismiss"), "dismiss", src)
    reduce = _sections(baseline.get("reduce"), "reduce", src)
    both = {d.lower() for d in dismiss} & {r.lower() for r in reduce}
    if both:
        raise src.fail(
            "reduce", f"section {sorted(both)[0]} is in both the dismiss and the reduce list"
        )
    relief = doc.get("additionalRelief", {})
    if not isinstance(relief, Mapping):
        raise src.fail("additionalRelief", "additionalRelief must be an object")
    params: dict[str, object] = {"dismiss_sections": dismiss, "reduce_sections": reduce}
    for name, kind, _bounds in RELIEF_KEYS.values():
        params[name] = False if kind is bool else 0
    for key, value in relief.items():
        if key not in RELIEF_KEYS:
            known = ", ".join(RELIEF_KEYS)
            raise src.fail(str(key), f"unknown option additionalRelief.{key} (known: {known})")
        name, kind, bounds = RELIEF_KEYS[key]
        if kind is bool:
            if not isinstance(value, bool):
                raise src.fail(key, f"additionalRelief.{key} must be true or false")
        else:
            if not isinstance(value, int) or isinstance(value, bool):
                raise src.fail(key, f"additionalRelief.{key} must be a whole number")
            assert bounds is not None
            low, high = bounds
            if value != 0 and not low <= value <= high:
                raise src.fail(
                    key,
                    f"additionalRelief.{key} should be between {low} and {high}, or 0 (off); got {value}",
                )
        params[name] = value
    canonical = json.dumps(params, sort_keys=True).encode()
    return params, canonical, src.name
