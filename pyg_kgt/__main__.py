import sys

from pyg_kgt.cli import main

sys.exit(main())
