# Sourced by ./run-tests: installs and starts what the tests need on a fresh machine.

# The portal's browser tests drive Debian's headless Chromium through its chromedriver.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "run-tests: installing Debian's chromium and chromium-driver for the browser tests" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# The integration tests use this machine's PostgreSQL (127.0.0.1:5432, trust auth); it is
# normally running already, but start it if it is down.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "run-tests: starting PostgreSQL" >&2
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "error: the tests need PostgreSQL on 127.0.0.1:5432 (trust auth, database test); none is running" >&2
    exit 1
  fi
fi
