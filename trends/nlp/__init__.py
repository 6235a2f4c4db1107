"""German-first text mining: tokens, lemmas, keyphrases, entities, topics."""
