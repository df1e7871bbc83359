"""`python -m coc_lsp` is `coc`."""

import sys

from coc_lsp.cli import main

sys.exit(main())
