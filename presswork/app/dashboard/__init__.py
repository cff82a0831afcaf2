"""The dashboard: a read-only Streamlit app over the warehouse views, one module per page.

`presswork dashboard` starts it through `launcher.py`, which runs `app.py` (the navigation and the sidebar) under
`streamlit run` with the warehouse in $PRESSWORK_WAREHOUSE. Each page lives in `screens/`; `widgets.py` holds
what the pages share. Every number comes from `queries.py` (SQL run by DuckDB); the pages only lay results out.

Safety: text from the data (headlines, bodies, names, removed boilerplate) reaches the page only as escaped HTML
(`html.escape`) or as cells of a dataframe or chart, never as Markdown, since Markdown would interpret `*`, `$`
and links in a headline and raw HTML could run script.
"""
