#!/usr/bin/env bash
# What the test suite needs on this machine besides Node: the one list, run as `npm test`'s pretest (so also by
# .ci/run). The tests start real OpenSSH servers on 127.0.0.1 and run the deploy's host side here.
#
# Every package present: silent, exit 0. Some missing: installs them with apt-get when it can (as root, or with
# passwordless sudo), else prints ONE line naming them and the command that installs them, and exits 1.
#
#   TEST_DEPS_INSTALL=0      never install, only check (and fail with the one line)
#   TEST_DEPS_MISSING='a b'  treat these packages as missing (to try this script; see __tests__/lint/test-deps.test.ts)
set -euo pipefail

# Debian package, then the command that shows it is installed (and what in the suite needs it).
PACKAGES=(
  openssh-server /usr/sbin/sshd # the test servers (__tests__/support/sshd.ts starts /usr/sbin/sshd itself)
  openssh-client ssh-keygen     # their keys; ssh, ssh-agent and sftp in the transport tests
  acl setfacl                   # writable_mode: acl, and getfacl to check it
  busybox busybox               # a host whose PATH starts with busybox applets (hardening/host-tools)
  shellcheck shellcheck         # the shell lint
  procps pgrep                  # the cancel tests look for the processes a run left
  iproute2 ip                   # the fleet tests' network namespaces (skipped where ip netns is not permitted)
  git git                       # the CLI reads the commit it deploys
  netcat-openbsd nc.openbsd     # a proxy_command through `nc %h %p` (e2e/jump-netns)
  strace strace                 # the session's writes to its stdout, one by one (unit/held-markers)
)

# A command is there when on PATH or in an sbin (not on a Debian user's PATH), or when it is a path that exists.
present() {
  case "$1" in
    /*) [ -x "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ] ;;
  esac
}

missing() {
  local i pkg
  for ((i = 0; i < ${#PACKAGES[@]}; i += 2)); do
    pkg=${PACKAGES[i]}
    if [[ " ${TEST_DEPS_MISSING:-} " == *" $pkg "* ]] || ! present "${PACKAGES[i + 1]}"; then printf '%s\n' "$pkg"; fi
  done
}

mapfile -t need < <(missing)
[ ${#need[@]} -eq 0 ] && exit 0

# The one line: what is missing, and the command that installs it.
refuse() {
  local how="apt-get install -y ${need[*]}"
  [ "$(id -u)" -eq 0 ] || how="sudo $how"
  command -v apt-get >/dev/null 2>&1 || how="your package manager (on Debian/Ubuntu: $how)"
  echo "npm test needs the packages ${need[*]} (not installed${1:+; $1}): install them with $how, then run npm test again." >&2
  exit 1
}

[ "${TEST_DEPS_INSTALL:-1}" != 0 ] || refuse 'TEST_DEPS_INSTALL=0'
command -v apt-get >/dev/null 2>&1 || refuse 'no apt-get here'
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  refuse 'installing needs root or passwordless sudo'
fi

echo "test-deps: installing ${need[*]} (apt-get${as_root[0]:+ with sudo})"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >/dev/null ||
  refuse 'apt-get update failed'
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" \
  </dev/null >/dev/null || refuse 'apt-get install failed'

mapfile -t need < <(missing)
[ ${#need[@]} -eq 0 ] || refuse 'still missing after apt-get install'
