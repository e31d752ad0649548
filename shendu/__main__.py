"""``python -m shendu``: the ``shendu`` command."""

import sys

from shendu.cli import main

sys.exit(main())
