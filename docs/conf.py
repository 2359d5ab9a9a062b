"""Sphinx configuration (builds offline; warnings are errors in CI)."""
import os
import sys

sys.path.insert(0, os.path.abspath('..'))

import pyg_kgt  # noqa: E402

project = 'pyg_kgt'
author = 'pyg_kgt developers'
release = pyg_kgt.__version__
extensions = ['sphinx.ext.autodoc', 'sphinx.ext.napoleon',
              'sphinx.ext.mathjax', 'sphinx.ext.viewcode']
autodoc_member_order = 'bysource'
autodoc_typehints = 'none'
napoleon_google_docstring = True
exclude_patterns = ['_build']
html_theme = 'alabaster'
nitpicky = False
