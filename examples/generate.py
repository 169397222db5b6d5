"""Regenerate the committed example office: python examples/generate.py [FOLDER]."""

import sys

from followup_xl.demo.office import main

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples/office")
