"""Tests for ksf.search.text: cleaning, tokenising, stemming, compounds."""

from ksf.search.text import Analyzer, Decompounder, clean, first_sentence, guess_language, stem, words


def test_clean_strips_control_and_zero_width_characters():
    assert clean("fall\x00fore\u200bbygging\x7f  i\n\thjemmet") == "fall fore bygging i hjemmet"


def test_clean_normalises_compatibility_forms():
    assert clean("ﬁnn") == "finn"  # NFKC folds the ligature


def test_clean_truncates_huge_input_at_a_word():
    out = clean("ord " * 5000, 100)
    assert len(out) <= 100 and out.endswith("ord")


def test_clean_of_none_and_empty_is_empty():
    assert clean(None) == "" and clean("   ") == ""


def test_words_lowercase_and_split_hyphens():
    assert words("KOLS-pasienter i Bergen") == ["kols", "pasienter", "i", "bergen"]


def test_first_sentence():
    assert first_sentence("We looked at falls. Then more.") == "We looked at falls."


def test_guess_language():
    assert guess_language(words("Hvordan kan vi forebygge fall hos eldre som bor hjemme")) == "no"
    assert guess_language(words("Exercise for preventing falls in older people")) == "en"


def test_norwegian_stemming_joins_inflections():
    assert stem("hjemmetjenesten", "no") == stem("hjemmetjenester", "no")
    assert stem("forebygging", "no") == stem("forebygge", "no")


def test_compound_is_split_into_known_parts():
    d = Decompounder()
    assert d.split("fallforebygging") == (stem("fall", "no"), stem("forebygging", "no"))
    assert d.split("sykehjemsbeboere")[0] == stem("sykehjem", "no")  # linking -s-


def test_short_or_unknown_words_are_not_split():
    d = Decompounder()
    assert d.split("fall") == ()
    assert d.split("interferon") == ()


def test_document_terms_contain_compound_parts():
    terms = Analyzer().doc_terms("Fallforebygging i hjemmetjenesten", "nb")
    assert stem("fall", "no") in terms


def test_query_terms_drop_stop_words_and_offer_both_stemmers():
    qt = Analyzer().query_terms("Hva vet vi om preventing falls?")
    surfaces = [q.surface for q in qt]
    assert "hva" not in surfaces and "vi" not in surfaces
    falls = next(q for q in qt if q.surface == "falls")
    assert stem("falls", "en") in falls.terms
