"""The dashboard as `streamlit run` runs it: the page setup, the sidebar and the navigation between the pages.

Streamlit runs this file by its path as `__main__`, not as part of the package, so every import here is absolute.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from presswork.app.config import default_warehouse
from presswork.app.dashboard.screens.article import article_page
from presswork.app.dashboard.screens.entities import entities_page
from presswork.app.dashboard.screens.overview import overview_page
from presswork.app.dashboard.screens.search import search_page
from presswork.app.dashboard.screens.stories import stories_page
from presswork.app.dashboard.widgets import Source, open_source

PAGES: dict[str, tuple[str, Callable[[Source], None]]] = {
    # url path: (title, page). No Material icons: the browser fetches the current page's icon, as its favicon,
    # from fonts.gstatic.com, and the dashboard must work offline (a browser test checks every request).
    "overview": ("Overview", overview_page),
    "stories": ("Stories", stories_page),
    "entities": ("Entities", entities_page),
    "article": ("Article", article_page),
    "search": ("Search", search_page),
}


def render_page(name: str, root: str | Path) -> None:
    """Render one page on its own (what AppTest drives); the app itself goes through `main`."""
    source = open_source(root)
    if source is not None:
        PAGES[name][1](source)


def _sidebar(source: Source) -> None:
    snapshot = source.version.split("@")[0]  # the version is `<snapshot>@<catalogue>`
    st.sidebar.caption(f"Warehouse `{source.layout.root}` (read-only), snapshot {snapshot}.")
    st.sidebar.caption("Each page shows the latest committed run as of its last refresh or click.")


def main() -> None:
    """The app as `streamlit run` runs it: the warehouse from $PRESSWORK_WAREHOUSE, five pages."""
    # An emoji favicon is an inline SVG (a Material icon would be fetched from the internet).
    st.set_page_config(page_title="presswork", page_icon="📰", layout="wide")
    source = open_source(default_warehouse())
    if source is None:
        st.stop()
    _sidebar(source)

    def bind(page: Callable[[Source], None]) -> Callable[[], None]:
        return lambda: page(source)

    navigation = st.navigation(
        [
            st.Page(bind(page), title=title, url_path=path, default=(path == "overview"))
            for path, (title, page) in PAGES.items()
        ]
    )
    navigation.run()


if __name__ == "__main__":
    main()
