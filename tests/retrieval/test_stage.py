"""The retrieval stage's decisions, without an index: topic pick, the focus's passages first, the evidence verdict,
the name of what is missing, and the shelf composition reads (#11). Inputs are the house knowledge base's real
topics and statements, questions read by the real lexicon and triaged by the real rules."""

from __future__ import annotations

import pytest

from medora.corpus import ReadResult, read_kb
from medora.models import Hit, Source, Topic
from medora.question import Lexicon, QuestionFrame, frame_of
from medora.retrieval import Expansion, Shelf, Verdict, focused, judge, missing_name, pick_topic
from medora.settings import REPO_DIR, RetrievalSettings
from medora.triage import triage

pytestmark = pytest.mark.unit

KB = REPO_DIR / "knowledge"
RS = RetrievalSettings()


def kb(name: str) -> ReadResult:
    return read_kb(next(KB.glob(f"*/{name}.yaml")))


@pytest.fixture(scope="module")
def topics() -> dict[str, ReadResult]:
    return {name: kb(name) for name in ("gout", "chronic-kidney-disease", "preeclampsia")}


@pytest.fixture(scope="module")
def lexicon(topics: dict[str, ReadResult]) -> Lexicon:
    entries = [t for r in topics.values() for t in r.topics]
    return Lexicon.build(
        topics=[(t.id, t.title, list(t.aliases)) for t in entries],
        conditions=[("Zika Virus", "medquad:cdc_zika")],
        synonyms={},
        drugs=[],
        common={"what", "is", "how", "treated", "with", "the", "a"}.__contains__,
    )


def hits_of(result: ReadResult, similarity: float, n: int = 3) -> list[Hit]:
    src = result.sources[0]
    return [
        Hit(passage=p, source=src, score=1.0 - i / 10, similarity=similarity) for i, p in enumerate(result.passages[:n])
    ]


def frame(q: str, lexicon: Lexicon) -> QuestionFrame:
    return frame_of(q, lexicon)


def test_the_kb_reader_gives_its_topic_typed(topics: dict[str, ReadResult]) -> None:
    (pre,) = topics["preeclampsia"].topics
    assert isinstance(pre, Topic) and pre.emergency and pre.source_id == "kb:preeclampsia"
    (gout,) = topics["gout"].topics
    assert not gout.emergency and gout.title == "Gout"
    assert all(
        term == alias.lower() and title == "gout"
        for (term, title, _), alias in zip(topics["gout"].synonyms, gout.aliases, strict=True)
    )


def test_the_focus_decides_the_topic(topics: dict[str, ReadResult], lexicon: Lexicon) -> None:
    # CKD leads the hits, but the question is about gout, with CKD as context
    f = frame("How is an acute gout flare treated in a patient with chronic kidney disease?", lexicon)
    assert f.focus is not None and f.focus.topic == "gout"
    hits = hits_of(topics["chronic-kidney-disease"], 0.8)
    assert pick_topic(Expansion(terms=[], topics=["chronic-kidney-disease"]), hits, f) == "gout"


def test_without_a_focus_a_named_topic_ranked_best_wins(topics: dict[str, ReadResult]) -> None:
    hits = hits_of(topics["chronic-kidney-disease"], 0.5) + hits_of(topics["gout"], 0.5)
    exp = Expansion(terms=["gout", "ckd"], topics=["gout", "chronic-kidney-disease"])
    assert pick_topic(exp, hits) == "chronic-kidney-disease"  # named second, ranked first
    assert pick_topic(exp, hits[3:]) == "gout"


def test_without_a_name_a_topic_must_clearly_lead_the_hits(topics: dict[str, ReadResult]) -> None:
    no_names = Expansion(terms=["joint", "pain"])
    assert pick_topic(no_names, hits_of(topics["gout"], 0.6), lead_similarity=RS.topic_similarity) == "gout"
    assert pick_topic(no_names, hits_of(topics["gout"], 0.5), lead_similarity=RS.topic_similarity) is None


def test_the_focus_passages_come_first_once(topics: dict[str, ReadResult]) -> None:
    general = hits_of(topics["gout"], 0.5, n=6)
    about = general[4:] + hits_of(topics["preeclampsia"], 0.7, n=2)
    out = focused(general, about, k=5)
    assert [h.passage.id for h in out[:4]] == [h.passage.id for h in about]
    assert len(out) == 5 and len({h.passage.id for h in out}) == 5
    assert len(focused(general, about, k=2)) == 4  # never fewer than the focus's own passages


def test_a_topic_is_enough_whatever_the_similarity(topics: dict[str, ReadResult]) -> None:
    (gout,) = topics["gout"].topics
    assert judge([], gout, triage("How is gout treated?"), RS, lambda: ["zorblax"]) == Verdict.ENOUGH


def test_nothing_medical_asked_and_nothing_close() -> None:
    t = triage("What is the best pizza topping?")
    assert t.status is None and not t.medical
    assert judge([], None, t, RS, list) == Verdict.NOT_MEDICAL


def test_a_medical_question_without_close_hits_is_insufficient(topics: dict[str, ReadResult]) -> None:
    t = triage("My wife had preeclampsia last year, what is her risk next pregnancy?")
    assert t.medical and not t.clinical
    weak = hits_of(topics["preeclampsia"], RS.min_similarity - 0.01)
    assert judge(weak, None, t, RS, list) == Verdict.INSUFFICIENT
    assert judge(hits_of(topics["preeclampsia"], RS.min_similarity + 0.01), None, t, RS, list) == Verdict.ENOUGH


def test_an_unknown_name_needs_a_strong_match_unless_the_question_is_clinical(topics: dict[str, ReadResult]) -> None:
    asked = []

    def unknown() -> list[str]:
        asked.append(1)
        return ["zorblaxian"]

    t = triage("What is Zorblaxian fever syndrome?")
    middling = hits_of(topics["gout"], (RS.min_similarity + RS.unknown_word_override) / 2)
    assert judge(middling, None, t, RS, unknown) == Verdict.INSUFFICIENT and asked
    strong = hits_of(topics["gout"], RS.unknown_word_override)
    assert judge(strong, None, t, RS, unknown) == Verdict.ENOUGH
    clinical = triage("potassium 6.9 on dialysis, zorblaxian what now")
    assert clinical.clinical
    asked.clear()
    assert judge(middling, None, clinical, RS, unknown) == Verdict.ENOUGH and not asked  # never asked


def test_what_is_missing_is_named_as_the_question_spells_it(lexicon: Lexicon) -> None:
    f = frame("What is Zorblaxian fever syndrome in adults?", lexicon)
    assert missing_name(f, ["zorblaxian"]) == "Zorblaxian fever syndrome"  # stops before "in"
    zika = frame("How is Zika virus spread?", lexicon)
    assert missing_name(zika, []) == "zika virus"  # nothing unknown: the focus we hold nothing on
    assert missing_name(frame("What should I do?", lexicon), []) is None


def test_the_shelf_holds_its_topic_and_sources_only(topics: dict[str, ReadResult]) -> None:
    gout = topics["gout"]
    shelf = Shelf("gout", tuple(gout.passages), {s.id: s for s in gout.sources})
    assert shelf.topic_passages("gout") == gout.passages and shelf.topic_passages("preeclampsia") == []
    cited = gout.passages[1].cites[0]
    assert isinstance(shelf.source(cited), Source) and shelf.source("kb:nothing") is None
