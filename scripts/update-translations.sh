#!/usr/bin/env bash
# Extracts every user-facing string and merges it into the French and English catalogues.
# Serialised with flock so that two people editing at once do not clobber each other.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/chemins-translations.lock
flock 9
.venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o lti_tool/translations/messages.pot --no-location --omit-header --sort-output badges lti_tool connectors 2>/dev/null
for lang in fr en; do
  if [ -f "lti_tool/translations/$lang/LC_MESSAGES/messages.po" ]; then
    .venv/bin/pybabel update --no-fuzzy-matching --ignore-obsolete --omit-header -i lti_tool/translations/messages.pot -d lti_tool/translations -l "$lang" 2>/dev/null
  else
    .venv/bin/pybabel init -i lti_tool/translations/messages.pot -d lti_tool/translations -l "$lang" 2>/dev/null
  fi
done
