# doctor (see steps/doctor.ts): what a deploy needs, read without changing anything (no lock, no directory). Set
# before this text: acl, sudo (yes or empty: check setfacl, `sudo -n true`) and http_user (empty: not checked).
# shellcheck shell=bash
# shellcheck disable=SC2154
da_data doctor-bash "$BASH_VERSION"
printf -v now '%(%s)T' -1
da_data doctor-clock "$now"
# The deploy path, or (not there yet) its nearest existing parent: where prepare would create it.
p=$DA_DEPLOY_PATH
if [ -d "$p" ]; then
  da_data doctor-exists yes
  bad=
  for d in . releases shared .deploy; do
    [ ! -e "$p/$d" ] || [ -w "$p/$d" ] || bad+="$d"$'\n'
  done
else
  da_data doctor-exists no
  while [ ! -e "$p" ]; do
    case $p in */*) p=${p%/*}; p=${p:-/} ;; *) p=. ;; esac
  done
  bad=
  { [ -d "$p" ] && [ -w "$p" ]; } || bad=$p
  da_data doctor-parent "$p"
fi
da_data doctor-unwritable "${bad%$'\n'}"
da_data doctor-free-kb "$(df -Pk -- "$p" 2>/dev/null | awk 'NR == 2 { print $4 }' || true)"
if [ -n "$acl" ]; then if hash setfacl 2>/dev/null; then da_data doctor-setfacl yes; else da_data doctor-setfacl no; fi; fi
if [ -n "$sudo" ]; then if sudo -n true </dev/null >/dev/null 2>&1; then da_data doctor-sudo yes; else da_data doctor-sudo no; fi; fi
if [ -n "$http_user" ]; then if id -u -- "$http_user" >/dev/null 2>&1; then da_data doctor-http-user yes; else da_data doctor-http-user no; fi; fi
if cd -- "$DA_DEPLOY_PATH" 2>/dev/null && [ -d .deploy/lock ]; then da_data doctor-lock held; da_lock_report; else da_data doctor-lock free; fi
