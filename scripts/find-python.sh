#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter, or explains what is missing and exits 1.
# Rasa Open Source 3.6 supports Python 3.8-3.10 only; this project pins 3.10.
set -u
want="3.10"
check() { [ -x "$1" ] && "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2]==(3,10) else 1)' 2>/dev/null; }
candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
p=$(command -v python3.10 2>/dev/null) && candidates+=("$p")
for root in "${PYENV_ROOT:-$HOME/.pyenv}" /root/.pyenv /opt/pyenv; do
  for d in "$root"/versions/3.10.*/bin/python3.10; do [ -e "$d" ] && candidates+=("$d"); done
done
for d in /usr/bin/python3.10 /usr/local/bin/python3.10; do candidates+=("$d"); done
for c in "${candidates[@]}"; do
  if check "$c"; then echo "$c"; exit 0; fi
done
cat >&2 <<MSG
错误：找不到 Python $want。 / Error: Python $want is required (Rasa 3.6 does not run on 3.11+).
Install it (e.g. 'pyenv install 3.10.13' or Debian's python3.10) or point PYTHON310 at an interpreter:
    PYTHON310=/path/to/python3.10 make run
MSG
exit 1
