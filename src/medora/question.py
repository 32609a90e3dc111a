"""Understand a question once, before composing: what it is about, what kind of answer it wants, for whom (#13).

A `QuestionFrame` names the question's focus (the condition, drug, test or procedure it asks about, found
in the library's own names: house topic titles and aliases, MedQuAD foci and their synonyms, drug-label
brand and generic names, with close misspellings corrected), its type (treatment, dose, side effects...),
the population it is about ("in pregnancy", "with kidney disease") and the specifics asked ("oral",
"over the counter"). Retrieval builds it once per question (`SearchEngine.frame`); composition uses it
to stay on topic, to title the answer and to lead with what was asked.

Usage example::

    lex = Lexicon.build(topics=[("gout", "Gout", ["gout flare"])], conditions=[], synonyms={}, drugs=[])
    frame = frame_of("How is an acute gout flare treated in stage 4 CKD?", lex)
    frame.focus.name, frame.qtype, frame.population      # ('gout', 'treatment', ['kidney impairment'])
    title_of(frame)                                       # 'Treatment of gout with kidney impairment'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from medora.text import alnum_words

# Who the question is about; compose shows what changes for them ("What changes: pregnancy").
POPULATIONS: dict[str, str] = {
    "pregnancy": r"pregnan\w*|breast-?\s?feed\w*|lactat\w*|postpartum|trimester",
    "children": r"\bchild\w*|\bkids?\b|pediatric|paediatric|infants?\b|toddlers?|adolescen\w*|teen\w*",
    "older adults": r"elderly|older (?:adults?|people|patients|persons?)|frail",
    "kidney impairment": r"kidney (?:disease|failure|impairment|function)|renal (?:impairment|failure|insufficiency)|"
    r"\bckd\b|\begfr\b|dialysis",
    "liver impairment": r"liver (?:disease|failure|impairment)|hepatic impairment|cirrho\w*|fatty liver",
}
POPULATION_PHRASE = {
    "pregnancy": "in pregnancy",
    "children": "in children",
    "older adults": "in older adults",
    "kidney impairment": "with kidney impairment",
    "liver impairment": "with liver impairment",
}
SPECIFICS: tuple[tuple[str, str], ...] = (
    ("oral", r"\b(oral|by mouth|tablets?|pills?|capsules?)\b"),
    ("topical", r"\b(topical|cream|ointment|gel|lotion|shampoo|powder|drops)\b"),
    ("injection", r"\b(inject\w*|shots?|iv|intravenous\w*|infusion)\b"),
    ("inhaled", r"\b(inhal\w*|nebuli\w*|puffer)\b"),
    ("over the counter", r"\b(over[- ]the[- ]counter|otc|without (a )?prescription)\b"),
    ("natural", r"\b(natural|home remed\w*|herbal|supplements?)\b"),
    ("short term", r"\b(short[- ]term|in the meantime|for now|today)\b"),
    ("long term", r"\b(long[- ]term|for years|indefinitely)\b"),
)

# Question types, first match wins (the narrow kinds come before the broad ones).
QTYPES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("missed_dose", r"\b(miss(ed|ing)?|forg[eo]t\w*|skipp?(ed)?) (a |my |the |one )?(dose|pill|tablet|shot)"),
        (
            "comparison",
            r"\b(vs\.?|versus|compared (to|with)|difference between|better than|same (thing )?as|similar to)\b",
        ),
        (
            "interactions",
            r"\b(interact\w*|at the same time|together with|along with|combin\w* with|mix\w* with|"
            r"take .{1,40} with (my |the |an? )?\w+|while (taking|on) )",
        ),
        (
            "pregnancy",
            r"\b(pregnan\w*|breast-?\s?feed\w*|nursing|lactat\w*)\b.*\b(safe|take|use|ok|okay)\b|"
            r"\b(safe|take|use|ok|okay)\b.*\b(pregnan\w*|breast-?\s?feed\w*|nursing|lactat\w*)\b",
        ),
        ("side_effects", r"\b(side[- ]?(effects?|affects?)|adverse (effects?|reactions?)|make (me|you) (feel )?\w+)\b"),
        (
            "contraindications",
            r"\b(contraindicat\w*|who should not|should(n't| not) (i )?(take|use)|is it safe|"
            r"safe(ly)? to (take|use)|can i safely)\b",
        ),
        ("dose", r"\b(dose|doses|dosage|dosing|how much|how many (mg|milligrams|pills|tablets)|mg|regimen)\b"),
        ("mechanism", r"\b(how does .{1,40} work|mechanism|what does .{1,40} do\b|how .{1,30} works)"),
        (
            "time_course",
            r"\b(how long (does|do|will|until|before|till|would|is|are|can)|how soon|kick in|take to work|"
            r"start working|last for|duration|how many days)\b",
        ),
        (
            "seek_care",
            r"\b(when (should|do|to) (i|we|you)? ?(see|call|go)|see a (doctor|gp)|which doctor|what (kind of )?doctor|"
            r"go to (the )?(er|emergency|hospital)|urgent care|should i (be )?worr\w*|is it (an )?emergency)\b",
        ),
        ("prevention", r"\b(prevent\w*|prophyla\w*|avoid getting|reduce (the |my )?risk|vaccin\w*|screen\w*)\b"),
        (
            "diagnosis",
            r"\b(diagnos\w*|tests?|testing|work-?up|imaging|x-?rays?|scans?|how do (i|you) know|rule out|detect\w*|"
            r"labs?|blood work|biopsy|urinalysis)\b",
        ),
        (
            "prognosis",
            r"\b(prognosis|outlook|surviv\w*|life expectancy|curable|go away|recover\w*|natural history|"
            r"expected course|come back|recur\w*)\b",
        ),
        (
            "causes",
            r"\b(caus\w*|why (do|does|did|would|am|is|are)|risk factors?|who gets|how (do|did|does|can) (you|i|people) "
            r"get|contagious|inherit\w*|genetic\w*|transmi\w*|spread|catch)\b",
        ),
        ("symptoms", r"\b(symptoms?|signs?|feel like|look like|normal (for|to))\b"),
        (
            "treatment",
            r"\b(treat\w*|manag\w*|therap\w*|cure|medication\w*|medicines?|drugs?|prescri\w*|remed\w*|"
            r"what (can|should) (i|we) (take|do|use)|anything (i can take|for)|help (with|the|reduce|relieve)|"
            r"reliev\w*|get rid of|options|antibiotics?|surgery|approach)\b",
        ),
        (
            "what_is",
            r"^(what is|what's|whats|what are|tell me (more )?about|explain|define)\b|\bwhat does .{1,40} mean\b",
        ),
    )
)
# "Approach to / management of X", "tell me about X": the whole house article answers these.
BROAD = re.compile(
    r"\b(approach|manag\w*|overview|tell me (more )?about|everything|guidelines?|work-?up and treatment|how is .{1,60} "
    r"treated|treatment (options )?for|what is the treatment)\b"
)
# A name right after these words is a condition the person has, not what the question is about.
CONTEXT_BEFORE = frozenset(
    "with has have having had also diagnosed known history patient patients someone take takes taking took on".split()
)
# Library foci that are everyday words: never a question's focus on their own.
WEAK_FOCI = frozenset(
    """blood anatomy medicines memory gas hormones iron noise falls fires floods minerals diets nutrition parenting
    adoption divorce caregivers medicare medicaid disabilities safety health care help treatment treatments doctor
    water sleep exercise diet food drugs medicine medication medications test tests pills women men children
    older adults babies infants family pregnancy symptoms cold""".split()
)


def norm(text: str) -> str:
    """Lower-case words only: the key every name and question is matched by."""
    return " ".join(alnum_words(text))


@dataclass
class Focus:
    """A thing the library knows by name: a house topic, a MedQuAD focus or a labelled drug."""

    key: str
    label: str  # the library's own spelling, e.g. "Pelvic Inflammatory Disease"
    kind: str  # "topic", "condition", "drug" or "term" (a disease-like word the library has no name for)
    topic: str | None = None
    aliases: set[str] = field(default_factory=set)  # normalised names that denote it
    sources: list[str] = field(default_factory=list)  # MedQuAD or label source ids about it

    @property
    def name(self) -> str:
        """As it reads inside a sentence ("pelvic inflammatory disease"), for titles."""
        return self.label if self.kind == "drug" else _display(self.label)


@dataclass
class Mention:
    focus: Focus
    start: int  # word position in the question
    words: int
    said: str
    context: bool  # named as something the person has ("with CKD"), not what is asked about


@dataclass
class QuestionFrame:
    """What a question asks: about what, which kind of answer, for whom, and the specifics."""

    text: str
    focus: Focus | None
    qtype: str
    population: list[str] = field(default_factory=list)
    specifics: list[str] = field(default_factory=list)
    broad: bool = False
    mentions: list[Mention] = field(default_factory=list)

    @property
    def others(self) -> list[Focus]:
        return [m.focus for m in self.mentions if self.focus is None or m.focus.key != self.focus.key]

    @property
    def said(self) -> str:
        """The question's own words for its focus ("acute gout flare")."""
        return next((m.said for m in self.mentions if self.focus and m.focus.key == self.focus.key), "")


@dataclass
class Lexicon:
    """Normalised name -> Focus, for every name the index knows."""

    names: dict[str, Focus] = field(default_factory=dict)
    max_words: int = 1
    by_initial: dict[str, list[str]] = field(default_factory=dict)  # single words of names, for misspellings

    @classmethod
    def build(
        cls,
        *,
        topics: Iterable[tuple[str, str, list[str]]],
        conditions: Iterable[tuple[str, str]],
        synonyms: dict[str, list[str]],
        drugs: Iterable[tuple[str, list[str], list[str]]],
        common: Callable[[str], bool] = lambda w: False,
    ) -> Lexicon:
        """topics: (id, title, aliases); conditions: (MedQuAD focus, source id); synonyms: term -> names;
        drugs: (generic, brands, label source ids); common: is this an everyday English word ("is", "all")?"""
        lex = cls()
        for tid, title, aliases in topics:
            focus = Focus(key=f"topic:{tid}", label=title, kind="topic", topic=tid)
            for name in [title, *aliases]:
                lex._add(name, focus, strong=True)
        for name, sid in conditions:
            clean = re.sub(r"\s*\([^)]*\)", "", name).strip()
            clean = clean.split(" - ")[-1].strip() if " - " in clean else clean
            key = norm(clean)
            if not key or key in WEAK_FOCI:
                continue
            focus = lex.names.get(key) or Focus(key=f"condition:{key}", label=clean, kind="condition")
            if sid not in focus.sources:
                focus.sources.append(sid)
            lex._add(clean, focus)
            parts = re.findall(r"\(([^)]*)\)", name)  # "Lujo Hemorrhagic Fever (LUHF)"
            if re.search(r" and |, ", clean):  # "Dizziness and Vertigo": either name finds it
                parts += [x for x in re.split(r",\s*|\s+and\s+", clean) if len(x) > 3]
            for part in parts:
                if not _everyday(part, common):
                    lex._add(part, focus, weak=True)
        for generic, brands, sids in drugs:
            focus = lex.names.get(norm(generic)) or Focus(key=f"drug:{norm(generic)}", label=generic, kind="drug")
            focus.sources += [s for s in sids if s not in focus.sources]
            for name in [generic, *brands]:
                lex._add(name, focus)
        for term, expansions in synonyms.items():  # "pid" -> pelvic inflammatory disease, MedQuAD synonyms
            key = norm(term)
            if not key or key in lex.names or key in WEAK_FOCI or len(key) < 2:
                continue
            target = next((lex.names[norm(e)] for e in expansions if norm(e) in lex.names), None)
            if target is not None and not _everyday(term, common):
                lex._add(term, target, weak=True)
        lex.max_words = min(6, max((len(k.split()) for k in lex.names), default=1))
        for key in lex.names:
            for w in key.split():
                if len(w) >= 6 and w.isalpha():
                    lex.by_initial.setdefault(w[0], []).append(w)
        for words in lex.by_initial.values():
            words[:] = sorted(set(words))
        return lex

    def _add(self, name: str, focus: Focus, strong: bool = False, weak: bool = False) -> None:
        """`strong`: a house topic's name takes over a MedQuAD one; `weak`: never replaces another focus's name."""
        key = norm(name)
        if not key or (key in WEAK_FOCI and not strong):
            return
        if weak and key in self.names:
            return
        if key not in self.names or strong and self.names[key].kind != "topic":
            if key in self.names and self.names[key] is not focus:  # a house topic takes over the MedQuAD name
                focus.sources += [s for s in self.names[key].sources if s not in focus.sources]
            self.names[key] = focus
        focus.aliases.add(key)

    def correct(self, word: str, known: Callable[[str], bool]) -> str:
        """A misspelt condition word ("chylamdia", "menigitis") as the library spells it; else the word."""
        if len(word) < 6 or not word.isalpha() or word[0] not in self.by_initial or known(word):
            return word
        close = difflib.get_close_matches(word, self.by_initial[word[0]], n=1, cutoff=0.8)
        return close[0] if close else word

    def mentions(self, text: str, known: Callable[[str], bool] = lambda w: True) -> list[Mention]:
        """Library names in the text, longest first, each word used once, in order of appearance."""
        said = alnum_words(text)
        words = [self.correct(w, known) for w in said]
        taken: set[int] = set()
        found: list[Mention] = []
        for size in range(min(self.max_words, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                if taken & set(range(i, i + size)):
                    continue
                gram = " ".join(words[i : i + size])
                focus = self.names.get(gram) or (self.names.get(gram[:-1]) if gram.endswith("s") else None)
                if focus is None or (size == 1 and gram in WEAK_FOCI):
                    continue
                before = set(words[max(0, i - 3) : i])
                found.append(Mention(focus, i, size, " ".join(said[i : i + size]), bool(before & CONTEXT_BEFORE)))
                taken |= set(range(i, i + size))
        return sorted(found, key=lambda m: m.start)


def qtype_of(question: str) -> str:
    q = question.lower()
    return next((name for name, pattern in QTYPES if pattern.search(q)), "general")


def population_of(question: str) -> list[str]:
    q = question.lower()
    return [name for name, pattern in POPULATIONS.items() if re.search(pattern, q)]


def frame_of(question: str, lexicon: Lexicon, known: Callable[[str], bool] = lambda w: True) -> QuestionFrame:
    """The question's frame: focus (the first name not given as context), type, population, specifics."""
    q = question.lower()
    mentions = lexicon.mentions(question, known)
    focus = _primary(mentions) or _term(q)
    qtype = qtype_of(question)
    if qtype == "pregnancy" and focus is not None and focus.kind != "drug" and not re.search(r"\b(take|use)\b", q):
        qtype = qtype_of(re.sub(POPULATIONS["pregnancy"], "", q)) or "general"
    specifics = [name for name, pattern in SPECIFICS if re.search(pattern, q)]
    broad = qtype in ("treatment", "general", "what_is") and bool(BROAD.search(q) or qtype != "treatment")
    return QuestionFrame(
        text=question,
        focus=focus,
        qtype=qtype,
        population=population_of(question),
        specifics=specifics,
        broad=broad and not specifics,
        mentions=mentions,
    )


def _primary(mentions: list[Mention]) -> Focus | None:
    """The first mention not named as context; a house topic beats a shorter MedQuAD name at the same place."""
    if not mentions:
        return None
    asked = [m for m in mentions if not m.context] or mentions
    return asked[0].focus


# A word built like a disease, test or procedure name ("blepharitis", "keratosis"): the focus when the
# library has no name for it, so the answer still stays on it (or says plainly it has nothing on it).
TERM = re.compile(
    r"\b[a-z]{3,}(itis|osis|iasis|emia|aemia|oma|pathy|algia|ectomy|plasty|scopy|otomy|uria|plegia|rrhea|rrhoea)\b"
)


# Words built like a condition's name that name none ("diagnosis", "prognosis").
NOT_TERMS = frozenset("diagnosis prognosis hypnosis symbiosis emphasis thesis".split())


def _term(question: str) -> Focus | None:
    m = next((m for m in TERM.finditer(question) if m.group() not in NOT_TERMS), None)
    return Focus(key=f"term:{m.group()}", label=m.group(), kind="term", aliases={m.group()}) if m else None


# The question a passage answers, worded alike on both sides of the match (#13 part 6): MedQuAD's own questions,
# the implicit questions of label sections and house statements, and the user's question reduced to its focus
# and type. Worded as MedQuAD words them, so MiniLM compares what is asked about what, not the words around it.
QUESTIONS: dict[str, str] = {
    "what_is": "What is {f}?",
    "general": "What is {f}?",
    "treatment": "What are the treatments for {f}?",
    "symptoms": "What are the symptoms of {f}?",
    "causes": "What causes {f}?",
    "diagnosis": "How to diagnose {f}?",
    "prognosis": "What is the outlook for {f}?",
    "prevention": "How to prevent {f}?",
    "seek_care": "When should I see a doctor about {f}?",
    "side_effects": "What are the side effects of {f}?",
    "dose": "What is the dose of {f}?",
    "interactions": "What drugs interact with {f}?",
    "contraindications": "Who should not take {f}?",
    "pregnancy": "Is {f} safe in pregnancy and breastfeeding?",
    "mechanism": "How does {f} work?",
    "time_course": "How long does {f} take to work?",
    "missed_dose": "What should I do if I miss a dose of {f}?",
    "comparison": "How does {f} compare with other options?",
}
# MedQuAD question type -> the question type (above) it answers; types with no counterpart are left out.
MEDQUAD_QTYPES: dict[str, str] = {
    "information": "what_is",
    "symptoms": "symptoms",
    "treatment": "treatment",
    "causes": "causes",
    "inheritance": "causes",
    "genetic changes": "causes",
    "susceptibility": "causes",
    "exams and tests": "diagnosis",
    "outlook": "prognosis",
    "complications": "prognosis",
    "stages": "prognosis",
    "prevention": "prevention",
}


def question_for(subject: str, qtype: str) -> str:
    """The library's wording of a question of this type about this subject.

    >>> question_for("gout", "treatment")
    'What are the treatments for gout?'
    """
    return QUESTIONS.get(qtype, QUESTIONS["general"]).format(f=subject.strip())


def canonical_question(frame: QuestionFrame) -> str | None:
    """The question reduced to its focus and type, worded as the library words its questions (None: no focus).

    A long consumer message ("my daughter was prescribed Ocella and her thigh is swollen, can it cause DVT?")
    and the library's "What causes deep vein thrombosis?" are far apart as whole texts; their frames are not.
    """
    if frame.focus is None:
        return None
    return question_for(frame.focus.name, frame.qtype)


TITLES = {
    "treatment": "Treatment of {f}",
    "dose": "Dosing for {f}",
    "side_effects": "Side effects of {f}",
    "interactions": "Taking {f} with other medicines",
    "contraindications": "Who should not take {f}",
    "pregnancy": "{F} in pregnancy and breastfeeding",
    "mechanism": "How {f} works",
    "time_course": "How long {f} takes and lasts",
    "missed_dose": "A missed dose of {f}",
    "diagnosis": "Diagnosis of {f}",
    "causes": "Causes of {f}",
    "prognosis": "Outlook for {f}",
    "prevention": "Prevention of {f}",
    "seek_care": "When to get care for {f}",
    "comparison": "{F} compared",
    "symptoms": "Symptoms of {f}",
    "what_is": "What {f} is",
    "general": "Overview of {f}",
}
TIME_TITLES = {"drug": "How long {f} takes and lasts", "other": "Course of {f}"}


def title_of(frame: QuestionFrame) -> str:
    """The answer's title, from the focus and the question type only (never from a retrieved passage)."""
    if frame.focus is None:
        text = frame.text.strip().rstrip("?.! ")
        return text[:1].upper() + text[1:] if len(text) <= 90 else text[:87].rstrip() + "…"
    f = frame.focus.name
    pattern = TITLES.get(frame.qtype, TITLES["general"])
    if frame.qtype == "treatment" and frame.broad and re.search(r"approach|manag", frame.text.lower()):
        pattern = "Management of {f}"
    if frame.qtype == "time_course":
        pattern = TIME_TITLES["drug" if frame.focus.kind == "drug" else "other"]
    if frame.qtype == "comparison" and frame.others:
        return f"{_upper_first(f)} compared with {frame.others[0].name}"
    title = pattern.format(f=f, F=_upper_first(f))
    extra = [POPULATION_PHRASE[p] for p in frame.population if not (p == "pregnancy" and frame.qtype == "pregnancy")]
    return " ".join([title, *extra[:1]])


def about(focus: Focus, text: str) -> bool:
    """Does the text name the focus (any of its names, singular or plural)?"""
    words = f" {norm(text)} "
    return any(f" {a} " in words or f" {a}s " in words for a in focus.aliases)


def passage_about(focus: Focus, subject: str, topic: str | None = None, source_id: str = "") -> bool:
    """Is a passage about the focus: its house topic, its source, or its subject (MedQuAD focus, title) names it."""
    if focus.topic and topic == focus.topic:
        return True
    if source_id and source_id in focus.sources:
        return True
    return bool(subject) and about(focus, subject)


def _everyday(name: str, common: Callable[[str], bool]) -> bool:
    """A short name that is also an everyday word ("IS" for infantile spasms, "ALL"): matching it finds noise."""
    key = norm(name)
    return " " not in key and len(key) <= 4 and common(key)


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _display(name: str) -> str:
    """A library name as it reads inside a sentence: "High Blood Pressure" -> "high blood pressure", acronyms kept."""
    words = name.split()
    small = {"and", "of", "the", "in", "or", "with", "to", "a", "an", "for", "on"}
    title_case = all(w[:1].isupper() for w in words if w[:1].isalpha() and w.lower() not in small)
    out = []
    for i, w in enumerate(words):
        keep = w.isupper() and len(w) > 1 or "'" in w or any(c.isupper() for c in w[1:])
        eponym = i + 1 < len(words) and words[i + 1].lower() in ("syndrome", "disease", "palsy", "sign", "anomaly")
        if not keep and (title_case and not (eponym and i == 0 and len(words) == 2) or i == 0 and not eponym):
            w = w[:1].lower() + w[1:]
        out.append(w)
    return " ".join(out)
