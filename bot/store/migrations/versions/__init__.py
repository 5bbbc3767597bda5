"""One module per schema change, applied in order by bot/store/migrate.py; never edit one that
has shipped: add the next."""
