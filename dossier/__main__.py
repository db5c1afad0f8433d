import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while Python is still importing: nothing has been written yet
    sys.exit(130)

sys.exit(main())
