"""Reading real small-model replies (issue #15): what Gemma 3 270M wrote through llama-cpp-python's server.

Grammar-bound JSON from llama-cpp-python may hold raw line breaks inside strings, a reply cut off by the
token limit still holds complete bullets, and the model copies the prompt's markup into its text. None of
this loosens verification: every bullet read here is still checked against its passages before it is shown.
"""

from __future__ import annotations

import jsonschema
import pytest

from medora.compose.prompt import answer_schema, parse_reply

pytestmark = pytest.mark.unit

# Abridged from a real reply (K-QA-style question on vertebral compression fractures, max_tokens 400).
CUT_OFF = (
    '{"bottom_line": { "text": "Cites: [2]","cites": [1] },"sections": [ {"kind": "management", "bullets": [ '
    '{"text": "An osteoporotic vertebral compression fracture is managed first without surgery; most patients '
    'improve over 6-12 weeks.\n</sections>\n<section n=" ,"cites": [1] } ,{"text": "Cites: [3]","cites": [1] } ]},'
    '{"kind": "workup", "bullets": [ {"text": "Upright radiographs confirm loss of vertebral body hei'
)


def test_a_reply_cut_off_by_the_token_limit_keeps_its_complete_bullets() -> None:
    p = parse_reply(CUT_OFF)
    assert p is not None and p.summary is not None
    assert [b.kind for b in p.bullets] == ["management", "management"]  # the unfinished workup bullet is left out
    assert p.bullets[0].cites == [1]
    assert all("radiographs" not in b.text for b in p.bullets)


def test_raw_line_breaks_in_strings_are_read_and_copied_markup_is_removed() -> None:
    p = parse_reply(CUT_OFF)
    assert p is not None
    assert p.bullets[0].text == (
        "An osteoporotic vertebral compression fracture is managed first without surgery; "
        "most patients improve over 6-12 weeks."
    )
    p = parse_reply('{"bottom_line": {"text": "<passage n=\\"2\\">Ice\nhelps.</passage>", "cites": [2]}}')
    assert p is not None and p.summary is not None and p.summary.text == "Ice helps."
    p = parse_reply('{"bottom_line": {"text": "Two doses 2-6 months apart. </bottom_line>", "cites": [1]}}')
    assert p is not None and p.summary is not None and p.summary.text == "Two doses 2-6 months apart."
    p = parse_reply('{"bottom_line": {"text": "Treat if eGFR <30 or age > 65 (<b>rarely</b>).", "cites": [1]}}')
    assert (
        p is not None and p.summary is not None and p.summary.text == "Treat if eGFR <30 or age > 65 (<b>rarely</b>)."
    )


def test_an_escaped_quote_does_not_end_a_string() -> None:
    reply = 'Here: {"bottom_line": {"text": "Say \\"{\\" to no one", "cites": [1]}, "sections": []}'
    p = parse_reply(reply)
    assert p is not None and p.summary is not None and p.summary.text == 'Say "{" to no one'


def test_a_stray_brace_before_the_answer_and_unreadable_replies() -> None:
    p = parse_reply('I will answer { like this:\n{"bottom_line": {"text": "Rest helps.", "cites": [1]}}')
    assert p is not None and p.summary is not None and p.summary.text == "Rest helps."
    assert parse_reply('{"bottom_line": {"text": "cut before any bullet ended') is None
    assert parse_reply("{bottom_line: Colchicine [1], sections: [{kind: management, bullets: [") is None


def test_the_schema_lets_bullets_cite_only_the_given_passages() -> None:
    schema = answer_schema([1, 2, 3])
    ok = {
        "bottom_line": {"text": "x", "cites": [3]},
        "sections": [{"kind": "management", "bullets": [{"text": "y", "cites": [1, 2]}]}],
    }
    jsonschema.validate(ok, schema)
    ok["sections"][0]["bullets"][0]["cites"] = [4]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(ok, schema)
