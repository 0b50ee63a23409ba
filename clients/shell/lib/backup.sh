# shellcheck shell=sh
# Backups of bytes about to be replaced or deleted: $RS_HOME/backups/<key>/<seq>-<date>-<name>,
# at most RS_BACKUP_KEEP (5) per save. They are ordered by a sequence number, never by the
# clock: after a clock reset (RTC-less handhelds boot at 1970/2000) a date-named backup would
# sort as the oldest and be pruned at once. The number is one more than the highest in the
# folder and in $RS_HOME/backups.seq, so losing either file cannot restart it below the others.

RS_BACKUPS=$RS_HOME/backups
RS_BACKUP_KEEP=${RS_BACKUP_KEEP:-5}

rs_backup() { # key path
  _bdir=$RS_BACKUPS/$(printf '%s' "$1" | sed 's#/#__#g')
  mkdir -p "$_bdir" || return 1
  _top=$(ls -1 "$_bdir" | sed -n 's/^\([0-9]\{10\}\)-.*/\1/p' | sort -n | tail -n 1 | sed 's/^0*//')
  _seq=$(cat "$RS_HOME/backups.seq" 2>/dev/null | sed 's/^0*//')
  case $_seq in ''|*[!0-9]*) _seq=0 ;; esac
  [ -n "$_top" ] && [ "$_top" -gt "$_seq" ] && _seq=$_top
  _seq=$((_seq + 1))
  echo "$_seq" > "$RS_HOME/backups.seq"
  cp -p "$2" "$_bdir/$(printf '%010d' "$_seq")-$(date +%Y%m%d-%H%M%S)-$(basename "$2")" || return 1
  # Newest first by number; names from older clients (date first) count as older than any.
  ls -1 "$_bdir" | awk -v n="$RS_BACKUP_KEEP" '{ k = ($0 ~ /^[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-/) ? "1" $0 : "0" $0; print k "\t" $0 }' |
    sort -r | awk -F '\t' -v n="$RS_BACKUP_KEEP" 'NR > n { print $2 }' | while IFS= read -r _old; do rm -f "$_bdir/$_old"; done
  return 0
}
