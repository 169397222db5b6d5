"""`python -m followup_xl …` is `followup-xl …`."""

from .cli import main

main()
