# SPDX-License-Identifier: MIT
"""The web app tests are a package so that their conftest.py does not shadow tests/conftest.py."""
