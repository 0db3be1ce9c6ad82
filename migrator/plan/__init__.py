"""Plans: the document (model), its file (planfile), and how one is computed and rendered."""
