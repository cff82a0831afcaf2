"""The dashboard's pages, one module each: overview, stories, entities, article, search.

Named screens, not pages: Streamlit takes a `pages/` folder beside the entry script for an old-style multipage
app, and on a fresh server the first request for a page would run `pages/<name>.py` itself, a blank page.
"""
