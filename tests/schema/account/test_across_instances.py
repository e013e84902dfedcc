"""Two BFF instances sharing one real Redis over the same sandbox: a second-factor challenge issued by one is
answered on the other and used up for both; a team change made on one refuses the person's session on the
other at its next request."""

from __future__ import annotations

import uuid
from pathlib import Path

import pyotp

from sandbox.world import DEMO_PASSWORD
from tests.harness.portal import VIEWER, MakePortal, portal_settings
from tests.schema.account.test_credentials import LOGIN, VERIFY, enrol, next_code
from tests.schema.helpers import gid


async def test_a_challenge_from_one_instance_is_answered_once_on_either(
    make_portal: MakePortal, tmp_path: Path, redis_url: str
) -> None:
    settings = portal_settings(tmp_path, REDIS_URL=redis_url, REDIS_PREFIX=f"wg-test-{uuid.uuid4().hex[:8]}:")
    a, b = await make_portal(settings), await make_portal(settings)
    ana = await a.another().sign_in("ana@lima.example")
    totp, _ = await enrol(ana)
    assert isinstance(totp, pyotp.TOTP)
    login = (await a.execute(LOGIN, {"email": "ana@lima.example", "password": DEMO_PASSWORD}))["data"][
        "login"
    ]
    challenge = login["secondFactor"]["challenge"]
    code = next_code(totp)
    on_b = (await b.data(VERIFY, {"challenge": challenge, "code": code}))["verifySecondFactor"]
    assert on_b["userErrors"] == [] and on_b["accessToken"]
    # Signed in on B, known on A (the session lives in Redis).
    assert (await a.data(VIEWER, bearer=on_b["accessToken"]))["viewer"]["role"] == "OWNER"
    again = (await a.data(VERIFY, {"challenge": challenge, "code": code}))["verifySecondFactor"]
    assert again["userErrors"][0]["code"] == "INVALID_CHALLENGE"


async def test_a_team_change_on_one_instance_refuses_the_session_on_the_other(
    make_portal: MakePortal, tmp_path: Path, redis_url: str
) -> None:
    settings = portal_settings(tmp_path, REDIS_URL=redis_url, REDIS_PREFIX=f"wg-test-{uuid.uuid4().hex[:8]}:")
    a, b = await make_portal(settings), await make_portal(settings)
    owner = await a.another().sign_in("it@northwind.example")
    auditor = await b.another().sign_in("auditor@northwind.example")
    assert (await auditor.data(VIEWER))["viewer"]["role"] == "VIEWER"
    disable = "mutation($id: ID!) { disableTeamMember(input: {memberId: $id}) { userErrors { code } } }"
    assert (await owner.data(disable, {"id": gid("PortalUser", "USR-23")}))["disableTeamMember"][
        "userErrors"
    ] == []
    assert (await auditor.execute(VIEWER))["data"] == {"viewer": None}
