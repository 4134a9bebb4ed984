#!/bin/bash
# The Compose `backup` service (docker-compose.yml) and the Kubernetes CronJob `db-backup`
# (k8s/src/backup.ts ships this file in a ConfigMap): one dump of MYSQL_DATABASE into BACKUP_DIR,
# run inside the db image, which has mysqldump but no Node. It writes the format `npm run
# db:backup` writes (db/backup/dump.ts), with the same flags, so `npm run db:restore` checks and
# restores either: gzip over the dump program's text, made visible under its name only once the
# dump program succeeded, gzip's CRC-32 passed and its last line is `-- Dump completed`.
set -euo pipefail
# The dump holds every row; the option file holds the password.
umask 077

out_dir=${BACKUP_DIR:-/backups}
database=${MYSQL_DATABASE:?MYSQL_DATABASE must name the database to dump}
# BACKUP_KEEP=N: after a good dump, keep the newest N dumps of this database and delete older
# ones; unset or 0 keeps every dump. Checked before dumping, so a typo never costs a dump.
keep=${BACKUP_KEEP:-0}
if ! [[ $keep =~ ^[0-9]+$ ]]; then
  echo "backup: BACKUP_KEEP=\"$keep\" must be a whole number (how many dumps to keep; 0 keeps all)" >&2
  exit 2
fi
keep=$((10#$keep))
password=${MYSQL_PASSWORD:-}
if [ -n "${MYSQL_PASSWORD_FILE:-}" ]; then
  password=$(cat "$MYSQL_PASSWORD_FILE")
fi

# Inside double quotes the client programs read \\ and \" as escapes (db/backup/options-file.ts).
quote() { printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"; }

options=$(mktemp)
partial=
trap 'rm -f "$options" ${partial:+"$partial"}' EXIT
# Never on the command line, where any local user can read it (ps, /proc/PID/cmdline).
{
  echo '[client]'
  echo "host=$(quote "${MYSQL_HOST:-db}")"
  echo "port=${MYSQL_PORT:-3306}"
  echo 'protocol=TCP'
  echo "user=$(quote "${MYSQL_USER:?MYSQL_USER must name the user to dump as}")"
  echo "password=$(quote "$password")"
} >"$options"

dump=$(command -v mariadb-dump || command -v mysqldump)
# The flags of SHARED_DUMP_FLAGS and MYSQL_ONLY_FLAGS in db/backup/dump.ts, which says why.
flags=(--single-transaction --no-tablespaces --hex-blob --default-character-set=utf8mb4 --triggers)
if ! "$dump" --version | grep -qi mariadb; then
  flags+=(--set-gtid-purged=OFF --column-statistics=0)
fi

final="$out_dir/$database-$(date -u +%Y%m%dT%H%M%SZ).sql.gz"
partial="$final.partial-$$"
"$dump" --defaults-file="$options" "${flags[@]}" "$database" | gzip >"$partial"
gzip -t "$partial"
if ! gzip -dc "$partial" | tail -n 1 | grep -q '^-- Dump completed'; then
  echo "backup: $dump stopped before the end of its dump; nothing was kept" >&2
  exit 1
fi
sync "$partial"
mv "$partial" "$final"
partial=
echo "backup: wrote $final ($(stat -c %s "$final") bytes)"

# Only this database's finished dumps count: their names carry the UTC stamp, so name order is
# age order; partial files, other databases' dumps and anything else in the folder stay.
if ((keep > 0)); then
  shopt -s nullglob
  dumps=("$out_dir/$database"-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z.sql.gz)
  for ((index = 0; index < ${#dumps[@]} - keep; index++)); do
    rm -f -- "${dumps[index]}"
    echo "backup: removed ${dumps[index]} (BACKUP_KEEP=$keep)"
  done
fi
