"""Collection: the only network code (fetch.py) and parsers that work on bytes."""
