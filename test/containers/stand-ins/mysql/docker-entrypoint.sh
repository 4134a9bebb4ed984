#!/usr/bin/env bash
# The mysql image's documented entrypoint contract, for Debian's MariaDB (docs/containers.md):
#   MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD, MYSQL_ROOT_PASSWORD, MYSQL_ROOT_HOST (each also as
#   <NAME>_FILE, never both), MYSQL_ALLOW_EMPTY_PASSWORD, MYSQL_RANDOM_ROOT_PASSWORD;
#   on an empty data directory only: the system tables, then a temporary server that listens on
#   the socket only runs the setup and /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz|*.sql.xz|
#   *.sql.zst in name order, then stops; the server itself runs as mysql (uid 999) and as PID 1.
# Started as root it prepares the folders and re-executes itself as mysql; started as uid 999
# (Kubernetes runAsUser) it writes only to the data directory, the socket folder and /tmp.
set -Eeuo pipefail

INIT_DIR=/docker-entrypoint-initdb.d
TEMP_SERVER_START_SECONDS=60

log() { printf '%s [%s] [Entrypoint]: %s\n' "$(date -u '+%FT%TZ')" "$1" "$2"; }
note() { log Note "$*"; }
warn() { log Warn "$*" >&2; }
die() { log ERROR "$*" >&2; exit 1; }

# NAME from the environment or from the file NAME_FILE names; both at once is an error.
file_env() {
  local name=$1 file_name="${1}_FILE" default=${2:-}
  if [ -n "${!name:-}" ] && [ -n "${!file_name:-}" ]; then
    die "both $name and $file_name are set (but are exclusive)"
  fi
  local value=$default
  if [ -n "${!name:-}" ]; then
    value=${!name}
  elif [ -n "${!file_name:-}" ]; then
    [ -r "${!file_name}" ] || die "$file_name: cannot read ${!file_name}"
    value=$(<"${!file_name}")
  fi
  export "$name=$value"
  unset "$file_name"
}

# The server's own view of its options (so --datadir=... in the command line counts too).
read_server_options() {
  local help
  help=$("$@" --verbose --help 2>/dev/null) || die "$1 --verbose --help failed: cannot read its options"
  DATADIR=$(awk '$1 == "datadir" && NF == 2 { print $2; exit }' <<<"$help")
  SOCKET=$(awk '$1 == "socket" && NF == 2 { print $2; exit }' <<<"$help")
  DATADIR=${DATADIR%/}
  [ -n "$DATADIR" ] && [ -n "$SOCKET" ] || die "$1 reports no datadir or socket"
}

sql_string() {
  local value=${1//\\/\\\\}
  printf "'%s'" "${value//\'/\\\'}"
}

sql_name() {
  printf '`%s`' "${1//\`/\`\`}"
}

client() {
  # The password travels in a file descriptor, never in the process list.
  mariadb --defaults-extra-file=<(printf '[client]\npassword=%s\n' "${ROOT_PASSWORD_FOR_CLIENT:-}") \
    --protocol=socket --socket="$SOCKET" --user=root --batch --skip-column-names "$@"
}

check_environment() {
  if [ -z "$MYSQL_ROOT_PASSWORD" ] && [ -z "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" ] && [ -z "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]; then
    die 'Database is uninitialized and password option is not specified
    You need to specify one of the following as an environment variable:
    - MYSQL_ROOT_PASSWORD
    - MYSQL_ALLOW_EMPTY_PASSWORD
    - MYSQL_RANDOM_ROOT_PASSWORD'
  fi
  if [ "$MYSQL_USER" = root ]; then
    die 'MYSQL_USER="root", MYSQL_USER and MYSQL_PASSWORD are for configuring a regular user and cannot be used for the root user
    Remove MYSQL_USER="root" and use one of the following to control the root user password:
    - MYSQL_ROOT_PASSWORD
    - MYSQL_ALLOW_EMPTY_PASSWORD
    - MYSQL_RANDOM_ROOT_PASSWORD'
  fi
  if [ -n "$MYSQL_USER" ] && [ -z "$MYSQL_PASSWORD" ]; then
    warn 'MYSQL_USER specified, but missing MYSQL_PASSWORD; MYSQL_USER will not be created'
  fi
  # Fail before initialising anything when the init folder cannot be read.
  ls "$INIT_DIR/" >/dev/null
}

start_temporary_server() {
  "$@" --skip-networking --socket="$SOCKET" --skip-log-bin &
  TEMP_SERVER_PID=$!
  for _ in $(seq 1 $((TEMP_SERVER_START_SECONDS * 4))); do
    client -e 'SELECT 1' >/dev/null 2>&1 && return 0
    kill -0 "$TEMP_SERVER_PID" 2>/dev/null || die 'the temporary server stopped during start-up'
    sleep 0.25
  done
  die "the temporary server did not answer within ${TEMP_SERVER_START_SECONDS}s"
}

stop_temporary_server() {
  kill "$TEMP_SERVER_PID"
  wait "$TEMP_SERVER_PID" || die 'the temporary server did not stop cleanly'
}

set_up_accounts() {
  if [ -n "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]; then
    MYSQL_ROOT_PASSWORD=$(head -c 18 /dev/urandom | base64)
    note "GENERATED ROOT PASSWORD: $MYSQL_ROOT_PASSWORD"
  fi
  local root_password
  root_password=$(sql_string "$MYSQL_ROOT_PASSWORD")
  # The system tables may also hold root@<hostname> and anonymous accounts: only the accounts
  # asked for remain, as in the official image.
  client -e "SELECT CONCAT('DROP USER ', QUOTE(User), '@', QUOTE(Host), ';') FROM mysql.user
    WHERE (User = 'root' AND Host <> 'localhost') OR User = ''" | client
  {
    echo 'SET @@SESSION.SQL_LOG_BIN = 0;'
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $root_password;"
    if [ "$MYSQL_ROOT_HOST" != localhost ]; then
      echo "CREATE USER 'root'@$(sql_string "$MYSQL_ROOT_HOST") IDENTIFIED BY $root_password;"
      echo "GRANT ALL ON *.* TO 'root'@$(sql_string "$MYSQL_ROOT_HOST") WITH GRANT OPTION;"
    fi
    echo 'DROP DATABASE IF EXISTS test;'
    if [ -n "$MYSQL_DATABASE" ]; then
      echo "CREATE DATABASE IF NOT EXISTS $(sql_name "$MYSQL_DATABASE");"
    fi
    if [ -n "$MYSQL_USER" ] && [ -n "$MYSQL_PASSWORD" ]; then
      echo "CREATE USER $(sql_string "$MYSQL_USER")@'%' IDENTIFIED BY $(sql_string "$MYSQL_PASSWORD");"
      [ -n "$MYSQL_DATABASE" ] &&
        echo "GRANT ALL ON $(sql_name "$MYSQL_DATABASE").* TO $(sql_string "$MYSQL_USER")@'%';"
    fi
    echo 'FLUSH PRIVILEGES;'
  } | client
  ROOT_PASSWORD_FOR_CLIENT=$MYSQL_ROOT_PASSWORD
}

run_init_files() {
  local database_option=()
  [ -n "$MYSQL_DATABASE" ] && database_option=(--database="$MYSQL_DATABASE")
  local file
  for file in "$INIT_DIR"/*; do
    case "$file" in
      *.sh)
        if [ -x "$file" ]; then note "$0: running $file"; "$file"
        else note "$0: sourcing $file"; # shellcheck disable=SC1090
          . "$file"; fi ;;
      *.sql) note "$0: running $file"; client "${database_option[@]}" <"$file" ;;
      *.sql.gz) note "$0: running $file"; gunzip -c "$file" | client "${database_option[@]}" ;;
      *.sql.xz) note "$0: running $file"; xzcat "$file" | client "${database_option[@]}" ;;
      *.sql.zst) note "$0: running $file"; zstd -dc "$file" | client "${database_option[@]}" ;;
      "$INIT_DIR/*") ;;
      *) note "$0: ignoring $file" ;;
    esac
  done
}

initialise() {
  for name in MYSQL_ROOT_PASSWORD MYSQL_DATABASE MYSQL_USER MYSQL_PASSWORD; do file_env "$name"; done
  file_env MYSQL_ROOT_HOST '%'
  check_environment
  note 'Initializing database files'
  mariadb-install-db --datadir="$DATADIR" --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve --skip-log-bin --default-time-zone=SYSTEM "${@:2}" >/dev/null
  note 'Database files initialized'
  note 'Starting temporary server'
  start_temporary_server "$@"
  note 'Temporary server started.'
  set_up_accounts
  run_init_files
  note 'Stopping temporary server'
  stop_temporary_server
  note 'Temporary server stopped'
  note 'MySQL init process done. Ready for start up.'
}

main() {
  if [ "${1:0:1}" = - ]; then set -- mysqld "$@"; fi
  if [ "$1" != mysqld ] && [ "$1" != mariadbd ]; then exec "$@"; fi
  for argument in "$@"; do
    case "$argument" in -'?' | --help | --print-defaults | -V | --version) exec "$@" ;; esac
  done
  read_server_options "$@"
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$DATADIR" "$(dirname "$SOCKET")"
    find "$DATADIR" "$(dirname "$SOCKET")" \! -user mysql -exec chown mysql:mysql '{}' +
    note 'Switching to dedicated user mysql'
    exec setpriv --reuid=mysql --regid=mysql --init-groups "${BASH_SOURCE[0]}" "$@"
  fi
  if [ ! -d "$DATADIR/mysql" ]; then initialise "$@"; fi
  note 'Starting the server'
  exec "$@"
}

main "$@"
