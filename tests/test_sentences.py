"""Sentence splitting and the in-order presence check every format's test relies on."""

from __future__ import annotations

from exporter import sentences


def test_split_on_sentence_ends_and_lines() -> None:
    assert sentences.split("One. Two? Three!\nFour") == ["One.", "Two?", "Three!", "Four"]


def test_normalise_folds_ligatures_spaces_and_soft_hyphens() -> None:
    assert sentences.normalise("e\ufb03cient\u00a0treat\u00adment  here") == (
        "efficient treatment here"
    )


def test_missing_in_order_reports_missing_and_out_of_order() -> None:
    text = "Alpha one. Beta two. Gamma three."
    assert sentences.missing_in_order(["Alpha one.", "Gamma three."], text) == []
    assert sentences.missing_in_order(["Gamma three.", "Alpha one."], text) == ["Alpha one."]
    assert sentences.missing_in_order(["Delta four."], text) == ["Delta four."]


def test_of_blocks_reads_every_block_kind(hsct_doc: object) -> None:
    from exporter.model import Document

    assert isinstance(hsct_doc, Document)
    found = sentences.of_blocks(hsct_doc.blocks)
    assert found[0] == "HSCT (haematopoietic stem cell transplantation)"
    assert "Questions about MS?" in found  # a callout
    assert "early menopause" in found  # a list item
