#!/usr/bin/env bash
# Extracts every user-facing string and merges it into the French and English catalogues.
# Serialised with flock so that two people editing at once do not clobber each other.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/chemins-translations.lock
flock 9
# Only the layers that exist yet (connectors/ arrives with the first connector).
sources=()
for dir in badges lti_tool connectors; do [ -d "$dir" ] && sources+=("$dir"); done
.venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o lti_tool/translations/messages.pot --no-location --omit-header --sort-output "${sources[@]}" >/tmp/chemins-extract.log 2>&1 \
  || { cat /tmp/chemins-extract.log >&2; echo "extracting the strings failed" >&2; exit 1; }
for lang in fr en; do
  if [ -f "lti_tool/translations/$lang/LC_MESSAGES/messages.po" ]; then
    .venv/bin/pybabel update --no-fuzzy-matching --ignore-obsolete --omit-header -i lti_tool/translations/messages.pot -d lti_tool/translations -l "$lang" 2>/dev/null
  else
    .venv/bin/pybabel init -i lti_tool/translations/messages.pot -d lti_tool/translations -l "$lang" 2>/dev/null
  fi
done
