"""Clinical values in free text: vitals and labs as people write them, judged against critical limits.

"K 6.9", "K+ 7.1", "potassium 6.9 mmol/L", "glucose 34 mmol/L" or "glucose 610 mg/dL", "pH 7.05",
"sats 82% on 15 L", "HR 34, BP 72/40", "ANC 0.2 and temp 38.9", "GCS 7/15", "temp 104 F". Only ASCII
digits count as numbers ("²" is not a two). Each reading is converted to one unit and compared with the
table below; every threshold names where it comes from:

* KOST: Kost GJ. Critical limits for urgent clinician notification at US medical centers. JAMA
  1990;263(5):704-7 (doi 10.1001/jama.263.5.704, PMID 2296127): mean low and high critical limits of
  US laboratory critical-value lists.
* NEWS2: Royal College of Physicians. National Early Warning Score (NEWS) 2, 2017: a single vital sign
  scoring 3 (a "red score") calls for an urgent clinical response.
* IDSA-FN: Freifeld AG et al. IDSA clinical practice guideline for neutropenic patients with cancer,
  Clin Infect Dis 2011;52(4):e56-93: fever >= 38.0 C with ANC < 0.5 x 10^9/L is febrile neutropenia.
* SSC-BUNDLE: Levy MM, Evans LE, Rhodes A. The Surviving Sepsis Campaign Bundle: 2018 update. Crit Care
  Med 2018;46(6):997-1000: lactate >= 4 mmol/L calls for immediate fluid resuscitation.
* ACC/AHA-HTN: 2017 ACC/AHA high blood pressure guideline (Whelton PK et al., Hypertension 2018;71:e13-e115):
  BP > 180/120 mmHg with new organ damage is a hypertensive emergency (symptoms are judged by the rules).

Usage example::

    [v.name for v in critical(read_values("k 6.9 with peaked t waves"))]   # ['potassium']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medora.text import plain

NUM = r"(-?[0-9]+(?:[.,][0-9]+)?)"
_SEP = r"\s*(?:\+|\(?serum\)?|level|levels|lvl|reading|count|sat|sats)?\s*(?:of|is|was|at|=|:|->|~|now|came back|just)?\s*(?:only|about|around|approx\.?|~)?\s*"


@dataclass(frozen=True)
class Limit:
    low: float | None  # critical at or below
    high: float | None  # critical at or above
    unit: str
    source: str


@dataclass(frozen=True)
class ClinicalValue:
    name: str  # potassium, sodium, glucose, ph, bicarbonate, lactate, hemoglobin, platelets, anc, ...
    value: float  # in the table's unit
    unit: str
    text: str  # as written

    @property
    def label(self) -> str:
        shown = f"{self.value:g}"
        return f"{DISPLAY.get(self.name, self.name)} {shown} {self.unit}".strip()


LIMITS: dict[str, Limit] = {
    "potassium": Limit(2.8, 6.2, "mmol/L", "KOST"),
    "sodium": Limit(120, 158, "mmol/L", "KOST"),
    "glucose": Limit(2.6, 26.9, "mmol/L", "KOST"),
    "calcium": Limit(1.65, 3.22, "mmol/L", "KOST"),
    "ph": Limit(7.21, 7.59, "", "KOST"),
    "bicarbonate": Limit(11, 40, "mmol/L", "KOST"),
    "hemoglobin": Limit(66, 199, "g/L", "KOST"),
    "platelets": Limit(37, 910, "x10^9/L", "KOST"),
    "lactate": Limit(None, 4.0, "mmol/L", "SSC-BUNDLE"),
    "heart_rate": Limit(40, 131, "/min", "NEWS2"),
    "resp_rate": Limit(8, 25, "/min", "NEWS2"),
    "spo2": Limit(91, None, "%", "NEWS2"),
    "systolic": Limit(90, 220, "mmHg", "NEWS2"),
    "diastolic": Limit(None, 120, "mmHg", "ACC/AHA-HTN"),
    "temperature": Limit(35.0, None, "°C", "NEWS2"),
    "gcs": Limit(13, None, "/15", "NEWS2"),  # any new drop in consciousness scores 3; GCS <= 13 is unmistakable
    "anc": Limit(0.5, None, "x10^9/L", "IDSA-FN"),  # critical only with fever (see critical())
}
SOURCES = {
    "KOST": "laboratory critical limits (Kost, JAMA 1990)",
    "NEWS2": "NEWS2 red score (Royal College of Physicians 2017)",
    "IDSA-FN": "febrile neutropenia (IDSA 2010)",
    "SSC-BUNDLE": "Surviving Sepsis Campaign bundle (2018)",
    "ACC/AHA-HTN": "hypertensive emergency (ACC/AHA 2017)",
}
DISPLAY = {
    "ph": "pH",
    "anc": "ANC",
    "spo2": "SpO2",
    "gcs": "GCS",
    "heart_rate": "heart rate",
    "resp_rate": "respiratory rate",
    "systolic": "systolic BP",
    "diastolic": "diastolic BP",
}
FEVER_C = 38.0  # IDSA-FN

_NAMES: dict[str, str] = {
    "potassium": r"k\+?|potassium|kalium|serum k",
    "sodium": r"na\+?|sodium|serum na",
    "glucose": r"glucose|blood sugar|sugar|sugars|bg|bgl|bsl|cbg|fsbg|gluc|glu|blood glucose|bm",
    "calcium": r"calcium|ca\+?\+?|corrected calcium|adj(?:usted)? ca",
    "ph": r"ph",
    "bicarbonate": r"hco3-?|bicarb(?:onate)?|bicarb|tco2|co2",
    "lactate": r"lactate|lactic acid|lac",
    "hemoglobin": r"h[ae]moglobin|hgb|hb",
    "platelets": r"platelets?|plts?|plt count",
    "anc": r"anc|neutrophils?|neuts|absolute neutrophil count",
    "heart_rate": r"hr|heart rate|pulse|pulse rate|heart ?beat|bpm",
    "resp_rate": r"rr|resp(?:iratory)? rate|resps?|breathing rate",
    "spo2": r"spo2|sp02|sao2|sats?|o2 sats?|oxygen sats?|oxygen saturation|saturation|sats? of|pulse ox|o2",
    "temperature": r"temp(?:erature)?|t|fever of|fever|temp of",
    "gcs": r"gcs|glasgow(?: coma scale| coma score)?",
}
_NAME_RE = {
    name: re.compile(rf"(?<![a-z0-9])(?:{alts}){_SEP}{NUM}\s*([a-z%°/µμ0-9^.]*(?:/[a-z]+)?)")
    for name, alts in _NAMES.items()
}
_BP = re.compile(
    r"(?:(?<![a-z])(?:bp|blood pressure|b/p|pressure|nibp|abp)\s*(?:of|is|was|at|=|:|now|down to|up to|only)?\s*)?"
    r"(?<![0-9.])([0-9]{2,3})\s*/\s*([0-9]{2,3})(?![0-9]|\s*(?:days?|weeks?|months?|years?))"
)
_SYSTOLIC = re.compile(r"(?:systolic|sbp)\s*(?:bp)?\s*(?:of|is|was|at|=|:|down to|only)?\s*([0-9]{2,3})")
_TEMP_F = re.compile(rf"{NUM}\s*(?:°|deg(?:rees?)?)?\s*(?:f|fahrenheit)\b")
_TEMP_C = re.compile(rf"{NUM}\s*(?:°\s*c|deg(?:rees?)?\s*c|celsius|degrees?\b|°)")
_AGE = re.compile(r"\b[0-9]{1,3}\s*(?:yo|y/o|yrs?|years?|months?|mo|weeks?|wk|days?)\b|\b[0-9]{1,3}\s*[mf]\b")


def _num(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def _convert(name: str, value: float, unit: str) -> float | None:
    """The value in the table's unit, or None when it cannot be a reading of that kind."""
    unit = unit.replace("μ", "µ")
    if name == "glucose":
        if "mg" in unit or (not unit.startswith("mmol") and value > 35):
            return value / 18.0
        return value
    if name == "calcium":
        return value / 4.0 if ("mg" in unit or value > 4.5) else value
    if name == "hemoglobin":
        if "g/dl" in unit or (not unit.startswith("g/l") and value < 25):
            return value * 10
        return value
    if name in {"platelets", "anc"}:
        return value / 1000 if value >= (2000 if name == "platelets" else 50) else value
    if name == "temperature":
        if unit.startswith("f") or value > 50:
            value = (value - 32) * 5 / 9
        return value if 25 <= value <= 46 else None
    if name == "ph":
        return value if 6.3 <= value <= 8.0 else None
    if name == "spo2":
        return value if 30 <= value <= 100 else None
    if name == "gcs":
        return value if 3 <= value <= 15 and value == int(value) else None
    if name in {"heart_rate", "resp_rate"}:
        return value if 2 <= value <= 300 else None
    if name == "potassium":
        return value if 0.5 <= value <= 12 else None
    if name == "sodium":
        return value if 90 <= value <= 200 else None
    return value


def read_values(text: str) -> list[ClinicalValue]:
    """Every clinical value the text states, in table units (unknown forms are skipped, never guessed)."""
    t = plain(text)
    t = re.sub(r"[\u00b2\u00b3\u00b9\u2070-\u2079\u2080-\u2089]", " ", t)  # superscripts are not digits
    found: list[ClinicalValue] = []
    spans: list[tuple[int, int]] = []
    for m in _BP.finditer(t):
        has_name = m.group(0)[:1].isalpha()
        sys_, dia = int(m.group(1)), int(m.group(2))
        if not (50 <= sys_ <= 300 and 20 <= dia <= 200 and sys_ > dia) or not (has_name or sys_ >= 60):
            continue
        spans.append(m.span())
        found.append(ClinicalValue("systolic", sys_, "mmHg", m.group(0)))
        found.append(ClinicalValue("diastolic", dia, "mmHg", m.group(0)))
    for m in _SYSTOLIC.finditer(t):
        found.append(ClinicalValue("systolic", float(m.group(1)), "mmHg", m.group(0)))
    for name, rx in _NAME_RE.items():
        for m in rx.finditer(t):
            if any(s <= m.start() < e for s, e in spans):
                continue
            if name == "temperature" and m.group(0).startswith("t") and not re.match(r"t(?:emp)?\s*[0-9]", m.group(0)):
                continue
            if name == "spo2" and m.group(0).startswith("o2") and "%" not in m.group(2) and not re.search("sat", t):
                continue  # "o2 2l" is a flow rate, not a saturation
            value = _num(m.group(1))
            if value is None or value < 0:
                continue
            unit = m.group(2) or ""
            if name == "temperature" and unit.startswith("f"):
                unit = "f"
            converted = _convert(name, value, unit)
            if converted is None:
                continue
            found.append(ClinicalValue(name, round(converted, 2), LIMITS[name].unit, m.group(0).strip()))
    # bare temperatures: "38.9 °C", "104 F", "a fever of 40"
    for rx, unit in ((_TEMP_F, "f"), (_TEMP_C, "c")):
        for m in rx.finditer(t):
            value = _num(m.group(1))
            if value is None or _AGE.match(t[m.start() :]):
                continue
            converted = _convert("temperature", value, unit)
            if converted is not None and not any(v.name == "temperature" for v in found):
                found.append(ClinicalValue("temperature", round(converted, 1), "°C", m.group(0)))
    return found


def critical(values: list[ClinicalValue]) -> list[ClinicalValue]:
    """The values beyond their critical limit (ANC counts only together with a fever)."""
    febrile = any(v.name == "temperature" and v.value >= FEVER_C for v in values)
    out = []
    for v in values:
        limit = LIMITS[v.name]
        if v.name == "anc" and not febrile:
            continue
        low = limit.low is not None and v.value <= limit.low if v.name != "spo2" else v.value <= (limit.low or 0)
        high = limit.high is not None and v.value >= limit.high
        if (low or high) and v not in out:
            out.append(v)
    return out


def describe(values: list[ClinicalValue]) -> str:
    """'potassium 6.9 mmol/L (laboratory critical limits (Kost, JAMA 1990))' for the notice."""
    return "; ".join(f"critical value: {v.label}" for v in values)
