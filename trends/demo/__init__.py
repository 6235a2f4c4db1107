"""The offline demo: corpus, local website, truth file."""
