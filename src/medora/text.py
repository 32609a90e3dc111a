"""The text toolkit: words, stop words, negation cues, sentences and clauses, in one place.

Modules that read text take these from here instead of keeping their own copies (issue #11). Where two
jobs need different behaviour, the variants sit side by side, named for the job, each saying why:

- **stop words**: a query drops chit-chat ("hello doctor, thanks") with the function words; the support
  judge drops words every medical text uses ("patients", "use"); question matching in review keeps
  negations, numbers and most function words, since "should I not take aspirin" is another question;
- **negation**: triage negates *findings* ("denies chest pain", "negative for", "ruled out"; NegEx,
  Chapman et al. 2001); the support judge negates *statements* ("unable to", "lack", "avoid"); an edited
  review bullet counts *instruction* cues whose parity flips meaning ("do not stop" is positive);
- **sentences**: readers split prose into sentences only before a capital, digit or quote (so "e.g. the"
  and "5 mg. daily" stay whole); the support judge also ends windows at ";" and bullets.

Usage example::

    content_terms("Hello doctor, what's the best treatment for gout?")  # ['treatment', 'gout']
    sentences("Gout is common. It is treated with colchicine.")       # two sentences
    bool(FINDING_NEGATION.search("no chest pain"))                    # True
"""

from __future__ import annotations

import re
import unicodedata

# ---------------------------------------------------------------------------------------------- words

ALNUM = re.compile(r"[a-z0-9]+")  # runs of letters and digits, in lower-cased text
TERM = re.compile(r"[a-z0-9][a-z0-9\-']*")  # a query term keeps inner hyphens and apostrophes ("covid-19")
WORD_APOSTROPHE = re.compile(r"[a-z]+(?:'[a-z]+)?")  # letters with one apostrophe part ("don't")


def straight_quotes(text: str) -> str:
    """Typographic apostrophes as plain ones, so "don’t" meets the cues written "don't"."""
    return text.replace("\u2019", "'")


def tidy(text: str) -> str:
    """Straight apostrophes and single spaces, case kept."""
    return " ".join(straight_quotes(text).split())


def plain(text: str) -> str:
    """Tidy and lower case: the form every triage reader matches its cues on."""
    return tidy(text).lower()


def ascii_fold(text: str) -> str:
    """Lower-cased ASCII: accents dropped ("Sjögren" -> "sjogren"), other non-ASCII letters removed."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


WHITESPACE = re.compile(r"[ \t\r\f\v]+")  # every space but the line break


def clean_ws(text: str) -> str:
    """Runs of spaces and tabs as one space, trimmed (line breaks kept)."""
    return WHITESPACE.sub(" ", text).strip()


def alnum_words(text: str) -> list[str]:
    return ALNUM.findall(text.lower())


def stem(word: str) -> str:
    """A light suffix stripper: 'treatments' -> 'treatment', 'infections' -> 'infection'; stems of 4+ letters."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ed", "es", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def singular(word: str) -> str:
    """A plural 's' dropped from words of 5+ letters ('ulcers' -> 'ulcer'; 'illness', 'gas' kept)."""
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


# ----------------------------------------------------------------------------------------- stop words

# English function words (the common part of the query and statement lists below).
FUNCTION_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers him his how i if in into is it its itself just many may me might more most much my no nor
    not of off on once one only or other our out over own same she should so some such than that the their
    them then there these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours""".split()
)
# A consumer question's chit-chat and pronouns: none of it helps find a passage.
QUERY_STOP_WORDS = FUNCTION_WORDS | frozenset(
    """anyone best dear doctor even get got hello help herself hi himself i'd i'm i've id im ive know like
    myself need now ok okay ours ourselves please question questions really someone still tell thank thanks
    theirs themselves thing things want way well what's whats yourself yourselves""".split()
)
# Words every medical statement uses: overlap on them says nothing about support.
STATEMENT_STOP_WORDS = FUNCTION_WORDS | frozenset(
    "must often patient patients people person two use used usually".split()
)
# Function words that do not change what is asked. Negations and numbers are kept on purpose (review's
# question matching): "should I take aspirin" and "should I not take aspirin" are different questions.
QUESTION_STOP_WORDS = frozenset(
    """a an the of for to in on at by with and or is are was were be been being do does did can could
should would will shall may might must what whats which who whom how when where why please tell me i my we our you
your it its this that these those there their about any some""".split()
)


def content_terms(text: str) -> list[str]:
    """A query's terms without stop words or single characters, in order (BM25 and overlap scoring)."""
    return [
        t.strip("'-")
        for t in TERM.findall(text.lower())
        if t.strip("'-") not in QUERY_STOP_WORDS and len(t.strip("'-")) > 1
    ]


# ------------------------------------------------------------------------------------------- negation

# Cues that negate a finding in a patient's or clinician's words: "no fever", "denies chest pain",
# "negative for", "ruled out", "resolved" (NegEx, Chapman et al. 2001). Triage reads them per clause.
FINDING_NEGATION = re.compile(
    r"\b(no|not|denies|denied|deny|without|never|negative for|free of|absence of|absent|"
    r"don'?t have|doesn'?t have|didn'?t have|haven'?t had|hasn'?t had|isn'?t|wasn'?t|aren'?t|"
    r"ruled out|rules out|nor|neither|resolved|"
    # "haven't fainted", "didn't pass out": only before a verb that is itself the finding, so "hasn't woken up"
    # or "didn't breathe" stay findings
    r"(?:haven'?t|hasn'?t|hadn'?t|didn'?t)(?= (?:faint|fainted|pass(?:ed)? out|black(?:ed)? out|collapse|collapsed|"
    r"vomit|vomited|throw(?:n)? up|threw up|lose consciousness|lost consciousness|cough(?:ed)? up|bleed|bled|"
    r"seize|seized|had)\b))\b"
)
# Cues that negate a statement in a source or an answer: "is not recommended", "unable to", "lack of",
# "avoid": the support judge calls a statement contradicted when its best window differs in negation.
STATEMENT_NEGATION = re.compile(
    r"\b(?:no|not|never|none|neither|nor|without|cannot|can't|don't|doesn't|didn't|isn't|aren't|"
    r"wasn't|shouldn't|won't|mustn't|unable|avoid|lack|lacks)\b|n't\b"
)
# Words of a question key (ALNUM runs) that make another question: "t" is what is left of "don't", "can't".
QUESTION_NEGATIONS = frozenset({"not", "no", "never", "without", "nor", "cannot", "t"})
# Cues in an instruction whose parity decides its sense: "stop allopurinol" negates, "do not stop" does not.
INSTRUCTION_NEGATIONS = frozenset(
    "not no never none nothing nobody neither nor without cannot avoid avoids avoided avoiding stop stops "
    "stopped stopping discontinue discontinued discontinuing withhold withheld unnecessary".split()
)


def negated(text: str) -> bool:
    """Whether a statement carries a negation cue (STATEMENT_NEGATION)."""
    return bool(STATEMENT_NEGATION.search(straight_quotes(text.lower())))


# ----------------------------------------------------------------------------- sentences and clauses

# A sentence ends at . ! or ? followed by space and a capital, digit, bracket or quote.
# A full stop after these abbreviations does not end a sentence ("St. John's wort", "Dr. Smith", "vs. placebo").
NOT_AFTER_ABBREVIATION = "".join(
    f"(?<!{a})"
    for a in (r"\bSt\.", r"\bDr\.", r"\bMr\.", r"\bMs\.", r"\bMrs\.", r"\bvs\.", r"\bProf\.", r"\be\.g\.", r"\bi\.e\.")
)
SENTENCE_END = re.compile(r"(?<=[.!?])" + NOT_AFTER_ABBREVIATION + r"\s+(?=[A-Z0-9(\"'])")
# Paragraphs: a blank line, or a line break before a list item.
PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n(?=\s*[-*•] )")
# Support-judge windows: any sentence end (also before lower case), ";", a line break or a bullet.
SENTENCE_OR_ITEM = re.compile(r"(?<=[.!?;])\s+|\n+|\s+[-*\u2022]\s+")
# Any sentence end or line break: a passage cut into pieces that may each address a model (generative mode).
SENTENCE_OR_LINE = re.compile(r"(?<=[.!?])\s+|\n+")
# Clauses of an edited review bullet: sentence punctuation, ":" and "but"/"however".
EDIT_CLAUSE = re.compile(r"[.;:!?]+\s*|\s+but\s+|\s+however,?\s+")


def sentences(text: str) -> list[str]:
    """Prose split into sentences, paragraph by paragraph (good enough for extractive answers)."""
    out: list[str] = []
    for para in PARAGRAPH_BREAK.split(text):
        para = clean_ws(para.replace("\n", " "))
        if para:
            out.extend(s.strip() for s in SENTENCE_END.split(para) if s.strip())
    return out


def clauses(text: str, boundary: re.Pattern[str] = EDIT_CLAUSE) -> list[str]:
    """The non-empty stripped pieces of text between boundaries."""
    return [c.strip() for c in boundary.split(text) if c and c.strip()]
