#!/usr/bin/env bash
# PostgreSQL for the tracker tests: install it from Debian's packages if missing, start the
# cluster, and create role `caseload` (password `caseload`) and database `caseload_test`.
# Idempotent: safe on a machine that already has any of these. Runs as root.
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
fi

version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
    pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -qx online; then
    pg_ctlcluster "$version" main start
fi

for _ in $(seq 1 30); do
    runuser -u postgres -- pg_isready -q && break
    sleep 1
done

psql_admin() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'caseload'")" != "1" ]; then
    psql_admin -c "CREATE ROLE caseload LOGIN PASSWORD 'caseload'"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'caseload_test'")" != "1" ]; then
    psql_admin -c "CREATE DATABASE caseload_test OWNER caseload"
fi
echo "PostgreSQL $version: database caseload_test ready for role caseload on localhost:5432"
