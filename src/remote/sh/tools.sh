# The session tool check (see tools.ts): bash 4.3 (MIN_BASH: 403) or later, else status 69 (TOOLS_EXIT); then
# da_tools TOOL... (called by prelude.ts with HOST_TOOLS) checks that each tool is there and is not a busybox applet.
# shellcheck shell=bash
if ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 403)); then da_mark tools missing= busybox= "bash=$BASH_VERSION"; exit 69; fi
da_tools() {
  local t b m='' y='' x=(/bin/busybox /usr/bin/busybox)
  for t in busybox toybox; do hash $t 2>/dev/null && x+=("${BASH_CMDS[$t]}"); done
  for t in "$@"; do
    hash "$t" 2>/dev/null || { m+=,$t; continue; }
    for b in "${x[@]}"; do [ "${BASH_CMDS[$t]}" -ef "$b" ] && { y+=,$t; break; }; done
  done
  [ -z "$m$y" ] || { da_mark tools "missing=${m#,}" "busybox=${y#,}" "bash=$BASH_VERSION"; exit 69; }
}
