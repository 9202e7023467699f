"""Behaviour of the text analyzer and the vocabulary it reads.

The analyzer is what makes a question and a passage meet: these tests pin the properties the
rest of retrieval relies on (folding, stop words, stemming, concepts, references, spans),
not particular term lists.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest
import Stemmer

from retrieval.analyzer import Analyzer, fold
from retrieval.vocabulary import DEFAULT_VOCABULARY, load_vocabulary, parse_vocabulary


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def terms(analyzer: Analyzer, text: str) -> set[str]:
    return set(analyzer.analyze(text))


def concept_tokens(analyzer: Analyzer, text: str) -> set[str]:
    return {t for t in analyzer.analyze(text) if t.startswith("=")}


# -- folding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "plain"),
    [("Rämö", "ramo"), ("naïve", "naive"), ("Løkke", "lokke"), ("MODÉER", "modeer")],
)
def test_accented_and_capitalised_words_match_their_plain_spelling(
    analyzer: Analyzer, written: str, plain: str
) -> None:
    assert fold(written) == plain
    assert analyzer.analyze(written) == analyzer.analyze(plain)
    assert analyzer.analyze(written), "the word must produce a term at all"


def test_case_does_not_matter_for_ordinary_words(analyzer: Analyzer) -> None:
    assert analyzer.analyze("CLEARANCE Of MINEFIELDS") == analyzer.analyze(
        "clearance of minefields"
    )


def test_decomposed_and_composed_unicode_give_the_same_terms(analyzer: Analyzer) -> None:
    composed = "Rämö signed the naïve letter"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert analyzer.analyze(decomposed) == analyzer.analyze(composed)


# -- stop words and stemming -----------------------------------------------------------------


def test_stop_words_are_dropped(analyzer: Analyzer) -> None:
    assert analyzer.analyze("what is the and of to") == []
    assert analyzer.is_stopword("the")
    assert terms(analyzer, "the border") == terms(analyzer, "border")


@pytest.mark.parametrize("word", ["mine", "mines", "Mine", "MINES"])
def test_mine_is_not_a_stop_word(analyzer: Analyzer, word: str) -> None:
    # "mine" is also an English possessive pronoun; here it is the weapon.
    assert not analyzer.is_stopword(word)
    assert analyzer.analyze(word)


@pytest.mark.parametrize(
    ("plural", "singular"),
    [("mines", "mine"), ("treaties", "treaty"), ("casualties", "casualty"), ("borders", "border")],
)
def test_plural_and_singular_share_a_term(analyzer: Analyzer, plural: str, singular: str) -> None:
    assert terms(analyzer, plural) & terms(analyzer, singular)
    assert analyzer.stem(plural) == analyzer.stem(singular)


@pytest.mark.parametrize(("plural", "singular"), [("NGOs", "NGO"), ("IEDs", "IED"), ("MPs", "MP")])
def test_an_acronyms_plural_means_the_acronym(
    analyzer: Analyzer, plural: str, singular: str
) -> None:
    """Snowball splits them ("ngos" against "ngo", "i" against "ie"): written in
    capitals with a plural s, the word is the acronym, concept token and all."""
    snowball = Stemmer.Stemmer("english")
    assert snowball.stemWord(plural.lower()) != snowball.stemWord(singular.lower())
    assert analyzer.analyze(f"two {plural} here") == analyzer.analyze(f"two {singular} here")
    assert "=ied" in analyzer.analyze("Are IEDs mines?")
    # Ordinary words in capitals, and acronyms typed in lower case, are stemmed as before.
    assert analyzer.stem("MINES") == analyzer.stem("mines") == "mine"
    assert analyzer.stem("ngos") == snowball.stemWord("ngos")


def test_stemming_is_english_snowball(analyzer: Analyzer) -> None:
    snowball = Stemmer.Stemmer("english")
    # Snowball really does reduce both forms to "prohibit"; the analyzer must agree with it.
    assert snowball.stemWord("prohibited") == snowball.stemWord("prohibition")
    assert analyzer.stem("prohibited") == analyzer.stem("prohibition")
    for word in ["stockpiling", "destruction", "humanitarian", "clearance"]:
        assert analyzer.stem(word) == snowball.stemWord(word)


def test_unrelated_words_do_not_share_terms(analyzer: Analyzer) -> None:
    assert not terms(analyzer, "border") & terms(analyzer, "winter")


# -- concepts, acronyms and expansions ---------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "APMBC",
        "Anti-Personnel Mine Ban Convention",
        "Ottawa Convention",
        "Mine Ban Treaty",
        "ottawa treaty",
    ],
)
def test_names_of_the_mine_ban_convention_share_a_token(analyzer: Analyzer, name: str) -> None:
    assert "=apmbc" in analyzer.analyze(name)
    assert "=apmbc" in analyzer.analyze(f"States that left the {name} in 2025.")


def test_concept_words_alone_do_not_add_the_concept(analyzer: Analyzer) -> None:
    assert "=apmbc" not in analyzer.analyze("the Ottawa river")
    assert "=apmbc" not in analyzer.analyze("a treaty")


@pytest.mark.parametrize(
    ("short", "long", "token"),
    [
        ("ERW", "explosive remnants of war", "=erw"),
        ("IHL", "international humanitarian law", "=ihl"),
        ("AP mines", "anti-personnel mines", "=apmine"),
    ],
)
def test_acronym_and_spelled_out_form_share_a_token(
    analyzer: Analyzer, short: str, long: str, token: str
) -> None:
    assert token in analyzer.analyze(short)
    assert token in analyzer.analyze(long)
    assert token in analyzer.analyze(long.upper())


def test_landmine_implies_mine_but_not_the_reverse(analyzer: Analyzer) -> None:
    mine = analyzer.stem("mine")
    assert mine in analyzer.analyze("a landmine")
    assert mine in analyzer.analyze("land mines")
    assert analyzer.stem("landmine") not in analyzer.analyze("a mine")


def test_us_the_country_is_case_sensitive(analyzer: Analyzer) -> None:
    assert "=usa" in analyzer.analyze("The US left the talks.")
    assert "=usa" in analyzer.analyze("the United States")
    assert "=usa" not in analyzer.analyze("Tell us about the talks.")
    assert "=usa" not in analyzer.analyze("let us go")


def test_case_insensitive_concepts_ignore_case(analyzer: Analyzer) -> None:
    assert "=icrc" in analyzer.analyze("the icrc said")
    assert "=icrc" in analyzer.analyze("the ICRC said")


# -- numbers and legal references --------------------------------------------------------------


def test_legal_references_and_years_survive(analyzer: Analyzer) -> None:
    found = analyzer.analyze("Article 5 of Protocol II, adopted in 1997")
    assert "article#5" in found
    assert "protocol#ii" in found
    assert "1997" in found
    assert "5" in found


@pytest.mark.parametrize("written", ["Article 5", "article 5", "Art. 5", "articles 5"])
def test_ways_of_writing_an_article_reference_agree(analyzer: Analyzer, written: str) -> None:
    assert "article#5" in analyzer.analyze(written)


def test_a_reference_needs_a_number(analyzer: Analyzer) -> None:
    found = analyzer.analyze("This article argues that protocols matter.")
    assert not [t for t in found if "#" in t]


# -- spans and stability ---------------------------------------------------------------------


def test_token_spans_point_at_their_words(analyzer: Analyzer) -> None:
    text = "In 1997 the Ottawa Convention banned anti-personnel mines; the US did not join."
    tokens = analyzer.tokens(text)
    assert tokens
    words, extra = analyzer.split_tokens(text)
    for token in words:
        surface = text[token.start : token.end]
        assert analyzer.analyze(surface) and token.term in analyzer.analyze(surface)
        assert analyzer.stem(surface) == token.term
    by_term = {t.term: text[t.start : t.end] for t in extra}
    assert by_term["=apmbc"] == "Ottawa Convention"
    assert by_term["=apmine"] == "anti-personnel mines"
    assert by_term["=usa"] == "US"
    assert {t.term for t in tokens} == set(analyzer.analyze(text))


def test_token_spans_point_into_decomposed_text(analyzer: Analyzer) -> None:
    text = unicodedata.normalize("NFD", "Rämö studied mines")
    words, _derived = analyzer.split_tokens(text)
    assert [text[t.start : t.end] for t in words] == text.split()
    for token in words:
        surface = text[token.start : token.end]
        assert analyzer.stem(surface) == token.term


def test_analyze_and_tokens_agree_and_are_repeatable(analyzer: Analyzer) -> None:
    texts = [
        "The Anti-Personnel Mine Ban Convention (APMBC) entered into force in 1999.",
        "Explosive remnants of war (ERW) kill civilians long after the fighting ends.",
        "Estonia's and Latvia's governments withdrew; the US never joined.",
        "Interoperability – the ability of forces to operate together – matters.",
    ]
    for text in texts:
        first = analyzer.analyze(text)
        assert analyzer.analyze(text) == first
        assert Analyzer().analyze(text) == first  # a fresh cache gives the same terms
        assert Counter(first) == Counter(t.term for t in analyzer.tokens(text))


# -- the vocabulary file --------------------------------------------------------------------


def test_shipped_vocabulary_loads_and_every_concept_has_terms() -> None:
    vocabulary = load_vocabulary(DEFAULT_VOCABULARY)
    assert vocabulary.concepts
    assert vocabulary.stopwords
    ids = [c.id for c in vocabulary.concepts]
    assert len(ids) == len(set(ids))
    for concept in vocabulary.concepts:
        assert concept.terms, concept.id
        assert all(term.strip() for term in concept.terms), concept.id
        assert concept.case_sensitive <= set(concept.terms), concept.id
    assert "mine" not in vocabulary.stopwords
    assert "mines" not in vocabulary.stopwords


def test_every_concept_term_yields_its_token() -> None:
    analyzer = Analyzer()
    for concept in analyzer.vocabulary.concepts:
        for term in concept.terms:
            assert concept.token in analyzer.analyze(term), (concept.id, term)


def test_bad_intent_pattern_is_rejected() -> None:
    text = '[[intent]]\nfield = "authors"\npatterns = ["(unclosed"]\n'
    with pytest.raises(ValueError, match="authors"):
        parse_vocabulary(text)


def test_concept_without_terms_is_rejected() -> None:
    with pytest.raises(ValueError):
        parse_vocabulary('[[concept]]\nid = "empty"\nterms = []\n')


def test_a_custom_vocabulary_drives_the_analyzer() -> None:
    vocabulary = parse_vocabulary(
        'stopwords = "the of"\n'
        '[[concept]]\nid = "gizmo"\nterms = ["widget", "thing a ma jig"]\n'
        '[[intent]]\nfield = "tags"\npatterns = ["\\\\btags?\\\\b"]\n'
    )
    custom = Analyzer(vocabulary)
    assert "=gizmo" in custom.analyze("The widgets")
    assert "=gizmo" in custom.analyze("a thing a ma jig")
    assert custom.analyze("the of") == []
    assert vocabulary.intents[0].matches("What are the TAGS?")
    assert not vocabulary.intents[0].matches("What are the stages?")
