# The comparison of verify (see steps/delta.ts): the staged release's listing on stdin (`type<TAB>signature-or-target
# <TAB>path`, the mark file first) against the build's manifest, with the base's index. Exits 3 on a difference.
BEGIN { RS = ORS = "\0"; M = ENVIRON["DA_V_MANIFEST"]; I = ENVIRON["DA_V_INDEX"]; skip = ENVIRON["DA_V_SKIP"] }
function differ(what, p) { if (++bad <= 10) printf "  %s: %s\n", what, p }
function check(p, h) { if (h == substr(want[p], 3)) hashed[p] = h; else differ("content differs", p) }
FILENAME == M {
  t = substr($0, 1, 1); r = substr($0, 3); r = substr(r, index(r, "\t") + 1); i = index(r, "\t"); p = substr(r, i + 1)
  if (skip == "" || p !~ skip) want[p] = t "\t" substr(r, 1, i - 1)
  next
}
FILENAME == I { i = index($0, "\t"); r = substr($0, i + 1); j = index(r, "\t"); known[substr(r, j + 1)] = substr($0, 1, i) substr(r, 1, j - 1); next }
{
  t = substr($0, 1, 1); r = substr($0, 3); i = index(r, "\t"); v = substr(r, 1, i - 1); p = substr(r, i + 1)
  if (p == "") { if (t == "f") { split(v, s, " "); mark = s[4] - 0.01 } next }
  if (!(p in want)) { differ("not in the build", p); next }
  seen[p] = 1
  if (substr(want[p], 1, 1) != t) { differ("type differs", p); next }
  if (t == "l" && substr(want[p], 3) != v) differ("link target differs", p)
  if (t != "f") next
  sig[p] = v
  if ((p in known) && index(known[p], v "\t") == 1) check(p, substr(known[p], length(v) + 2))
  else {
    print "./" p > ENVIRON["DA_V_TODO"]; todo[p] = 1; read++
    # A few files are named on sha256sum's own command line (no xargs); a name with a quote in it never is.
    if (index(p, "'") || length(args) > 30000) direct = "no"; else args = args " './" p "'"
  }
}
END {
  if (read) {
    close(ENVIRON["DA_V_TODO"])
    cmd = direct == "no" ? "xargs -0r sha256sum -z < \"$DA_V_TODO\"" : "exec sha256sum -z --" args
    while ((cmd | getline line) > 0) { p = substr(line, 69); delete todo[p]; check(p, substr(line, 1, 32)) }
    close(cmd)
    for (p in todo) differ("unreadable", p)
  }
  for (p in want) if (!(p in seen)) differ("missing", p)
  if (!bad) for (p in hashed) { split(sig[p], s, " "); if (s[4] + 0 < mark) print sig[p] "\t" hashed[p] "\t" p > ENVIRON["DA_V_NEW_INDEX"] }
  printf "%d\n", read > ENVIRON["DA_V_COUNTS"]
  exit bad ? 3 : 0
}
