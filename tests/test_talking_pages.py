"""Print pages as places in the text: finding where each page of the PDF begins."""

from __future__ import annotations

from exporter.writers.talking.pages import locate

PIECES = ["HSCT (haematopoietic stem cell transplantation)", "Questions about MS?",
          "Call us on 0808 800 8000", "It aims to stop the damage MS causes by wiping out "
          "and then regrowing your immune system.", "Who can HSCT work for?",
          "Research has shown that HSCT is most effective for people with MS who:"]


def test_a_page_begins_at_its_first_words_even_inside_a_sentence() -> None:
    pages = ["HSCT (haematopoietic stem cell transplantation) Contents 1 Who can HSCT work "
             "for?\xa0– page\xa02",
             "Helpline Questions about MS? Call us on 0808 800 8000 It aims to stop the",
             "damage MS causes by wiping out and then regrowing your immune system. Who can",
             "HSCT work for? Research has shown that HSCT is most effective"]
    found = locate(pages, PIECES)
    assert found[0] == (0, 0)  # the first page begins with the text
    assert found[1] == (1, 0)  # the callout's label is skipped: not a sentence of the text
    assert found[2] == (3, PIECES[3].index("damage"))
    assert found[3] == (4, PIECES[4].index("HSCT"))


def test_a_page_the_text_does_not_have_begins_where_the_next_one_does() -> None:
    pages = ["HSCT (haematopoietic stem cell transplantation)",
             "Contents 1 Who can HSCT work for? – page 3 2 Getting help – page 7",
             "Questions about MS? Call us on 0808 800 8000"]
    assert locate(pages, PIECES) == [(0, 0), (1, 0), (1, 0)]


def test_a_short_window_never_matches_by_chance() -> None:
    # "MS" alone is in the text many times: a page whose words are not there is not "found".
    pages = ["HSCT (haematopoietic stem cell transplantation)", "Index MS", "Questions about MS?"]
    assert locate(pages, PIECES)[1] == (1, 0)
