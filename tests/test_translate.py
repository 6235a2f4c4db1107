"""English lemmas in German words (trends.nlp.translate), from a dictd dictionary."""

from __future__ import annotations

import pytest
from conftest import write_dictd

from trends.nlp import translate

ENTRIES = {
    "pothole": ["Schlagloch <neut> [auto]", "Loch <neut>, Grube <fem>"],
    "bin": ["lagern [in Behälter] , einlagern <v, trans>"],
    "bin lorry": ["Müllwagen <masc>, Müllauto <neut> [ugs.]"],
    "lorry": ["[Br.] Lastwagen <masc>, Lkw /ˌɛlkˌeɪ/ , Laster <masc>"],
    "mower": ["Rasenmäher <masc>, rasenmähender Bewohner <masc>"],
}


@pytest.fixture
def tr(tmp_path, monkeypatch):
    """trends.nlp.translate reading a dictionary of ENTRIES."""
    monkeypatch.setattr(translate, "DICT_DIR", write_dictd(tmp_path, "freedict-eng-deu", ENTRIES))
    monkeypatch.setattr(translate, "_SEEN", {})
    return translate


def test_a_word_becomes_the_german_nouns_of_all_its_senses(tr):
    """Tags, pronunciations, verbs and multi-word glosses are dropped; a word the dictionary
    does not have, or has no noun for, is left out."""
    found = tr.translations(["pothole", "bin", "mower", "council", "lorry"], "en", "de")
    assert found == {
        "pothole": ["Schlagloch", "Loch", "Grube"],
        "mower": ["Rasenmäher"],
        "lorry": ["Lastwagen", "Lkw", "Laster"],
    }
    assert tr.translations(["pothole"], "en", "fr") == {}  # no dictionary for the pair
    # the manifest names it (analysis results depend on it)
    size = (tr.DICT_DIR / "freedict-eng-deu.index").stat().st_size
    assert tr.installed() == {"en-de": f"freedict-eng-deu ({size} bytes)"}


def test_a_document_keeps_its_words_and_gains_the_translations(tr):
    """A phrase between markers is looked up whole; one the dictionary lacks, word by word."""
    docs = ["bin lorry | pothole | Euskirchen", "lorry driver | mower", "council | decide"]
    assert tr.translate_docs(docs, "en", "de") == [
        "bin lorry | pothole | Euskirchen | Müllwagen Müllauto Schlagloch Loch Grube",
        "lorry driver | mower | Lastwagen Lkw Laster Rasenmäher",
        "council | decide",  # nothing to add
    ]


def test_given_the_corpus_usage_a_word_gains_the_sense_the_corpus_writes_about(tr):
    """A word's other senses would be words of the report too ("Grube" for a pothole): with
    the German articles' usage each word gives the noun they use most, none they never use."""
    docs = ["bin lorry | pothole | Euskirchen", "lorry driver | mower"]
    usage = {"Schlagloch": 12, "Loch": 30, "Müllwagen": 4, "Rasenmäher": 0, "Lkw": 7, "Laster": 7}
    assert tr.translate_docs(docs, "en", "de", usage) == [
        "bin lorry | pothole | Euskirchen | Müllwagen Loch",
        "lorry driver | mower | Lkw Laster",  # a tie keeps both; an unused noun adds nothing
    ]


def test_without_the_dictionary_documents_are_unchanged(tmp_path, monkeypatch):
    monkeypatch.setattr(translate, "DICT_DIR", tmp_path / "none")
    monkeypatch.setattr(translate, "_SEEN", {})
    docs = ["bin lorry | pothole"]
    assert translate.translate_docs(docs, "en", "de") == docs
    assert translate.installed() == {}


def test_words_looked_up_once_are_not_read_again(tr, monkeypatch):
    tr.translations(["pothole", "council"], "en", "de")
    monkeypatch.setattr(translate, "DICT_DIR", tr.DICT_DIR / "gone")
    # both remembered, the one the dictionary lacks too; a new word finds no dictionary now
    assert tr.translations(["pothole", "council"], "en", "de") == {
        "pothole": ["Schlagloch", "Loch", "Grube"]
    }
    assert tr.translations(["mower"], "en", "de") == {}


@pytest.mark.skipif(
    not (translate.DICT_DIR / "freedict-eng-deu.index").exists(),
    reason="dict-freedict-eng-deu is not installed (apt-get install dict-freedict-eng-deu)",
)
def test_the_installed_dictionary_reads_municipal_english(monkeypatch):
    monkeypatch.setattr(translate, "_SEEN", {})
    found = translate.translations(["pothole", "bin lorry", "mower", "passport"], "en", "de")
    assert "Schlagloch" in found["pothole"]
    assert "Müllwagen" in found["bin lorry"]
    assert "Rasenmäher" in found["mower"]
    assert "Reisepass" in found["passport"]


def test_an_unreadable_dictionary_leaves_documents_unchanged_and_says_why(tmp_path, monkeypatch):
    folder = write_dictd(tmp_path, "freedict-eng-deu", ENTRIES)
    (folder / "freedict-eng-deu.dict.dz").write_bytes(b"\x1f\x8b\x08\x00 not gzip data")
    monkeypatch.setattr(translate, "DICT_DIR", folder)
    monkeypatch.setattr(translate, "_SEEN", {})
    monkeypatch.setattr(translate, "_PROBLEMS", {})
    docs = ["bin lorry | pothole"]
    assert translate.translate_docs(docs, "en", "de") == docs
    why = translate.problem("en", "de")
    assert why and "freedict-eng-deu: unreadable" in why and "\n" not in why
    # an index line with a broken offset: the same
    (folder / "freedict-eng-deu.index").write_text("pothole\t#?!\tBB\n", encoding="utf-8")
    monkeypatch.setattr(translate, "_SEEN", {})
    monkeypatch.setattr(translate, "_PROBLEMS", {})
    assert translate.translate_docs(docs, "en", "de") == docs
    assert "KeyError" in translate.problem("en", "de")
