"""Plain language for patients: a jargon glossary and a grade-level readability score."""

from __future__ import annotations

import re

from medora.models import Audience

# jargon -> plain words (applied to extracted text that has no plain-language version)
GLOSSARY: dict[str, str] = {
    "myocardial infarction": "heart attack",
    "cerebrovascular accident": "stroke",
    "hypertension": "high blood pressure",
    "hypotension": "low blood pressure",
    "hyperlipidemia": "high cholesterol",
    "hyperglycemia": "high blood sugar",
    "hypoglycemia": "low blood sugar",
    "dyspnea": "shortness of breath",
    "dyspnoea": "shortness of breath",
    "tachycardia": "fast heartbeat",
    "bradycardia": "slow heartbeat",
    "edema": "swelling",
    "oedema": "swelling",
    "pyrexia": "fever",
    "febrile": "feverish",
    "analgesics": "pain relievers",
    "analgesic": "pain reliever",
    "analgesia": "pain relief",
    "antipyretic": "fever-reducing medicine",
    "nonsteroidal anti-inflammatory drugs": "anti-inflammatory painkillers (like ibuprofen)",
    "nsaids": "anti-inflammatory painkillers (like ibuprofen)",
    "contraindicated": "not safe to use",
    "prophylaxis": "prevention",
    "prophylactic": "preventive",
    "benign": "not cancer",
    "malignant": "cancerous",
    "malignancy": "cancer",
    "neoplasm": "tumor",
    "metastasis": "spread of cancer",
    "metastases": "spread of cancer",
    "metastatic": "spread",
    "carcinoma": "cancer",
    "renal": "kidney",
    "hepatic": "liver",
    "pulmonary": "lung",
    "cardiac": "heart",
    "gastrointestinal": "stomach and bowel",
    "cutaneous": "skin",
    "subcutaneous": "under the skin",
    "intravenous": "into a vein",
    "intravenously": "into a vein",
    "intramuscular": "into a muscle",
    "intramuscularly": "into a muscle",
    "orally": "by mouth",
    "etiology": "cause",
    "aetiology": "cause",
    "idiopathic": "of unknown cause",
    "prognosis": "outlook",
    "morbidity": "illness",
    "mortality": "death rate",
    "asymptomatic": "without symptoms",
    "acute": "sudden",
    "chronic": "long-lasting",
    "bilateral": "on both sides",
    "unilateral": "on one side",
    "lesion": "abnormal area",
    "lesions": "abnormal areas",
    "syncope": "fainting",
    "pruritus": "itching",
    "emesis": "vomiting",
    "hematuria": "blood in the urine",
    "haematuria": "blood in the urine",
    "dysuria": "pain when passing urine",
    "erythema": "redness",
    "vertebral": "spine",
    "vertebra": "spine bone",
    "thrombosis": "blood clot",
    "thrombus": "blood clot",
    "embolism": "blocked blood vessel",
    "anticoagulant": "blood thinner",
    "anticoagulation": "blood-thinning treatment",
    "sequelae": "after-effects",
    "titrate": "adjust",
    "efficacy": "how well it works",
}
_PATTERN = re.compile(r"\b(" + "|".join(sorted(map(re.escape, GLOSSARY), key=len, reverse=True)) + r")\b", re.I)


def plain(text: str) -> str:
    """Swap jargon for plain words, keeping the first letter's case."""

    def repl(m: re.Match[str]) -> str:
        lay = GLOSSARY[m.group(1).lower()]
        return lay[0].upper() + lay[1:] if m.group(1)[0].isupper() else lay

    return _PATTERN.sub(repl, text)


_VOWELS = re.compile(r"[aeiouy]+")
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


def syllables(word: str) -> int:
    """Vowel-group count with the silent-e and -le rules; close to dictionary counts for English prose."""
    w = word.lower()
    n = len(_VOWELS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and n > 1:
        n -= 1
    return max(1, n)


def grade_level(text: str) -> float | None:
    """Flesch-Kincaid grade level (Kincaid et al. 1975) of the text.

    Computed here with a heuristic syllable counter so an answer costs microseconds; textstat
    0.7.8's dictionary lookup takes seconds to load in a cold process. The evaluation suite
    cross-checks these grades against textstat.
    """
    words = _WORD.findall(text)
    if len(words) < 10:
        return None
    sentences = max(1, len(re.findall(r"[.!?]+(?:\s|$)", text)))
    syl = sum(syllables(w) for w in words)
    return round(0.39 * len(words) / sentences + 11.8 * syl / len(words) - 15.59, 1)


DISCLAIMERS = {
    Audience.CLINICIAN: (
        "For healthcare professionals. Medora summarises published guidelines and research to support, not "
        "replace, clinical judgement. Check doses, contraindications and recommendations against the cited "
        "sources and your local protocols before acting. Answers marked pending review have not yet been "
        "approved by Medora's medical advisory board."
    ),
    Audience.PATIENT: (
        "This information is for learning only. It is not a diagnosis and does not replace advice from your "
        "own doctor, nurse or pharmacist, who know your health. If you think you may have an emergency, call "
        "your local emergency number now."
    ),
}
SEEK_CARE_INTRO = (
    "See a doctor promptly if your symptoms are severe, getting worse, or worrying you; "
    "call your local emergency number for any sign of an emergency."
)
