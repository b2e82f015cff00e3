"""Text analysis for search: cleaning, tokenising, stop words, stemming and compound splitting.

Pure Python (no Django), shared by the lexical index, the engine and the benchmarks.

Languages: Norwegian (bokmål and nynorsk share one Snowball stemmer) and English.
Documents are stemmed with the stemmer of their language (given, or guessed from stop words);
query words are expanded to the stems of *both* languages, because a query's language is
unreliable on a few words and the corpus is mixed. Norwegian compounds ("fallforebygging")
are split against a lexicon (a small built-in seed list plus the index's own vocabulary), and
the parts are indexed/queried as extra terms, so "fallforebygging" meets "fall".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer

#: Hard cap on the characters of any text we analyse for a query (a 10,000-char paste is cut).
MAX_QUERY_CHARS = 2000
#: Hard cap on the number of distinct query terms scored.
MAX_QUERY_TERMS = 64

# Our own short stop-word lists. Function words only: never domain words such as "fall".
STOP_NB = frozenset(
    """
    og i jeg det at en et ett den de dem til er som på med han hun av ikke der så var meg seg
    men har om vi min mitt mine ha hadde nå over da ved fra du ut sin sitt sine oss opp man kan
    hans hennes hvor eller hva skal selv her alle vil bli ble blitt kunne inn når være vært noen
    noe ville dere deres kun ja etter ned skulle denne dette disse for deg si mot å uten hvordan
    hvorfor ingen din ditt blir samme hvilken hvilke hvem mellom vår våre hver hvis både bare
    enn fordi før mange også slik siden man mye mer meget hos under andre annen annet blant
    """.split()
)
STOP_NN = frozenset(
    """
    eg ein eit ikkje kva kvar kven korleis kvifor kor ho dei deira berre frå me mi mykje no
    nokon noka noko nokre sidan so vere vore verte vart òg dykk dykkar hjå honom henne også
    medan elles båe begge um upp
    """.split()
)
STOP_EN = frozenset(
    """
    a an and are as at be been being but by can could did do does for from had has have he her
    his how i if in into is it its may might more most no not of on or our she should so than
    that the their them then there these they this those to too us was we were what when where
    which while who whom why will with would you your about also any after before between both
    each other such only own same very just all some over under up down out again further once
    here me my myself whether there than via per
    """.split()
)
STOP_NO = STOP_NB | STOP_NN
STOP_ALL = STOP_NO | STOP_EN

# Words that tell Norwegian from English apart when guessing a text's language.
_NO_MARKERS = frozenset(
    "og ikke ikkje det som er på med av til jeg eg hvordan korleis hva kva kan har for å en ein "
    "et eit de dei blir vert bli hos eller om skal".split()
)
_EN_MARKERS = frozenset(
    "the and of to in is are was were with for that this on as by be from or an it not which what how can".split()
)

# Seed lexicon for compound splitting: common Norwegian words of municipal health and care.
# The index adds its own vocabulary to it; these only make small corpora work from the start.
SEED_LEXICON_NO = frozenset(
    """
    fall forebygging forebygge skade skader ulykke ulykker eldre barn unge ungdom voksne
    helse omsorg tjeneste tjenester hjemme hjem sykehjem sykehus lege leger fastlege vakt legevakt
    sykepleie sykepleier pleie rus psykisk psykiatri rehabilitering habilitering trening
    fysisk aktivitet kost ernæring mat måltid vekt demens kreft diabetes hjerte lunge slag
    smerte smerter medisin medisiner legemiddel legemidler gjennomgang bruk misbruk avhengighet
    velferd teknologi sensor alarm trygghet digital tilsyn skole stasjon helsestasjon
    folkehelse tannhelse søvn angst depresjon selvmord vold overgrep mobbing ensomhet
    pårørende bruker brukere pasient pasienter beboer beboere ansatte personell kompetanse
    opplæring veiledning samarbeid koordinering plan tiltak metode behandling utredning
    diagnose screening vaksine vaksinasjon infeksjon smitte sår trykksår hygiene munn
    kols astma fedme overvekt graviditet fødsel svangerskap amming spedbarn foreldre familie
    lindrende palliasjon død livets slutt bolig institusjon dagtilbud avlastning
    kognitiv svikt funksjon mobilitet balanse styrke gange hofte brudd sykdom lidelse
    plager hjelp hjelpemiddel middel bad dusj seng natt dag kveld arbeid jobb skole
    """.split()
)

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_WS_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_PART_RE = re.compile(r"[^\W_]+")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-ZÆØÅ0-9])")

_STEMMERS = {"no": Stemmer.Stemmer("norwegian"), "en": Stemmer.Stemmer("english")}
for _stemmer in _STEMMERS.values():
    _stemmer.maxCacheSize = 100_000  # stem_many relies on Snowball's own cache
# Snowball Norwegian keeps -ing nouns ("forebygging") apart from their verbs ("forebygge").
_NO_EXTRA_SUFFIXES = ("ing",)


def clean(text: str | None, max_chars: int | None = None) -> str:
    """NFKC-normalise, drop control and zero-width characters, collapse whitespace."""
    if not text:
        return ""
    if not isinstance(text, str):
        text = str(text)
    if max_chars is not None and len(text) > max_chars * 2:
        # cut before normalising so a huge paste costs nothing
        text = text[: max_chars * 2]
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL_RE.sub(" ", text)
    # == _WS_RE.sub(" ", text).strip(): str.split() and re's \s agree on what is whitespace
    text = " ".join(text.split())
    if max_chars is not None and len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars)
        text = text[: cut if cut > max_chars // 2 else max_chars]
    return text


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters/digits, inner hyphens split off as separate words).

    The same as matching ``_WORD_RE`` and splitting each match at its hyphens and apostrophes:
    both give the runs of letters and digits, in order.
    """
    return _PART_RE.findall(text.lower())


def first_sentence(text: str) -> str:
    """The first sentence of a text (a cheap splitter, good enough for summaries)."""
    text = clean(text)
    parts = _SENTENCE_END_RE.split(text, maxsplit=1)
    return parts[0] if parts else ""


def guess_language(tokens: Iterable[str]) -> str:
    """'no' or 'en' from marker-word counts; 'en' when there is no evidence either way."""
    no = en = 0
    for i, t in enumerate(tokens):
        if i > 400:
            break
        if t in _NO_MARKERS:
            no += 1
        if t in _EN_MARKERS:
            en += 1
    return "no" if no > en else "en"


def normalise_language(lang: str | None) -> str | None:
    """Map stored language codes (nb, nn, no, nob, nno, en, eng, ...) to 'no' / 'en' / None."""
    if not lang:
        return None
    lang = lang.lower()[:3]
    if lang in {"nb", "nn", "no", "nob", "nno", "nor"}:
        return "no"
    if lang in {"en", "eng"}:
        return "en"
    return None


def _is_indexable(t: str) -> bool:
    # numbers stay: "type 2 diabetes", "covid 19", trial sizes and years are real evidence
    return len(t) > 1 or t.isdigit()


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str) -> str:
    """Snowball stem in 'no' or 'en', with a light extra -ing rule for Norwegian."""
    s: str = _STEMMERS[lang].stemWord(word)
    if lang == "no":
        for suf in _NO_EXTRA_SUFFIXES:
            if s.endswith(suf) and len(s) - len(suf) >= 4:
                s = s[: -len(suf)]
                break
    return s


def stem_many(ws: list[str], lang: str) -> list[str]:
    """``[stem(w, lang) for w in ws]`` in one call into Snowball (its own cache; 2-3x faster
    when indexing 200k documents)."""
    stems: list[str] = _STEMMERS[lang].stemWords(ws)
    if lang == "no":
        n = len(_NO_EXTRA_SUFFIXES[0])
        assert _NO_EXTRA_SUFFIXES == ("ing",)  # the rule of stem(), unrolled for its only suffix
        return [s[:-n] if len(s) - n >= 4 and s.endswith("ing") else s for s in stems]
    return stems


class Decompounder:
    """Splits Norwegian compounds into known parts.

    A word is split when it can be cut into 2-3 parts, each at least 3 letters and each known
    to the lexicon (after stemming), optionally joined by the linking letters "s" or "e".
    """

    MIN_WORD = 7
    MIN_PART = 3

    def __init__(self, lexicon: Iterable[str] = ()) -> None:
        self._stems: set[str] = set()
        self.add_words(SEED_LEXICON_NO)
        self.add_words(lexicon)
        self._cache: dict[str, tuple[str, ...]] = {}

    def add_words(self, ws: Iterable[str]) -> None:
        for w in ws:
            if len(w) >= self.MIN_PART and w not in STOP_ALL:
                self._stems.add(stem(w, "no"))
        self._cache = {}

    def add_stems(self, stems: Iterable[str]) -> None:
        self._stems.update(s for s in stems if len(s) >= self.MIN_PART)
        self._cache = {}

    def _known(self, part: str) -> bool:
        return len(part) >= self.MIN_PART and (part in self._stems or stem(part, "no") in self._stems)

    def split(self, word: str) -> tuple[str, ...]:
        """Stems of the parts of `word`, or () if it is not a (known) compound."""
        if len(word) < self.MIN_WORD or not word.isalpha():
            return ()
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        best = self._split(word, 3)
        res = tuple(stem(p, "no") for p in best) if best and len(best) > 1 else ()
        if len(self._cache) < 100_000:
            self._cache[word] = res
        return res

    def _split(self, word: str, max_parts: int) -> list[str] | None:
        # prefer the longest known head; the tail must be known or itself splittable
        for cut in range(len(word) - self.MIN_PART, self.MIN_PART - 1, -1):
            head, tail = word[:cut], word[cut:]
            if not self._known(head):
                continue
            for link in ("", "s", "e"):
                if link and not tail.startswith(link):
                    continue
                rest = tail[len(link) :]
                if len(rest) < self.MIN_PART:
                    continue
                if self._known(rest):
                    return [head, rest]
                if max_parts > 2:
                    sub = self._split(rest, max_parts - 1)
                    if sub:
                        return [head, *sub]
        return None


@dataclass(frozen=True)
class QueryTerm:
    """One query word and the index terms it may match (stems in both languages, compound parts)."""

    surface: str
    terms: tuple[str, ...]
    part_terms: tuple[str, ...] = ()


@dataclass
class Analyzer:
    """Turns documents and queries into index terms; one instance is shared by an index."""

    decompounder: Decompounder = field(default_factory=Decompounder)
    split_compounds: bool = True

    def doc_terms(self, text: str, lang: str | None = None) -> list[str]:
        """Index terms of a document field, in order, with compound parts appended."""
        toks = [t for t in words(clean(text)) if len(t) > 1 or t.isdigit()]  # _is_indexable, inlined
        language = normalise_language(lang) or guess_language(toks)
        stop = STOP_NO if language == "no" else STOP_EN
        kept = [t for t in toks if t not in stop]
        out = stem_many(kept, language)
        if language == "no" and self.split_compounds:
            split = self.decompounder.split
            out.extend(p for t in kept for p in split(t))
        return out

    def query_terms(self, query: str) -> list[QueryTerm]:
        """Distinct query words with their candidate index terms, capped in number."""
        toks = [t for t in words(clean(query, MAX_QUERY_CHARS)) if _is_indexable(t)]
        seen: set[str] = set()
        out: list[QueryTerm] = []
        for t in toks:
            if t in seen or t in STOP_ALL:
                continue
            seen.add(t)
            terms = tuple(dict.fromkeys((stem(t, "no"), stem(t, "en"))))
            parts = self.decompounder.split(t) if self.split_compounds else ()
            parts = tuple(p for p in parts if p not in terms)
            out.append(QueryTerm(t, terms, parts))
            if len(out) >= MAX_QUERY_TERMS:
                break
        return out

    def query_language(self, query: str) -> str:
        return guess_language(words(clean(query, MAX_QUERY_CHARS)))
