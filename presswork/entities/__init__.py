"""Named entities: NER with spaCy over article bodies, and resolution of names into entities."""
