#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432, trust auth, user root, database test) and MariaDB
# (127.0.0.1:3306, root without password, database test) are running; start them if not.
# On a machine without them, install them from Debian's packages first.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

wait_for() { # name, command...
  local name=$1; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && { echo "$name is up"; return 0; }; sleep 1; done
  echo "error: $name did not come up" >&2; return 1
}

if ! command -v pg_ctlcluster >/dev/null || [ ! -x /usr/sbin/mariadbd ]; then
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql mariadb-server
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
wait_for PostgreSQL pg_isready -q -h 127.0.0.1 -p 5432
if ! psql -h 127.0.0.1 -U root -d test -c 'select 1' >/dev/null 2>&1; then
  # A freshly installed server: give root a superuser role and a test database.
  as_root su postgres -c "psql -c \"CREATE ROLE root SUPERUSER LOGIN\"" || true
  as_root su postgres -c "createdb -O root test" || true
fi

if ! mariadb-admin -uroot -h127.0.0.1 ping >/dev/null 2>&1; then
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi
wait_for MariaDB mariadb-admin -uroot -h127.0.0.1 ping
mariadb -uroot -h127.0.0.1 -e "CREATE DATABASE IF NOT EXISTS test" 2>/dev/null \
  || as_root mariadb -uroot -e "CREATE DATABASE IF NOT EXISTS test; ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING PASSWORD('')"
