#!/usr/bin/env python3
"""`python build.py [command]` is `dossier [command]`; with no command it builds into _site/."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dossier.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["build"]))
