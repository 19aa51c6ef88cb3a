#!/usr/bin/env bash
# Extracts every user-facing string and merges it into the French and English catalogues.
# Serialised with flock so that two people editing at once do not clobber each other.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/chemins-translations.lock
flock 9
# The packages the wheel ships, as tests/lti_tool/test_i18n.py scans them (connectors/
# joins when it lands).
read -ra sources < <(.venv/bin/python -c 'from tests.shipped_packages import shipped_packages; print(*(p.name for p in shipped_packages()))')
[ "${#sources[@]}" -gt 0 ] || { echo "found no package to extract strings from" >&2; exit 1; }
.venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o lti_tool/translations/messages.pot --no-location --omit-header --sort-output "${sources[@]}" >/tmp/chemins-extract.log 2>&1 \
  || { cat /tmp/chemins-extract.log >&2; echo "extracting the strings failed" >&2; exit 1; }
for lang in fr en; do
  if [ -f "lti_tool/translations/$lang/LC_MESSAGES/messages.po" ]; then
    .venv/bin/pybabel update --no-fuzzy-matching --ignore-obsolete --omit-header -i lti_tool/translations/messages.pot -d lti_tool/translations -l "$lang" 2>/dev/null
  else
    .venv/bin/pybabel init -i lti_tool/translations/messages.pot -d lti_tool/translations -l "$lang" 2>/dev/null
  fi
done
