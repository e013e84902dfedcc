"""A real FreeRADIUS (Debian's `freeradius` package) for the tests: a config dir of our own (loopback, free
ports, the sql module on the test database, one NAS client), `freeradius -X -d <dir>`, and `radclient`
(freeradius-utils) to talk to it as a NAS would. `make freeradius` installs the packages."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_CONF = Path("/etc/freeradius/3.0")
SCHEMAS = PACKAGE_CONF / "mods-config/sql/main"
BINARY = "/usr/sbin/freeradius"
MISSING = (
    "The FreeRADIUS tests need Debian's freeradius, freeradius-postgresql and freeradius-utils "
    "(`make freeradius` installs them; `make pytest` does so first): {what} is missing."
)


def require_packages() -> None:
    """Fail loudly (never skip) when the packages are not installed: the feature must not go untested."""
    for what in (BINARY, shutil.which("radclient") or "radclient", str(SCHEMAS / "postgresql/schema.sql")):
        if not Path(what).exists():
            pytest.fail(MISSING.format(what=what), pytrace=False)
    if not Path("/usr/lib/freeradius/rlm_sql_postgresql.so").exists():
        pytest.fail(MISSING.format(what="rlm_sql_postgresql (freeradius-postgresql)"), pytrace=False)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


RADIUSD_CONF = """
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = {dir}/log
raddbdir = {dir}
radacctdir = {dir}/log/radacct
name = freeradius
confdir = {dir}
modconfdir = {dir}/mods-config
run_dir = {dir}/run
db_dir = {dir}
libdir = /usr/lib/freeradius
pidfile = {dir}/run/freeradius.pid
correct_escapes = true
max_request_time = 30
cleanup_delay = 0
max_requests = 1024
hostname_lookups = no
log {{
    destination = stdout
    colourise = no
    stripped_names = no
    auth = yes
}}
security {{
    allow_core_dumps = no
    max_attributes = 200
    reject_delay = 0
    status_server = yes
}}
proxy_requests = no
$INCLUDE dictionary
thread pool {{
    start_servers = 1
    max_servers = 4
    min_spare_servers = 1
    max_spare_servers = 2
    max_requests_per_server = 0
    auto_limit_acct = no
}}
client nas {{
    ipaddr = 127.0.0.1
    secret = {secret}
}}
modules {{
    pap {{
        normalise = yes
    }}
    expr {{
    }}
    sql {{
        dialect = "postgresql"
        driver = "rlm_sql_postgresql"
        postgresql {{
            send_application_name = yes
        }}
        server = "127.0.0.1"
        port = 5432
        login = "postgres"
        password = ""
        radius_db = "{database}"
        acct_table1 = "radacct"
        acct_table2 = "radacct"
        postauth_table = "radpostauth"
        authcheck_table = "radcheck"
        groupcheck_table = "radgroupcheck"
        authreply_table = "radreply"
        groupreply_table = "radgroupreply"
        usergroup_table = "radusergroup"
        delete_stale_sessions = yes
        read_clients = no
        client_table = "nas"
        group_attribute = "SQL-Group"
        pool {{
            start = 1
            min = 1
            max = 4
            spare = 2
            uses = 0
            retry_delay = 1
            lifetime = 0
            idle_timeout = 60
        }}
        $INCLUDE ${{modconfdir}}/${{.:name}}/main/${{dialect}}/queries.conf
    }}
}}
policy {{
    $INCLUDE policy.d/accounting
}}
server default {{
    listen {{
        type = auth
        ipaddr = 127.0.0.1
        port = {auth_port}
    }}
    listen {{
        type = acct
        ipaddr = 127.0.0.1
        port = {acct_port}
    }}
    authorize {{
        sql
        pap
    }}
    authenticate {{
        Auth-Type PAP {{
            pap
        }}
    }}
    preacct {{
        acct_unique
    }}
    accounting {{
        sql
    }}
    post-auth {{
        sql
        Post-Auth-Type REJECT {{
            sql
        }}
    }}
}}
"""


@dataclass(frozen=True)
class Radiusd:
    auth_port: int
    acct_port: int
    secret: str
    output: list[str]  # radiusd's debug output so far, for failure messages

    async def radclient(self, kind: str, attributes: dict[str, str | int]) -> list[str]:
        """Send one request (`kind` "auth" or "acct") the way a NAS does; the reply's lines."""
        port = self.auth_port if kind == "auth" else self.acct_port
        body = ", ".join(
            f'{k} = "{v}"' if isinstance(v, str) else f"{k} = {v}" for k, v in attributes.items()
        )
        process = await asyncio.create_subprocess_exec(
            "radclient", "-x", "-r", "2", "-t", "5", f"127.0.0.1:{port}", kind, self.secret,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        out, _ = await process.communicate(body.encode())
        return out.decode(errors="replace").splitlines()


def write_conf(directory: Path, database: str, secret: str, auth_port: int, acct_port: int) -> None:
    for name in ("log", "run"):
        (directory / name).mkdir()
    # The package's dictionaries, SQL queries and accounting policies, used as shipped.
    (directory / "dictionary").symlink_to(PACKAGE_CONF / "dictionary")
    (directory / "mods-config").symlink_to(PACKAGE_CONF / "mods-config")
    (directory / "policy.d").symlink_to(PACKAGE_CONF / "policy.d")
    (directory / "radiusd.conf").write_text(
        RADIUSD_CONF.format(
            dir=directory, database=database, secret=secret, auth_port=auth_port, acct_port=acct_port
        )
    )


@contextlib.contextmanager
def running(directory: Path, database: str, secret: str) -> Iterator[Radiusd]:
    require_packages()
    auth_port, acct_port = free_udp_port(), free_udp_port()
    write_conf(directory, database, secret, auth_port, acct_port)
    process = subprocess.Popen(  # noqa: S603 (our own binary path and arguments)
        [BINARY, "-X", "-f", "-d", str(directory)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    output: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line.rstrip())
            if "Ready to process requests" in line:
                ready.set()
        ready.set()  # ended: let the waiter see it

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not ready.wait(60) or process.poll() is not None:
            pytest.fail("freeradius did not start:\n" + "\n".join(output[-40:]), pytrace=False)
        yield Radiusd(auth_port, acct_port, secret, output)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(10)
        if process.stdout is not None:
            process.stdout.close()
