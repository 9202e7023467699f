"""Sections and passages: sentence-safe, quotable sizes, verbatim slices, stable ids."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from corpus import Corpus, Document, Passage, load_corpus
from corpus.chunking import MAX_WORDS, MIN_WORDS
from corpus.sentences import sentence_spans

_SUBJECTS = [
    "The Convention",
    "Each State Party",
    "The review conference",
    "Military planners",
    "Humanitarian organisations",
    "The Intersessional Committee",
    "Affected communities",
]
_PREDICATES = [
    "must weigh the long-term effects of contamination on farmland, roads and water points",
    "reported on the clearance of mined areas in its annual transparency report",
    "considered whether the deadline for stockpile destruction could be extended",
    "noted that victim assistance remains underfunded in most affected regions",
    "examined how joint operations with non-parties are planned and conducted",
    "recalled that the prohibition applies in all circumstances, in peace and in war",
    "asked for clearer guidance on marking, fencing and monitoring suspected hazardous areas",
    "welcomed the accession of new states",
    "stressed that risk education saves lives where clearance has not yet begun",
    "described the cost of survey and clearance in detail",
    "highlighted the role of national mine action authorities",
]
_counter = itertools.count()


def sentence() -> str:
    """A unique, ordinary sentence of 9-19 words."""
    n = next(_counter)
    return f"{_SUBJECTS[n % 7]} {_PREDICATES[n % 11]} in case {n}."


def paragraph(words: int) -> str:
    """Whole sentences adding up to at least `words` words."""
    sentences: list[str] = []
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(sentence())
    return " ".join(sentences)


def _write_and_load(tmp_path: Path, name: str, text: str) -> tuple[Corpus, Document]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.problems == ()
    (document,) = [d for d in corpus.documents if d.source_file == name]
    return corpus, document


def _check_invariants(document: Document, passages: list[Passage]) -> None:
    spans = sentence_spans(document.text)
    starts = {s for s, _ in spans}
    ends = {e for _, e in spans}
    assert passages
    assert [p.position for p in passages] == list(range(len(passages)))
    assert len({p.id for p in passages}) == len(passages)
    previous_end = 0
    for passage in passages:
        assert passage.doc_id == document.id
        assert document.text[passage.start : passage.end] == passage.text
        assert passage.start in starts, f"passage starts mid-sentence: {passage.text[:40]!r}"
        assert passage.end in ends, f"passage ends mid-sentence: {passage.text[-40:]!r}"
        assert passage.start >= previous_end  # reading order, no overlap
        previous_end = passage.end


# --- sections ------------------------------------------------------------------------------

SECTIONED = f"""\
# Anti-personnel mines and the law

{paragraph(60)}

{paragraph(55)}

## Stockpile destruction

{paragraph(70)}

{paragraph(20)}

## Victim assistance

{paragraph(15)}

{paragraph(80)}

### Funding

{paragraph(50)}
"""


@pytest.fixture
def sectioned(tmp_path: Path) -> tuple[Corpus, Document]:
    return _write_and_load(tmp_path, "sections.md", SECTIONED)


def test_headings_become_sections_of_the_passages_under_them(
    sectioned: tuple[Corpus, Document],
) -> None:
    corpus, document = sectioned
    assert [s.title for s in document.sections] == [
        "Stockpile destruction",
        "Victim assistance",
        "Funding",
    ]
    for passage in corpus.passages:
        section = document.section_at(passage.start)
        assert passage.section == (section.title if section else None)
    assert [p.section for p in corpus.passages].count("Funding") == 1


def test_passages_before_the_first_heading_have_no_section(
    sectioned: tuple[Corpus, Document],
) -> None:
    corpus, document = sectioned
    first_heading = document.sections[0].start
    before = [p for p in corpus.passages if p.start < first_heading]
    assert before
    assert all(p.section is None for p in before)
    assert all(p.section is not None for p in corpus.passages if p.start >= first_heading)


def test_a_passage_never_spans_two_sections(sectioned: tuple[Corpus, Document]) -> None:
    corpus, document = sectioned
    _check_invariants(document, list(corpus.passages))
    for passage in corpus.passages:
        for section in document.sections:
            # No heading inside a passage, and no passage straddles a section boundary.
            assert not passage.start <= section.start < passage.end
            assert section.title not in passage.text.split("\n\n")
        holder = document.section_at(passage.start)
        if holder is not None:
            assert passage.end <= holder.end


def test_a_short_paragraph_merges_with_a_neighbour_of_its_own_section(
    sectioned: tuple[Corpus, Document],
) -> None:
    corpus, _ = sectioned
    # The 20-word paragraph ends "Stockpile destruction"; the 15-word one opens "Victim
    # assistance". Each joins its own section's other paragraph, not each other.
    by_section: dict[str | None, list[Passage]] = {}
    for passage in corpus.passages:
        by_section.setdefault(passage.section, []).append(passage)
    (stockpiles,) = by_section["Stockpile destruction"]
    (victims,) = by_section["Victim assistance"]
    assert stockpiles.text.count("\n\n") == 1
    assert victims.text.count("\n\n") == 1
    for passage in corpus.passages:
        assert MIN_WORDS <= passage.word_count <= MAX_WORDS


def test_plain_text_headings_become_sections(tmp_path: Path) -> None:
    text = (
        f"Mines and the law\n\n{paragraph(60)}\n\nThe humanitarian consequences\n\n"
        f"{paragraph(60)}\n\nInteroperability and the APMBC\n\n{paragraph(60)}\n"
    )
    corpus, document = _write_and_load(tmp_path, "plain.txt", text)
    assert document.title == "Mines and the law"
    assert [s.title for s in document.sections] == [
        "The humanitarian consequences",
        "Interoperability and the APMBC",
    ]
    assert [p.section for p in corpus.passages] == [
        None,
        "The humanitarian consequences",
        "Interoperability and the APMBC",
    ]


# --- passage sizes ---------------------------------------------------------------------------


def test_normal_prose_gives_passages_of_40_to_150_words(tmp_path: Path) -> None:
    sizes = [120, 25, 90, 60, 35, 140, 45, 100, 18, 75, 130, 50]
    text = "Normal prose\n\n" + "\n\n".join(paragraph(n) for n in sizes) + "\n"
    corpus, document = _write_and_load(tmp_path, "prose.txt", text)
    passages = list(corpus.passages)
    _check_invariants(document, passages)
    for passage in passages:
        assert MIN_WORDS <= passage.word_count <= MAX_WORDS, passage.word_count
    # Nothing is lost: the passages hold every sentence of the document.
    covered = sum(len(sentence_spans(p.text)) for p in passages)
    assert covered == len(sentence_spans(document.text))


def test_a_long_paragraph_is_split_on_sentence_boundaries(tmp_path: Path) -> None:
    long = paragraph(400)
    text = f"Long paragraph\n\n{long}\n"
    corpus, document = _write_and_load(tmp_path, "long.txt", text)
    passages = list(corpus.passages)
    _check_invariants(document, passages)
    assert len(passages) >= 3
    assert all(p.word_count <= MAX_WORDS for p in passages)
    assert all(p.word_count >= MIN_WORDS for p in passages)
    # Consecutive pieces, separated by one space, give the paragraph back.
    assert " ".join(p.text for p in passages) == long


def test_a_single_sentence_over_150_words_is_kept_whole(tmp_path: Path) -> None:
    clauses = ", ".join(
        f"the obligation numbered {i} in the annex to the treaty" for i in range(20)
    )
    giant = f"The States Parties recalled {clauses}."
    assert len(giant.split()) > MAX_WORDS
    text = f"Giant sentence\n\n{paragraph(30)} {giant} {paragraph(30)}\n\n{paragraph(60)}\n"
    corpus, document = _write_and_load(tmp_path, "giant.txt", text)
    _check_invariants(document, list(corpus.passages))
    holding = [p for p in corpus.passages if giant in p.text]
    assert len(holding) == 1
    assert holding[0].text == giant
    # No other passage carries any part of it.
    assert all("numbered 7 in the annex" not in p.text for p in corpus.passages if p.text != giant)


def test_a_short_document_is_one_passage(tmp_path: Path) -> None:
    body = "Mines kill. They maim long after wars end."
    corpus, document = _write_and_load(tmp_path, "short.txt", body)
    assert [p.text for p in corpus.passages] == [body]
    assert document.text == body


# --- ids and positions -------------------------------------------------------------------------


def _article(paragraphs: list[str]) -> str:
    return "Stable ids\n\n" + "\n\n".join(paragraphs) + "\n"


def test_ids_are_stable_across_loads(tmp_path: Path) -> None:
    text = _article([paragraph(80) for _ in range(5)])
    first, _ = _write_and_load(tmp_path, "stable.txt", text)
    second, _ = _write_and_load(tmp_path, "stable.txt", text)
    assert [p.id for p in first.passages] == [p.id for p in second.passages]
    assert first.documents[0].id == second.documents[0].id == "stable"
    assert all(p.id.startswith("stable:") for p in first.passages)


def test_editing_one_paragraph_keeps_the_other_ids(tmp_path: Path) -> None:
    paragraphs = [paragraph(80) for _ in range(5)]
    before, _ = _write_and_load(tmp_path, "stable.txt", _article(paragraphs))
    assert len(before.passages) == 5
    paragraphs[2] = paragraphs[2].replace("in case", "in the case", 1)
    after, _ = _write_and_load(tmp_path, "stable.txt", _article(paragraphs))
    old_ids = [p.id for p in before.passages]
    new_ids = [p.id for p in after.passages]
    assert len(new_ids) == 5
    assert new_ids[2] != old_ids[2]
    assert new_ids[:2] + new_ids[3:] == old_ids[:2] + old_ids[3:]


def test_inserting_a_paragraph_keeps_the_other_ids(tmp_path: Path) -> None:
    paragraphs = [paragraph(80) for _ in range(4)]
    before, _ = _write_and_load(tmp_path, "stable.txt", _article(paragraphs))
    after, _ = _write_and_load(
        tmp_path, "stable.txt", _article([*paragraphs[:2], paragraph(80), *paragraphs[2:]])
    )
    assert {p.id for p in before.passages} < {p.id for p in after.passages}
    assert [p.position for p in after.passages] == list(range(5))


def test_repeated_text_still_gets_unique_ids(tmp_path: Path) -> None:
    repeated = paragraph(60)
    text = f"Repeats\n\n{repeated}\n\nFirst part\n\n{repeated}\n\nSecond part\n\n{repeated}\n"
    corpus, document = _write_and_load(tmp_path, "repeats.txt", text)
    assert len(corpus.passages) == 3
    _check_invariants(document, list(corpus.passages))


def test_positions_count_from_zero_in_each_document(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(_article([paragraph(80) for _ in range(3)]), encoding="utf-8")
    (tmp_path / "b.md").write_text(_article([paragraph(80) for _ in range(4)]), encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [d.id for d in corpus.documents] == ["a", "b"]
    for document in corpus.documents:
        passages = corpus.passages_of(document.id)
        _check_invariants(document, passages)
    assert len(corpus.passages_of("a")) == 3
    assert len(corpus.passages_of("b")) == 4
    assert len({p.id for p in corpus.passages}) == 7
