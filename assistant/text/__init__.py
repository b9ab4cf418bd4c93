"""Text as every stage reads it: words (lexical.py: tokens, stems, folding, stopwords),
sentences (sentences.py: the splitter ingest and the model path share), the shared vocabulary
(vocabulary.py: months, weekdays, verbs of speech) and reported speech (reported.py)."""
