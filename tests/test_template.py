"""The report template on a page built through the report's own code: one offline file, escaped, every
part of `page` shown. Marked slow: building the page fits every model (with few draws)."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from page_fixture import make_page, render

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    return make_page(tmp_path_factory.mktemp("page"))


@pytest.fixture(scope="module")
def html(page):
    return render(page)


def test_one_offline_file_with_viewport_and_print_styles(html):
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "@media print" in html and "overflow-x: auto" in html and "appendix-filter" in html
    assert not re.search(r"<link\b|<script\b[^>]*\bsrc=|@import|url\(\s*['\"]?(https?:)?//", html)
    assert not re.search(r"\bsrc=\"(https?:)?//", html), (
        "everything the page shows is in the file or beside it"
    )


def test_headline_comes_first_and_contents_link_every_section(page, html):
    body = html.split("<body>", 1)[1]
    assert (
        body.index(str(escape(page["headline"][0])))
        < body.index('class="toc"')
        < body.index(str(escape(page["sections"][0]["title"])) + "</h2>")
    )
    for section in page["sections"]:
        assert f'<a href="#{section["id"]}">' in html and f'id="{section["id"]}"' in html
        for table in section["tables"]:
            assert f'aria-label="{escape(table["caption"])}">\n{table["html"]}' in html
        for fig in section["figures"]:
            assert f'src="figures/{fig["stem"]}.svg" alt="{escape(fig["alt"])}"' in html


def test_periods_link_their_sources_and_appendix_lists_every_attack(page, html):
    for p in page["periods"]:
        assert f'<a href="{p["source_url"]}" rel="noopener">' in html
    assert html.count('<tr id="USF-') == len(page["appendix"]) > 100
    assert f"{len(page['appendix'])} of {len(page['appendix'])} attacks shown" in html


def test_text_from_the_data_is_escaped(page):
    evil = "<script>alert(1)</script>"
    page = {
        **page,
        "title": evil,
        "headline": [evil],
        "periods": [{**page["periods"][0], "label": evil}],
        "appendix": [
            {**page["appendix"][0], "summary": evil, "links": [{"label": evil, "url": "javascript:x"}]}
        ],
    }
    html = render(page)
    assert evil not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html, "only http(s) addresses become links"
