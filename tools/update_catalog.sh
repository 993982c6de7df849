#!/bin/sh
# Re-extract the interface's messages and merge them into the Spanish catalog
# (pip install babel; the dev extra has it). Then translate the new entries in
# csock/locale/es/LC_MESSAGES/csock.po; setup.py compiles it at build time.
set -eu
cd "$(dirname "$0")/.."
pybabel extract -k N_ -k _tr -k _ui -k ngettext:1,2 --no-location --sort-output \
  --project csock --copyright-holder csock -o csock/locale/csock.pot \
  csock/cli csock/port/cli.py csock/_i18n.py csock/layout.py csock/_layout_probe.py csock/_show.py
pybabel update --no-fuzzy-matching \
  -i csock/locale/csock.pot -d csock/locale -D csock -l es
