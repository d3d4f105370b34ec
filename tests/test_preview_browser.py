"""The HTML preview works in a real browser: faces, gaps, dark switch, search, images.

Drives Debian's chromium (not a playwright download: there is no network) through
playwright's Python API on a page opened from file://. A missing browser is a test
failure with a clear message, never a skip: the preview is a feature we ship.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cards.config import KINDS
from cards.deck.templating import deck_css
from cards.preview.html_page import render_html

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HIDDEN = "DeepSeek-V3-Base"


# ------------------------------------------------------------------ PNG helpers


def write_png(path: Path, width: int, height: int) -> None:
    """A small RGB gradient PNG, written with zlib/struct so no imaging library is needed."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 128)) for x in range(width))
        for y in range(height)
    )
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    )


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of raw pixel bytes) of an 8-bit RGB/RGBA PNG such as Chrome writes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        tag, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if tag == b"IHDR":
            header = body
        elif tag == b"IDAT":
            idat += body
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), f"unexpected PNG format depth={depth} colour={colour}"
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            line[i] = (line[i] + (0, a, b, (a + b) // 2, _paeth(a, b, c))[kind]) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows


# ------------------------------------------------------------------ fixtures


def synthetic_cards(tmp_path: Path) -> list[dict[str, Any]]:
    image = tmp_path / "curve.png"
    write_png(image, 40, 24)
    link = "obsidian://open?vault=Vault&file=notes%2Fr1.md"
    return [
        {
            "kind": "steps",
            "note_type": "cloze",
            "fields": {
                "Text": f"R1 starts from {{{{c1::{HIDDEN}}}}}.",
                "Extra": "<ul><li>cold start data</li></ul>",
                "Context": "DeepSeek-R1 › 训练过程",
                "Source": f'<a href="{link}">notes/r1.md:12</a>',
            },
            "context": ["DeepSeek-R1", "训练过程"],
            "deck": "Vault::notes",
            "tags": ["r1"],
            "source": {"path": "notes/r1.md", "line": 12},
            "source_link": link,
            "guid": "guid-steps",
            "media": {},
        },
        {
            "kind": "phrase",
            "note_type": "cloze",
            "fields": {
                "Text": "奖励由{{c1::准确性奖励::哪种?}}和格式奖励组成。",
                "Extra": "",
                "Context": "DeepSeek-R1 › 奖励",
                "Source": "notes/r1.md:30",
            },
            "deck": "Vault::notes",
            "tags": [],
            "source": {"path": "notes/r1.md", "line": 30},
            "source_link": "",
            "guid": "guid-phrase",
        },
        {
            "kind": "qa",
            "note_type": "basic",
            "fields": {
                "Front": "Why add a cold start before RL?",
                "Back": "Readability and faster convergence.",
                "Context": "DeepSeek-R1",
                "Source": "notes/r1.md:40",
            },
            "deck": "Vault",
            "tags": ["why"],
            "source": {"path": "notes/r1.md", "line": 40},
            "source_link": "",
            "guid": "guid-qa",
        },
        {
            "kind": "figure",
            "note_type": "basic",
            "fields": {
                "Front": '<img src="curve.png">',
                "Back": "Accuracy rises with RL steps.",
                "Context": "",
                "Source": "notes/r1.md:50",
            },
            "deck": "Vault",
            "tags": [],
            "source": {"path": "notes/r1.md", "line": 50},
            "source_link": "",
            "guid": "guid-figure",
            "media": {"curve.png": str(image)},
        },
    ]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: install Debian's chromium package (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def open_page(browser: Any, html_file: Path, width: int) -> Iterator[Any]:
    """A tab showing ``html_file`` from disk; ``tab.requests`` records every URL it asks for."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    requests: list[str] = []
    tab = context.new_page()
    tab.on("request", lambda r: requests.append(r.url))
    tab.goto(html_file.as_uri())
    tab.wait_for_load_state("load")
    tab.requests = requests  # type: ignore[attr-defined]
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture()
def page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    html_file = tmp_path / "preview.html"
    html_file.write_text(render_html(synthetic_cards(tmp_path), deck_css()), encoding="utf-8")
    yield from open_page(browser, html_file, 1000)


# ------------------------------------------------------------------ tests


def test_one_article_per_card_with_faces(page: Any) -> None:
    articles = page.locator("article.card")
    assert articles.count() == 4
    guids = [articles.nth(i).get_attribute("data-guid") for i in range(4)]
    assert guids == ["guid-steps", "guid-phrase", "guid-qa", "guid-figure"]
    assert articles.nth(0).get_attribute("data-kind") == "steps"
    for i in range(4):
        assert articles.nth(i).locator(":scope > .front").count() == 1
        assert articles.nth(i).locator(":scope > .back").count() == 1


def test_cloze_front_hides_the_gap(page: Any) -> None:
    card = page.locator('article.card[data-guid="guid-steps"]')
    front = card.locator(".front").inner_text()
    back = card.locator(".back").inner_text()
    assert HIDDEN not in front and "[...]" in front
    assert HIDDEN in back and "cold start data" in back
    hinted = page.locator('article.card[data-guid="guid-phrase"] .front').inner_text()
    assert "[哪种?]" in hinted and "准确性奖励" not in hinted


def test_source_links(page: Any) -> None:
    link = page.locator('article.card[data-guid="guid-steps"] footer a.source-link')
    assert link.get_attribute("href") == "obsidian://open?vault=Vault&file=notes%2Fr1.md"
    assert link.inner_text() == "notes/r1.md:12"
    plain = page.locator('article.card[data-guid="guid-qa"] footer .source-link')
    assert plain.inner_text() == "notes/r1.md:40"


def test_image_is_embedded_and_loads(page: Any) -> None:
    img = page.locator('article.card[data-guid="guid-figure"] .front img')
    assert img.get_attribute("src").startswith("data:image/png;base64,")
    assert page.evaluate("(el) => el.complete && el.naturalWidth", img.element_handle()) == 40
    assert all(url.startswith(("file:", "data:", "about:")) for url in page.requests), page.requests


def test_dark_switch_changes_night_class_and_colours(page: Any) -> None:
    def state() -> tuple[bool, str]:
        return page.evaluate(
            """() => [document.body.classList.contains('nightMode'),
                      getComputedStyle(document.querySelector('article.card')).backgroundColor]"""
        )

    night_before, colour_before = state()
    page.click("#theme-toggle")
    night_after, colour_after = state()
    assert night_after is not night_before
    assert colour_after != colour_before
    page.click("#theme-toggle")
    assert tuple(state()) == (night_before, colour_before)


def test_search_filters_cards(page: Any) -> None:
    visible = lambda: page.locator("article.card:visible").count()  # noqa: E731
    assert visible() == 4
    page.fill("#search", "cold start")
    assert visible() == 2  # the steps card (Extra) and the Q/A card
    page.fill("#search", "准确性")
    assert visible() == 1
    assert page.locator("article.card:visible").get_attribute("data-guid") == "guid-phrase"
    page.fill("#search", "no such words anywhere")
    assert visible() == 0
    page.fill("#search", "")
    assert visible() == 4


def test_screenshot_is_not_blank(page: Any, tmp_path: Path) -> None:
    shot = tmp_path / "preview.png"
    page.screenshot(path=str(shot), full_page=True)
    width, height, rows = decode_png(shot.read_bytes())
    assert width >= 600 and height >= 400
    colours = {row[i : i + 3] for row in rows[::4] for i in range(0, len(row), 12)}
    assert len(colours) > 20, f"screenshot looks blank: only {len(colours)} colours"


# ------------------------------------------------------------------ the page the CLI writes

SAMPLE = Path(__file__).resolve().parent.parent / "sample_notes"


@pytest.fixture(scope="module")
def sample_page_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """``cards preview sample_notes --html`` and ``--json``, through the real CLI."""
    import json

    from click.testing import CliRunner

    from cards.cli import main

    folder = tmp_path_factory.mktemp("cli-page")
    page_file = folder / "preview.html"
    runner = CliRunner()
    html_run = runner.invoke(main, ["preview", str(SAMPLE), "--html", str(page_file)], catch_exceptions=False)
    assert html_run.exit_code == 0, html_run.output
    json_run = runner.invoke(main, ["preview", str(SAMPLE), "--json"], catch_exceptions=False)
    assert json_run.exit_code == 0, json_run.output
    objects = json.loads(json_run.stdout)
    assert f"({len(objects)} cards)" in html_run.stdout
    return page_file, objects


@pytest.fixture()
def sample_page(browser: Any, sample_page_data: tuple[Path, list[dict[str, Any]]]) -> Iterator[Any]:
    page_file, _ = sample_page_data
    yield from open_page(browser, page_file, 1100)


def test_cli_page_has_one_article_per_json_card(
    sample_page: Any, sample_page_data: tuple[Path, list[dict[str, Any]]]
) -> None:
    _, objects = sample_page_data
    articles = sample_page.locator("article.card")
    assert articles.count() == len(objects) > 10
    got = sample_page.evaluate(
        """() => Array.from(document.querySelectorAll('article.card')).map(
               a => [a.dataset.guid, Number(a.dataset.ordinal), a.dataset.kind])"""
    )
    assert got == [[o["guid"], o["ordinal"], o["kind"]] for o in objects]
    assert sample_page.locator("#count").inner_text() == f"{len(objects)} cards"
    assert {k for _, _, k in got} == set(KINDS)


def test_cli_page_cloze_fronts_hide_their_text(
    sample_page: Any, sample_page_data: tuple[Path, list[dict[str, Any]]]
) -> None:
    _, objects = sample_page_data
    # every cloze front: its active gap shows [...] (or a hint), never the hidden text
    gaps = sample_page.evaluate(
        """() => Array.from(document.querySelectorAll('article.card[data-note-type="cloze"]')).map(a => {
               const gap = a.querySelector('.front .cloze');
               return [a.dataset.guid, gap ? gap.getAttribute('data-cloze') : null, gap ? gap.textContent : null];
           })"""
    )
    assert len(gaps) == sum(o["note_type"] == "cloze" for o in objects)
    for guid, hidden, shown in gaps:
        assert hidden and shown and shown.startswith("[") and shown.endswith("]"), guid
        assert hidden not in shown, guid
    # and one named card: the first step of cellular respiration
    step = next(o for o in objects if o["kind"] == "steps" and "{{c1::Glycolysis}}" in o["fields"]["Text"])
    card = sample_page.locator(f'article.card[data-guid="{step["guid"]}"]')
    front, back = card.locator(".front").inner_text(), card.locator(".back").inner_text()
    assert "Glycolysis" not in front and "[...]" in front and "Pyruvate oxidation" in front
    assert "Glycolysis" in back


def test_cli_page_embeds_local_images_and_links_sources(sample_page: Any) -> None:
    images = sample_page.locator("article.card[data-kind='figure'] .front img")
    assert images.count() >= 1
    for i in range(images.count()):
        img = images.nth(i)
        assert img.get_attribute("src").startswith("data:image/")
        assert sample_page.evaluate("(el) => el.complete && el.naturalWidth", img.element_handle()) > 0
    links = sample_page.locator("article.card footer a.source-link")
    assert links.count() == sample_page.locator("article.card").count()
    hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
    assert all(h.startswith("obsidian://open?vault=sample_notes&file=") for h in hrefs)
    assert all(url.startswith(("file:", "data:", "about:")) for url in sample_page.requests), sample_page.requests


def test_cli_page_dark_switch_and_screenshot(sample_page: Any, tmp_path: Path) -> None:
    def state() -> list[Any]:
        return sample_page.evaluate(
            """() => [document.body.classList.contains('nightMode'),
                      getComputedStyle(document.querySelector('article.card')).backgroundColor,
                      getComputedStyle(document.querySelector('article.card')).color]"""
        )

    before = state()
    sample_page.click("#theme-toggle")
    after = state()
    assert after[0] is not before[0] and after[1] != before[1] and after[2] != before[2]
    shots = []
    for name in ("toggled.png", "back.png"):  # one shot in each theme
        shot = tmp_path / name
        sample_page.screenshot(path=str(shot), full_page=False)
        width, height, rows = decode_png(shot.read_bytes())
        assert width >= 600 and height >= 400
        colours = {row[i : i + 3] for row in rows[::4] for i in range(0, len(row), 12)}
        assert len(colours) > 20, f"{name} looks blank: only {len(colours)} colours"
        shots.append(shot.read_bytes())
        if len(shots) == 1:
            sample_page.click("#theme-toggle")
    assert shots[0] != shots[1]
    assert state() == before


def test_cli_page_search(sample_page: Any, sample_page_data: tuple[Path, list[dict[str, Any]]]) -> None:
    _, objects = sample_page_data
    visible = lambda: sample_page.locator("article.card:visible").count()  # noqa: E731
    assert visible() == len(objects)
    sample_page.fill("#search", "TIME_WAIT")
    assert visible() == 1
    sample_page.fill("#search", "")
    assert visible() == len(objects)


# ------------------------------------------------------------------ a large vault: pages


def test_a_large_vault_is_paged_and_every_page_opens(browser: Any, tmp_path: Path, synthetic: Any) -> None:
    """A vault of thousands of cards gives pages of PAGE_SIZE cards, each a small
    self-contained page that opens, links its neighbours and says how to filter;
    together they hold every card of ``--json``, in order."""
    import json

    from click.testing import CliRunner

    from cards.cli import main
    from cards.preview.html_page import PAGE_SIZE, page_path

    vault = tmp_path / "vault"
    synthetic(160, vault, seed=4)
    (vault / "cards.toml").write_text('density = "all"\n', "utf-8")  # many cards, whatever the score keeps
    out = tmp_path / "deck.apkg"
    runner = CliRunner()
    objects = json.loads(
        runner.invoke(main, ["preview", str(vault), "--json", "-o", str(out)], catch_exceptions=False).stdout
    )
    pages = -(-len(objects) // PAGE_SIZE)
    assert pages >= 3, len(objects)
    first = tmp_path / "html" / "preview.html"
    first.parent.mkdir()
    result = runner.invoke(main, ["preview", str(vault), "--html", str(first), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (
        f"({len(objects)} cards on {pages} pages: preview.html, preview-2.html … preview-{pages}.html)" in result.stdout
    )
    assert sorted(p.name for p in first.parent.iterdir()) == sorted(
        page_path(first, n).name for n in range(1, pages + 1)
    )
    seen: list[str] = []
    tab_iter = open_page(browser, first, 1100)
    tab = next(tab_iter)
    try:
        for number in range(1, pages + 1):
            assert tab.url.endswith(page_path(first, number).name)
            assert page_path(first, number).stat().st_size < 8 * 1024 * 1024
            assert tab.locator("#page-of").inner_text() == f"Page {number} of {pages}"
            note = tab.locator("#filter-note").inner_text()
            assert f"{len(objects)} cards" in note and "--note" in note and "--kind" in note and "--grep" in note
            articles = tab.locator("article.card")
            assert articles.count() == (PAGE_SIZE if number < pages else len(objects) - PAGE_SIZE * (pages - 1))
            seen += tab.evaluate("() => Array.from(document.querySelectorAll('article.card')).map(a => a.dataset.guid)")
            assert tab.locator("#prev-page").count() == (number > 1)
            if number < pages:
                tab.click("#next-page")
                tab.wait_for_load_state("load")
            else:
                assert tab.locator("#next-page").count() == 0
        tab.click("#prev-page")
        tab.wait_for_load_state("load")
        assert tab.locator("#page-of").inner_text() == f"Page {pages - 1} of {pages}"
    finally:
        for _ in tab_iter:
            pass
    assert seen == [o["guid"] for o in objects]
