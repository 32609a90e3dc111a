"""openFDA `drug/label` records: one "Drug label" source per label, passages per label section.

Takes the three shapes openFDA label data comes in: JSON Lines (one record per line, as in
../shared/data/corpus/druglabels), a bulk download (`{"meta": ..., "results": [records]}`, as
`drug-label-0001-of-0013.json`) and the same zipped (`.json.zip`). Each section keeps the heading the
label gives it; the section number and title openFDA leaves at the start of the text are stripped,
and a section whose text is repeated inside another (12 CLINICAL PHARMACOLOGY holds 12.1 Mechanism
of Action) is kept once, under its most specific heading. Brand, generic and substance names become
synonyms of each other (returned in `ReadResult.synonyms`), so "Lexapro" finds escitalopram.

Usage example::

    result = read_druglabels(Path("../shared/data/corpus/druglabels/druglabels-common.jsonl"))
    result.sources[0].title   # 'Lisinopril — FDA prescribing information'
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from medora.corpus.base import ReadResult, pack, sentences
from medora.errors import SourceFileError
from medora.models import Passage, Source, SourceType
from medora.question import question_for

ORGANIZATION = "US Food and Drug Administration (openFDA drug label)"
DAILYMED = "https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid={}"

# openFDA field -> (heading as the label names it, answer-section kind, title regex openFDA leaves at the
# start of the text). Fields not listed (tables, package labels, product data, bibliography, animal
# toxicology, trial reports) are not indexed. Order is the label's own order.
SECTIONS: dict[str, tuple[str, str | None, str]] = {
    "boxed_warning": ("Boxed warning", "red_flags", r"(?:boxed\s+)?warnings?"),
    "indications_and_usage": ("Indications and usage", "background", r"indications?\s*(?:and|&)\s*usage|uses?"),
    "purpose": ("Purpose", "background", r"purposes?"),
    "active_ingredient": ("Active ingredient", "background", r"active ingredients?(?:\s*\([^)]*\))?"),
    "dosage_and_administration": (
        "Dosage and administration",
        "management",
        r"dosage\s*(?:and|&)\s*administration|directions",
    ),
    "dosage_forms_and_strengths": (
        "Dosage forms and strengths",
        "management",
        r"dosage forms?\s*(?:and|&)\s*strengths?",
    ),
    "contraindications": ("Contraindications", "pitfalls", r"contraindications?"),
    "do_not_use": ("Do not use", "pitfalls", r"do not use"),
    "warnings_and_cautions": (
        "Warnings and precautions",
        "pitfalls",
        r"warnings?\s*(?:and|&)\s*(?:precautions|cautions)",
    ),
    "warnings": ("Warnings", "pitfalls", r"warnings?"),
    "precautions": ("Precautions", "pitfalls", r"precautions?"),
    "general_precautions": ("Precautions: general", "pitfalls", r"general"),
    "ask_doctor": ("Ask a doctor before use", "escalation", r"ask a doctor before use(?: if you have)?"),
    "ask_doctor_or_pharmacist": (
        "Ask a doctor or pharmacist before use",
        "pitfalls",
        r"ask a doctor or pharmacist before use(?: if you are)?",
    ),
    "stop_use": ("Stop use and ask a doctor", "escalation", r"stop use and ask a doctor(?: if)?"),
    "adverse_reactions": ("Adverse reactions", "pitfalls", r"adverse reactions?"),
    "drug_interactions": ("Drug interactions", "pitfalls", r"drug interactions?"),
    "drug_and_or_laboratory_test_interactions": (
        "Drug/laboratory test interactions",
        "pitfalls",
        r"drug\s*(?:/|and/or|and)\s*laboratory test interactions?",
    ),
    "use_in_specific_populations": ("Use in specific populations", "pitfalls", r"use in specific populations"),
    "pregnancy": ("Pregnancy", "pitfalls", r"pregnancy"),
    "teratogenic_effects": ("Pregnancy: teratogenic effects", "pitfalls", r"teratogenic effects"),
    "nonteratogenic_effects": ("Pregnancy: nonteratogenic effects", "pitfalls", r"non-?teratogenic effects"),
    "labor_and_delivery": ("Labor and delivery", "pitfalls", r"labor and delivery"),
    "nursing_mothers": ("Lactation", "pitfalls", r"nursing mothers|lactation"),
    "pregnancy_or_breast_feeding": (
        "Pregnancy or breast-feeding",
        "pitfalls",
        r"if pregnant or breast-?feeding,?",
    ),
    "pediatric_use": ("Pediatric use", "pitfalls", r"pediatric use"),
    "geriatric_use": ("Geriatric use", "pitfalls", r"geriatric use"),
    "pharmacogenomics": ("Pharmacogenomics", "workup", r"pharmacogenomics"),
    "laboratory_tests": ("Laboratory tests", "follow_up", r"laboratory tests"),
    "drug_abuse_and_dependence": ("Drug abuse and dependence", "pitfalls", r"drug abuse and dependence"),
    "controlled_substance": ("Controlled substance", "background", r"controlled substance"),
    "abuse": ("Abuse", "pitfalls", r"abuse"),
    "dependence": ("Dependence", "pitfalls", r"dependence"),
    "overdosage": ("Overdosage", "red_flags", r"overdosage"),
    "description": ("Description", "background", r"description"),
    "clinical_pharmacology": ("Clinical pharmacology", "background", r"clinical pharmacology"),
    "mechanism_of_action": ("Mechanism of action", "background", r"mechanism of action"),
    "pharmacodynamics": ("Pharmacodynamics", "background", r"pharmacodynamics"),
    "pharmacokinetics": ("Pharmacokinetics", "background", r"pharmacokinetics"),
    "how_supplied": (
        "How supplied/storage and handling",
        "background",
        r"how supplied(?:\s*/\s*storage\s*(?:and|&)\s*handling)?",
    ),
    "storage_and_handling": ("Storage and handling", "background", r"storage\s*(?:and|&)\s*handling"),
    "information_for_patients": (
        "Patient counseling information",
        "supportive",
        r"patient counseling information|information for patients",
    ),
    "spl_medguide": ("Medication guide", "supportive", r"medication guide"),
    "spl_patient_package_insert": ("Patient information", "supportive", r"patient information"),
    "patient_medication_information": ("Patient information", "supportive", r"patient information"),
    "instructions_for_use": ("Instructions for use", "management", r"instructions for use"),
    "keep_out_of_reach_of_children": ("Keep out of reach of children", "red_flags", r"keep out of reach of children"),
    "other_safety_information": ("Other information", "background", r"other (?:safety )?information"),
    "questions": ("Questions", "background", r"questions\s*\??(?:\s*or comments\s*\??)?"),
}

# The question each section answers, for retrieval's question matching (#13 part 6): a question type of
# `medora.question.QUESTIONS` (worded as the user's question is reduced) or a wording of its own ({f}: the drug).
LABEL_QUESTIONS: dict[str, str] = {
    "boxed_warning": "What are the most serious risks of {f}?",
    "indications_and_usage": "What is {f} used for?",
    "purpose": "What is {f} used for?",
    "active_ingredient": "What is in {f}?",
    "dosage_and_administration": "dose",
    "dosage_forms_and_strengths": "What forms and strengths does {f} come in?",
    "contraindications": "contraindications",
    "do_not_use": "contraindications",
    "warnings_and_cautions": "What are the warnings and precautions for {f}?",
    "warnings": "What are the warnings and precautions for {f}?",
    "precautions": "What are the warnings and precautions for {f}?",
    "general_precautions": "What are the warnings and precautions for {f}?",
    "ask_doctor": "When should I ask a doctor before taking {f}?",
    "ask_doctor_or_pharmacist": "When should I ask a doctor before taking {f}?",
    "stop_use": "When should I stop taking {f}?",
    "adverse_reactions": "side_effects",
    "drug_interactions": "interactions",
    "drug_and_or_laboratory_test_interactions": "Does {f} affect laboratory tests?",
    "use_in_specific_populations": "Who needs special care when taking {f}?",
    "pregnancy": "pregnancy",
    "teratogenic_effects": "pregnancy",
    "nonteratogenic_effects": "pregnancy",
    "labor_and_delivery": "pregnancy",
    "nursing_mothers": "pregnancy",
    "pregnancy_or_breast_feeding": "pregnancy",
    "pediatric_use": "Is {f} safe for children?",
    "geriatric_use": "Is {f} safe for older adults?",
    "pharmacogenomics": "How do genes change how {f} works?",
    "laboratory_tests": "What tests are needed while taking {f}?",
    "drug_abuse_and_dependence": "Is {f} addictive?",
    "controlled_substance": "Is {f} addictive?",
    "abuse": "Is {f} addictive?",
    "dependence": "Is {f} addictive?",
    "overdosage": "What happens if I take too much {f}?",
    "description": "What is {f} and what does it contain?",
    "clinical_pharmacology": "mechanism",
    "mechanism_of_action": "mechanism",
    "pharmacodynamics": "mechanism",
    "pharmacokinetics": "time_course",
    "how_supplied": "How should I store {f}?",
    "storage_and_handling": "How should I store {f}?",
    "information_for_patients": "What should I know about taking {f}?",
    "spl_medguide": "What should I know about taking {f}?",
    "spl_patient_package_insert": "What should I know about taking {f}?",
    "patient_medication_information": "What should I know about taking {f}?",
    "instructions_for_use": "How do I use {f}?",
}
# Subsections of Use in Specific Populations (headings as POPULATIONS below names them) ask their own question.
SUBSECTION_QUESTIONS: dict[str, str] = {
    "Lactation": "pregnancy",
    "Pregnancy": "pregnancy",
    "Females and males of reproductive potential": "pregnancy",
    "Renal impairment": "Can people with kidney disease take {f}?",
    "Hepatic impairment": "Can people with liver disease take {f}?",
    "Pediatric use": "Is {f} safe for children?",
    "Geriatric use": "Is {f} safe for older adults?",
}


def section_question(field: str, heading: str, drug: str) -> str | None:
    """The question a label section answers ("What are the side effects of Lexapro (escitalopram)?"), if any."""
    wording = SUBSECTION_QUESTIONS.get(heading) or LABEL_QUESTIONS.get(field)
    if wording is None:
        return None
    return wording.format(f=drug) if "{f}" in wording else question_for(drug, wording)


# "8.2 Lactation", "8.6 Renal Impairment": the subsections of Use in Specific Populations that openFDA
# does not give fields of their own.
POPULATIONS: tuple[tuple[str, str], ...] = (
    (r"lactation|nursing mothers", "Lactation"),
    (r"females and males of reproductive potential", "Females and males of reproductive potential"),
    (r"renal impairment|(?:use in )?patients with (?:renal|kidney) impairment", "Renal impairment"),
    (r"hepatic impairment|(?:use in )?patients with hepatic impairment", "Hepatic impairment"),
    (r"pregnancy", "Pregnancy"),
    (r"pediatric use", "Pediatric use"),
    (r"geriatric use", "Geriatric use"),
)
# Salt and hydrate words dropped from the end of a name: "escitalopram oxalate" is escitalopram.
SALTS = frozenset(
    """hydrochloride hcl dihydrochloride sodium potassium calcium magnesium sulfate bisulfate sulphate maleate
    mesylate tartrate bitartrate fumarate succinate citrate hydrobromide acetate phosphate besylate oxalate
    tosylate camsylate olamine meglumine monohydrate dihydrate trihydrate hemihydrate anhydrous
    valerate malate s-malate bromide chloride nitrate lactate gluconate dimethyl sulfoxide""".split()
)
# Words of a product name that describe the form, not the drug: "Pristiq Extended-Release" is Pristiq.
FORMS = frozenset(
    """tablet tablets capsule capsules oral solution suspension injection injectable extended-release
    delayed-release delayed release extended er xr sr cr la odt usp spray inhalation cream gel for in kit
    film-coated chewable""".split()
)
NUMERIC = re.compile(r"[\d.,%()<>=≥≤±/:;+\-–—*†‡§¶]+|N|n|NA|vs|mg|mcg|mL|kg|h|hr|L|g")
LONGEST_SENTENCE = 150
FOOTNOTE = frozenset("*†‡§¶#")
FOOTNOTE_START = re.compile(r"([.!?])\s+(?=(?:\*{1,3}|[†‡§¶]{1,3})\s)")
TABLE_TALK = re.compile(
    r"^(?:Table|Figure)\s+\d|\b(?:shown|presented|summari[sz]ed|listed|displayed) (?:below )?in (?:Table|Figure)"
)
HEADING_NUMBER = r"(?:[A-Z]\.\s*|\d+(?:\.\d+)*\.?\s*)?"


def read_druglabels(path: Path) -> ReadResult:
    """Every label in a JSON Lines, bulk JSON or zipped bulk file."""
    newest: dict[str, dict] = {}  # set_id -> the newest version of that label in this file
    for rec in _records(path):
        set_id = str(rec.get("set_id") or rec.get("id") or "")
        if set_id and (set_id not in newest or _effective(rec) > _effective(newest[set_id])):
            newest[set_id] = rec
    out = ReadResult()
    for rec in newest.values():
        label = read_label(rec)
        if label is not None:
            out.sources += label.sources
            out.passages += label.passages
            out.synonyms += label.synonyms
    return out


def _effective(rec: dict) -> str:
    return str(rec.get("effective_time") or "")


def _records(path: Path) -> Iterator[dict]:
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                for name in sorted(n for n in zf.namelist() if n.lower().endswith((".json", ".jsonl"))):
                    yield from _parse(path, zf.read(name).decode("utf-8"), name.lower().endswith(".jsonl"))
            return
        text = path.read_text(encoding="utf-8")
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise SourceFileError(path, f"cannot read: {exc}") from exc
    yield from _parse(path, text, path.suffix.lower() == ".jsonl")


def _parse(path: Path, text: str, lines: bool) -> Iterator[dict]:
    text = text.lstrip("\ufeff")
    if not lines:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceFileError(path, f"invalid JSON at line {exc.lineno}: {exc.msg}") from exc
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            data = data["results"]  # an openFDA API response or bulk download
        items = data if isinstance(data, list) else [data]
        for i, rec in enumerate(items):
            if not isinstance(rec, dict):
                raise SourceFileError(path, f"record {i} is not a JSON object")
            yield rec
        return
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SourceFileError(path, f"line {n} is not valid JSON ({exc.msg} at column {exc.colno})") from exc
        if not isinstance(rec, dict):
            raise SourceFileError(path, f"line {n} is not a JSON object (an openFDA drug/label record)")
        yield rec


def read_label(rec: dict) -> ReadResult | None:
    """One openFDA record -> its source, section passages and name synonyms (None without a name or text)."""
    fda = rec.get("openfda") or {}
    brands = _unique(_squash(b) for b in fda.get("brand_name") or [])
    generics = _unique(_squash(g).lower() for g in fda.get("generic_name") or [])
    substances = _unique(_squash(s).lower() for s in fda.get("substance_name") or [])
    set_id = str(rec.get("set_id") or rec.get("id") or "")
    if not set_id or not (brands or generics or substances):
        return None
    generic = generics[0] if generics else " and ".join(substances)
    brand = _display_brand(brands[0]) if brands else ""
    if not brand or _norm(brand, FORMS) == _norm(generic):
        name = brand if brand[:1].isupper() else generic
    else:
        name = f"{brand} ({generic})"
    effective = _effective(rec)
    date = f"{effective[:4]}-{effective[4:6]}-{effective[6:8]}" if re.fullmatch(r"\d{8}", effective) else None
    otc = "OTC" in " ".join(fda.get("product_type") or [])
    names = drug_names(brands, generics, substances)
    source = Source(
        id=f"druglabel:{set_id}",
        type=SourceType.DRUG_LABEL,
        title=f"{name} — FDA {'Drug Facts label' if otc else 'prescribing information'}",
        organization=ORGANIZATION,
        year=int(effective[:4]) if date else None,
        url=DAILYMED.format(set_id),
        last_reviewed=date,
        corpus="druglabel",
        extra={
            "brand_name": "|".join(brands),
            "generic_name": "|".join(generics),
            "substance_name": "|".join(substances),
            "route": "|".join(r.lower() for r in fda.get("route") or []),
            "product_type": "|".join(fda.get("product_type") or []),
            "manufacturer": "|".join(fda.get("manufacturer_name") or []),
            "application_number": "|".join(fda.get("application_number") or []),
            "set_id": set_id,
            "effective_date": date or "",
            "names": "|".join(names["generic"]),
            "brand_names": "|".join(names["brand"]),
        },
    )
    focus = _norm(generic)
    asked_as = f"{brand} ({focus})" if brand and _norm(brand, FORMS) != focus else focus  # "Zoloft (sertraline)"
    passages: list[Passage] = []
    for field, heading, kind, chunks in label_sections(rec):
        question = section_question(field, heading, asked_as)
        for i, chunk in enumerate(chunks):
            passages.append(
                Passage(
                    id=f"druglabel:{set_id}:{field}:{i}",
                    source_id=source.id,
                    heading=heading,
                    text=chunk,
                    position=len(passages),
                    kind=kind,
                    cites=[source.id],
                    embed_text=f"{name} — {heading}: {chunk}",
                    meta={"section": field, "focus": focus} | ({"question": question} if question else {}),
                )
            )
    if not passages:
        return None
    every = names["brand"] + names["generic"]
    synonyms = [(a, b, "druglabel") for a in every for b in every if a != b]
    return ReadResult([source], passages, synonyms)


def label_sections(rec: dict) -> list[tuple[str, str, str | None, list[str]]]:
    """(field, heading, kind, chunks) for every indexed section, each text kept once."""
    pieces: list[tuple[str, str]] = []
    for field in SECTIONS:
        for text in rec.get(field) or []:
            if isinstance(text, str) and _squash(text):
                pieces.append((field, _squash(text)))
    pieces = _without_repeats(pieces)
    out: list[tuple[str, str, str | None, list[str]]] = []
    for field, text in pieces:
        heading, kind, title = SECTIONS[field]
        for sub_heading, body in _subsections(field, heading, text, title):
            words = body.split()
            if len(words) < 8 or not re.search(r"[a-z]{3}", body):
                continue  # a heading left alone, or a table's number grid
            if field == "boxed_warning":
                sub_heading, body = _boxed_title(body)
            body = prose(body)
            if len(body.split()) < 8:
                continue
            chunks = pack([para.strip() for para in body.split("\n\n") if para.strip()])
            if out and out[-1][1] == sub_heading and out[-1][0] == field:
                out[-1][3].extend(chunks)
            else:
                out.append((field, sub_heading, kind, chunks))
    return out


def prose(text: str) -> str:
    """The text without the rows of its tables (openFDA flattens them into runs of numbers) and footnotes."""
    kept = []
    for sent in sentences(FOOTNOTE_START.sub(r"\1\n\n", text)):
        tokens = sent.split()
        numeric = sum(1 for t in tokens if NUMERIC.fullmatch(t))
        if sent[:1] in FOOTNOTE or (len(tokens) >= 12 and numeric > 0.4 * len(tokens)) or TABLE_TALK.search(sent):
            continue
        if len(tokens) > LONGEST_SENTENCE:  # a flattened list or table: cut it so no chunk grows past pack's size
            kept += [
                " ".join(tokens[i : i + LONGEST_SENTENCE]) + "\n\n" for i in range(0, len(tokens), LONGEST_SENTENCE)
            ]
        else:
            kept.append(sent)
    return " ".join(kept).strip()


def _without_repeats(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each text once: of two near-copies the earlier field stays; a parent section loses its children's text."""
    drop: set[int] = set()
    for i, (_, text) in enumerate(pieces):
        for j, (_, other) in enumerate(pieces):
            if i < j and j not in drop and i not in drop:
                short, long_ = sorted((text, other), key=len)
                if short in long_ and len(short) >= 0.9 * len(long_):
                    drop.add(j)  # "teratogenic effects" repeating the pregnancy section, word for word
    kept = [piece for i, piece in enumerate(pieces) if i not in drop]
    out = []
    for i, (field, text) in enumerate(kept):
        for j, (_, other) in enumerate(kept):
            if j != i and len(other) < len(text) and other in text:
                text = text.replace(other, " ")
        text = _squash(text)
        if text:
            out.append((field, text))
    return out


def strip_title(text: str, title: str) -> str:
    """Drop the section number and title openFDA leaves at the start ("8.1 Pregnancy 8.1 Pregnancy ...")."""
    first, again = _title_patterns(title)
    return again.sub("", first.sub("", text, count=1), count=1).strip()


@lru_cache(maxsize=256)
def _title_patterns(title: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    first = re.compile(rf"^\s*{HEADING_NUMBER}(?:{title})\s*[:.\-–—]?\s*(?=\S|$)", re.I)
    again = re.compile(rf"^\s*\d+(?:\.\d+)*\.?\s*(?:{title})\s*[:.\-–—]?\s*(?=\S|$)", re.I)
    return first, again


def _subsections(field: str, heading: str, text: str, title: str) -> list[tuple[str, str]]:
    """Split at "8.2 Lactation" style markers; known population subsections get their own heading."""
    text = strip_title(text, title)
    major = re.match(r"^\s*(\d+)\.\d", text)
    if field != "use_in_specific_populations" and not major:
        return [(heading, text)]
    num = major.group(1) if major else "8"
    parts = re.split(rf"(?<![\d.(\[])\s(?={num}\.\d+\s+[A-Z])", " " + text)
    out = []
    for part in parts:
        part = part.strip()
        sub = heading
        for pat, name in POPULATIONS if field == "use_in_specific_populations" else ():
            m = re.match(rf"^{num}\.\d+\s+(?:{pat})\b", part, re.I)
            if m:
                sub, part = name, part[m.end() :].strip(" :.")
                break
        else:
            part = re.sub(rf"^{num}\.\d+\s+", "", part) if field == "use_in_specific_populations" else part
        if part:
            out.append((sub, part))
    return out


def _boxed_title(text: str) -> tuple[str, str]:
    """ "WARNING: SUICIDAL THOUGHTS AND BEHAVIORS Antidepressants ..." -> the heading names the warning."""
    tokens = re.sub(r"^WARNINGS?\s*:?\s*", "", text).split(" ")
    n = 0
    while n < min(len(tokens), 30):
        tok = tokens[n]
        upper = bool(re.search(r"[A-Z]", tok)) and not re.search(r"[a-z]", tok)
        joins = tok in {"and", "or", "of", "in", "with"} and n + 1 < len(tokens) and tokens[n + 1].isupper()
        if not (upper or joins) or (n and re.fullmatch(r"WARNINGS?:?", tok)):
            break
        n += 1
    if n > 2 and n < len(tokens) and tokens[n][:1].islower():
        n -= 1  # "... TOXICITY JUXTAPID can cause": the last capital word starts the sentence
    if n < 2 or n >= len(tokens) or n >= 30:
        return "Boxed warning", text
    title = " ".join(tokens[:n]).strip(" :")
    body = " ".join(tokens[n:])
    body = re.sub(rf"^WARNINGS?\s*:?\s*{re.escape(title)}\s*", "", body)  # the highlights repeat it
    return f"Boxed warning: {title.lower()}", body


def drug_names(brands: list[str], generics: list[str], substances: list[str]) -> dict[str, list[str]]:
    """Lower-case names a question may use: {"generic": [...], "brand": [...]} (salts and forms dropped)."""
    generic_names = _unique(n for g in generics for n in (g, _norm(g)) if n)
    if len(substances) == 1:
        generic_names = _unique([*generic_names, substances[0], _norm(substances[0])])
    brand_names = _unique(n for b in brands if (n := _norm(b, FORMS)) and n not in generic_names)
    return {"generic": [n for n in generic_names if len(n) > 2], "brand": [n for n in brand_names if len(n) > 2]}


def _norm(name: str, drop: frozenset[str] = frozenset()) -> str:
    """Lower-case, no trademark signs or brackets, salt words (and `drop` words) removed from the end."""
    name = re.sub(r"\([^)]*\)|[®™*]", " ", name.lower())
    words = [w.strip(",;") for w in name.split() if w.strip(",;")]
    words = [w for w in words if w not in drop]
    while len(words) > 1 and words[-1] in SALTS:
        words.pop()
    return " ".join(words)


def _squash(text: str) -> str:
    """One space between words (label text has no paragraphs to keep; much faster than a regex on 100 kB)."""
    return " ".join(text.split())


def _display_brand(brand: str) -> str:
    return brand.title() if brand.isupper() and len(brand) > 4 else brand


def _unique(items: object) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))  # type: ignore[attr-defined]
