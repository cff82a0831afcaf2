"""The view SQL (`staging/`, `marts/`): package data of `presswork.sql`, read through `importlib.resources`."""
