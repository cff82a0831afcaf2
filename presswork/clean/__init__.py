"""From a document to a clean article: HTML extraction, boilerplate removal, corpus statistics, language."""
