"""GraphDirectory and MSAL against the fake Entra token endpoint and fake Graph (https on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest

from bot.directory import (
    ChainedDirectory,
    DirectoryUnavailable,
    FileDirectory,
    GraphDirectory,
    MsalTokenProvider,
    Person,
)
from bot.services.hr_people import HrPeople, HrUnavailable
from tests.fakes.graph import CLIENT_ID, CLIENT_SECRET, TENANT, FakeGraph, RunningFake, running_fake_graph

TokenFactory = Callable[..., MsalTokenProvider]
EMP = "e0000000-0000-4000-8000-000000000001"
LONER = "e0000000-0000-4000-8000-000000000002"
COLLEAGUE = "e0000000-0000-4000-8000-000000000003"
STRANGER = "e0000000-0000-4000-8000-000000000003"
LEADER = "10000000-0000-4000-8000-000000000001"
TOP = "20000000-0000-4000-8000-000000000001"
FILE_LEADER = "10000000-0000-4000-8000-000000000009"
DEPUTY = "30000000-0000-4000-8000-000000000001"
HR_GROUP = "90000000-0000-4000-8000-000000000001"
HR_MEMBERS = [f"70000000-0000-4000-8000-00000000000{i}" for i in range(5)]


@pytest.fixture
async def fake(tmp_path: Path) -> AsyncIterator[RunningFake]:
    graph = FakeGraph(page_size=2)
    graph.add_user(TOP, "Tove Direktør")
    graph.add_user(LEADER, "Lars Leder", manager=TOP)
    graph.add_user(EMP, "Ea Medarbejder", manager=LEADER, department="Skolen Nord")
    graph.add_user(LONER, "Ole Alene")
    graph.groups[HR_GROUP] = HR_MEMBERS
    async with running_fake_graph(tmp_path, graph) as running:
        yield running


@pytest.fixture
async def session(fake: RunningFake) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=fake.client_ssl())) as s:
        yield s


class Sleeps:
    """An injected sleep that records what it was asked to wait, and returns at once."""

    def __init__(self) -> None:
        self.waited: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waited.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def tokens(fake: RunningFake) -> AsyncIterator[TokenFactory]:
    """Token providers for the fake tenant; their MSAL connections are closed afterwards."""
    made: list[MsalTokenProvider] = []

    def make(secret: str = CLIENT_SECRET) -> MsalTokenProvider:
        made.append(
            MsalTokenProvider(
                tenant_id=TENANT,
                client_id=CLIENT_ID,
                client_credential=secret,
                authority_host=fake.base_url,
                verify=str(fake.ca_file),
            )
        )
        return made[-1]

    yield make
    for provider in made:
        await provider.aclose()


@pytest.fixture
def graph(fake: RunningFake, session: aiohttp.ClientSession, sleeps: Sleeps, tokens: TokenFactory) -> GraphDirectory:
    return GraphDirectory(session, tokens(), base_url=fake.base_url, sleep=sleeps, jitter=lambda: 0.0)


async def file_directory(tmp_path: Path, rows: list[str]) -> FileDirectory:
    path = tmp_path / "leaders.csv"
    header = (
        "employee_aad_object_id,employee_name,leader_aad_object_id,leader_name,"
        "deputy_aad_object_id,deputy_name,unit,leader_absent"
    )
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return await FileDirectory.open(path)


async def test_manager_found_with_the_leaders_own_leader(graph: GraphDirectory, fake: RunningFake) -> None:
    entry = await graph.lookup(EMP)

    assert entry is not None
    assert entry.employee_name == "Ea Medarbejder"
    assert entry.leader == Person(LEADER, "Lars Leder")
    assert entry.leader_manager == Person(TOP, "Tove Direktør")
    assert entry.unit == "Skolen Nord"
    paths = [r.path for r in fake.graph.graph_requests]
    assert sorted(paths) == sorted(
        [f"/v1.0/users/{EMP}", f"/v1.0/users/{EMP}/manager", f"/v1.0/users/{LEADER}/manager"]
    )
    manager_call = next(r for r in fake.graph.graph_requests if r.path == f"/v1.0/users/{EMP}/manager")
    assert manager_call.query == {"$select": "id,displayName"}
    assert manager_call.token == fake.graph.issued[0]


async def test_msal_discovers_the_tenant_then_posts_client_credentials(
    graph: GraphDirectory, fake: RunningFake
) -> None:
    await graph.lookup(EMP)

    assert fake.graph.requests[0].path == f"/{TENANT}/v2.0/.well-known/openid-configuration"
    (token_call,) = fake.graph.token_requests
    assert token_call.form is not None
    assert token_call.form["grant_type"] == "client_credentials"
    assert token_call.form["scope"] == "https://graph.microsoft.com/.default"
    assert token_call.form["client_id"] == CLIENT_ID


async def test_no_manager_in_graph_gives_no_leader(graph: GraphDirectory) -> None:
    entry = await graph.lookup(LONER)

    assert entry is not None
    assert entry.employee_name == "Ole Alene"
    assert entry.leader is None and entry.leader_manager is None


async def test_unknown_user_or_malformed_id_is_not_found(graph: GraphDirectory, fake: RunningFake) -> None:
    assert await graph.lookup(STRANGER) is None
    requests_before = len(fake.graph.requests)
    assert await graph.lookup("../groups/x") is None
    assert len(fake.graph.requests) == requests_before  # never sent to Graph


async def test_no_manager_falls_back_to_the_file(graph: GraphDirectory, tmp_path: Path) -> None:
    file = await file_directory(
        tmp_path,
        [
            f"{LONER},Ole Alene,{FILE_LEADER},Fie Leder,{DEPUTY},Dan Deputy,Rådhuset,ja",
        ],
    )
    entry = await ChainedDirectory([graph, file]).lookup(LONER)

    assert entry.leader == Person(FILE_LEADER, "Fie Leder")
    assert entry.deputy == Person(DEPUTY, "Dan Deputy")
    assert entry.leader_absent is True


async def test_file_adds_deputy_and_absence_when_it_agrees_with_graph(graph: GraphDirectory, tmp_path: Path) -> None:
    file = await file_directory(
        tmp_path,
        [
            f"{EMP},Ea Medarbejder,{LEADER},Lars Leder,{DEPUTY},Dan Deputy,Skolen Nord,true",
        ],
    )
    entry = await ChainedDirectory([graph, file]).lookup(EMP)

    assert entry.leader == Person(LEADER, "Lars Leder")
    assert entry.leader_manager == Person(TOP, "Tove Direktør")  # from Graph
    assert entry.deputy == Person(DEPUTY, "Dan Deputy") and entry.leader_absent  # from the file


async def test_group_membership_pages_through_next_links_and_is_cached(
    graph: GraphDirectory, fake: RunningFake
) -> None:
    assert await graph.is_member_of_group(HR_MEMBERS[4], HR_GROUP) is True  # on the third page
    pages = [r for r in fake.graph.graph_requests if r.path.endswith("/transitiveMembers")]
    assert [r.query.get("$skiptoken") for r in pages] == [None, "2", "4"]
    assert all(r.token == fake.graph.issued[0] for r in pages)

    assert await graph.is_member_of_group(EMP, HR_GROUP) is False
    assert await graph.is_member_of_group(HR_MEMBERS[0], HR_GROUP) is True
    assert len([r for r in fake.graph.graph_requests if r.path.endswith("/transitiveMembers")]) == 3


async def test_unknown_group_has_no_members(graph: GraphDirectory) -> None:
    assert await graph.is_member_of_group(EMP, "90000000-0000-4000-8000-00000000dead") is False


async def test_429_waits_for_retry_after(graph: GraphDirectory, fake: RunningFake, sleeps: Sleeps) -> None:
    fake.graph.fail_next(429, times=2, retry_after="7")

    entry = await graph.lookup(EMP)

    assert entry is not None and entry.leader == Person(LEADER, "Lars Leder")
    assert sleeps.waited == [7.0, 7.0]
    assert len(fake.graph.graph_requests) == 3 + 2


async def test_retry_after_beyond_our_patience_gives_up_at_once(
    fake: RunningFake, session: aiohttp.ClientSession, sleeps: Sleeps, tokens: TokenFactory
) -> None:
    graph = GraphDirectory(session, tokens(), base_url=fake.base_url, sleep=sleeps, max_retry_after=30)
    fake.graph.fail_next(429, times=1, retry_after="120")

    with pytest.raises(DirectoryUnavailable):
        await graph.is_member_of_group(EMP, HR_GROUP)
    assert sleeps.waited == []


async def test_5xx_backs_off_exponentially_with_jitter(
    fake: RunningFake, session: aiohttp.ClientSession, sleeps: Sleeps, tokens: TokenFactory
) -> None:
    graph = GraphDirectory(
        session, tokens(), base_url=fake.base_url, sleep=sleeps, jitter=lambda: 1.0, backoff_base=0.5, max_attempts=4
    )
    fake.graph.fail_next(503, times=3)

    assert await graph.is_member_of_group(HR_MEMBERS[0], HR_GROUP) is True
    assert sleeps.waited == [0.5, 1.0, 2.0]  # full ceiling with jitter 1.0; half of it with 0.0


async def test_5xx_retries_are_bounded_and_the_chain_falls_back(
    graph: GraphDirectory, fake: RunningFake, sleeps: Sleeps, tmp_path: Path
) -> None:
    fake.graph.fail_next(500, times=100)
    with pytest.raises(DirectoryUnavailable):
        await graph.is_member_of_group(HR_MEMBERS[0], HR_GROUP)
    assert sleeps.waited == [0.25, 0.5, 1.0]  # jitter 0.0: half the ceiling, doubling

    file = await file_directory(tmp_path, [f"{EMP},Ea Medarbejder,{FILE_LEADER},Fie Leder,,,,"])
    entry = await ChainedDirectory([graph, file]).lookup(EMP)
    assert entry.leader == Person(FILE_LEADER, "Fie Leder")


async def test_expired_token_is_refreshed_once_and_the_call_retried(graph: GraphDirectory, fake: RunningFake) -> None:
    await graph.lookup(EMP)
    first_token = fake.graph.issued[0]
    fake.graph.expire_tokens()
    sent_before = len(fake.graph.graph_requests)

    entry = await graph.lookup(LONER)

    assert entry is not None and entry.employee_name == "Ole Alene"
    assert len(fake.graph.token_requests) == 2
    new_token = fake.graph.issued[1]
    later = fake.graph.graph_requests[sent_before:]
    assert [r.token for r in later if r.token == first_token]  # rejected with 401 ...
    assert later[-1].token == new_token  # ... then retried with the fresh token


async def test_a_token_that_keeps_failing_is_refreshed_only_once(graph: GraphDirectory, fake: RunningFake) -> None:
    await graph.lookup(EMP)
    fake.graph.reject_all_tokens = True
    sent_before = len(fake.graph.graph_requests)

    with pytest.raises(DirectoryUnavailable):
        await graph.is_member_of_group(EMP, HR_GROUP)
    assert len(fake.graph.token_requests) == 2
    assert len(fake.graph.graph_requests) - sent_before == 2


async def test_token_is_cached_across_lookups(graph: GraphDirectory, fake: RunningFake) -> None:
    for employee in (EMP, LONER, EMP, STRANGER):
        await graph.lookup(employee)
    await graph.is_member_of_group(EMP, HR_GROUP)

    assert len(fake.graph.token_requests) == 1
    assert {r.token for r in fake.graph.graph_requests} == {fake.graph.issued[0]}


async def test_wrong_client_secret_is_unavailable_not_a_crash(
    fake: RunningFake, session: aiohttp.ClientSession, sleeps: Sleeps, tokens: TokenFactory
) -> None:
    graph = GraphDirectory(session, tokens(secret="wrong"), base_url=fake.base_url, sleep=sleeps)
    with pytest.raises(DirectoryUnavailable):
        await graph.lookup(EMP)
    assert fake.graph.graph_requests == []


async def test_units_come_from_graph_s_departments_with_their_leader_and_the_file_adds_a_deputy(
    graph: GraphDirectory, fake: RunningFake, tmp_path: Path
) -> None:
    fake.graph.add_user(COLLEAGUE, "Kim Kollega", manager=LEADER, department=" skolen  NORD ")
    [place] = await graph.workplaces()  # users listed page by page (two a page), managers expanded
    assert (place.name, place.leader and place.leader.aad_object_id, place.deputy) == ("Skolen Nord", LEADER, None)
    listings = [r for r in fake.graph.graph_requests if r.path == "/v1.0/users"]
    assert len(listings) == 3 and listings[0].query["$expand"] == "manager($select=id,displayName)"
    assert await graph.units() == ["Skolen Nord"]
    assert len([r for r in fake.graph.graph_requests if r.path == "/v1.0/users"]) == 3  # kept a while

    deputy = "00000000-0000-0000-0000-00000000d0d0"
    file = await file_directory(
        tmp_path, [f"{EMP},Ea Medarbejder,{LEADER},Lars Leder,{deputy},Dina Stedfortræder,SKOLEN NORD,false"]
    )
    [merged] = await ChainedDirectory([graph, file]).workplaces()
    assert merged.name == "Skolen Nord" and merged.deputy is not None and merged.deputy.aad_object_id == deputy


async def test_group_members_are_read_again_after_the_cache_expires(
    fake: RunningFake, session: aiohttp.ClientSession, sleeps: Sleeps, tokens: TokenFactory
) -> None:
    now = [1000.0]
    graph = GraphDirectory(
        session, tokens(), base_url=fake.base_url, sleep=sleeps, group_cache_seconds=300, clock=lambda: now[0]
    )
    assert await graph.is_member_of_group(EMP, HR_GROUP) is False

    fake.graph.groups[HR_GROUP] = [*HR_MEMBERS, EMP]  # HR adds the employee to the group
    now[0] += 299
    assert await graph.is_member_of_group(EMP, HR_GROUP) is False  # still the cached answer
    now[0] += 2
    assert await graph.is_member_of_group(EMP, HR_GROUP) is True


NESTED = "90000000-0000-4000-8000-000000000002"


async def test_group_members_are_users_only_with_nested_groups_expanded(
    graph: GraphDirectory, fake: RunningFake
) -> None:
    fake.graph.groups[NESTED] = [EMP]
    fake.graph.groups[HR_GROUP] = [*HR_MEMBERS[:2], NESTED]

    members = await graph.group_members(HR_GROUP)

    assert members == {HR_MEMBERS[0], HR_MEMBERS[1], EMP}  # the nested group itself is no person
    assert NESTED not in members


async def test_a_failed_group_read_is_not_cached(graph: GraphDirectory, fake: RunningFake) -> None:
    fake.graph.fail_next(503, times=4)
    with pytest.raises(DirectoryUnavailable):
        await graph.group_members(HR_GROUP)
    assert await graph.group_members(HR_GROUP) == set(HR_MEMBERS)


async def test_a_hanging_graph_times_out_and_is_unavailable(
    fake: RunningFake, session: aiohttp.ClientSession, sleeps: Sleeps, tokens: TokenFactory
) -> None:
    graph = GraphDirectory(session, tokens(), base_url=fake.base_url, sleep=sleeps, timeout=0.2, max_attempts=2)
    fake.graph.hang_next(1.0, times=2)
    with pytest.raises(DirectoryUnavailable):
        await graph.group_members(HR_GROUP)


async def test_the_chain_says_unavailable_rather_than_an_empty_group(
    graph: GraphDirectory, fake: RunningFake, tmp_path: Path
) -> None:
    file = await file_directory(tmp_path, [f"{EMP},Ea Medarbejder,{FILE_LEADER},Fie Leder,,,,"])
    fake.graph.fail_next(503, times=100)
    with pytest.raises(DirectoryUnavailable):
        await ChainedDirectory([graph, file]).group_members(HR_GROUP)
    fake.graph._faults.clear()
    assert await ChainedDirectory([graph, file]).group_members(HR_GROUP) == set(HR_MEMBERS)


async def test_hr_people_are_the_configured_ids_and_the_groups_users(graph: GraphDirectory, fake: RunningFake) -> None:
    assert await HrPeople([STRANGER], HR_GROUP, graph).ids() == sorted({STRANGER, *HR_MEMBERS})
    other_group = "90000000-0000-4000-8000-000000000003"
    fake.graph.groups[other_group] = [HR_MEMBERS[0]]
    fake.graph.fail_next(503, times=100)  # Graph down for a group not yet cached
    assert await HrPeople([STRANGER], other_group, graph).ids() == [STRANGER]  # the configured ones
    with pytest.raises(HrUnavailable):  # nobody configured by hand: "unavailable", never "nobody"
        await HrPeople([], other_group, graph).ids()


async def test_a_leader_is_someone_with_a_direct_report(graph: GraphDirectory, fake: RunningFake) -> None:
    """For `hjælp`: Lars leads Ea, Tove leads Lars; Ea and Ole lead nobody; an unknown id is nobody."""
    assert await graph.is_leader(LEADER) is True
    assert await graph.is_leader(TOP) is True
    assert await graph.is_leader(EMP) is False
    assert await graph.is_leader(LONER) is False
    assert await graph.is_leader(STRANGER) is False
    calls = [r for r in fake.graph.graph_requests if r.path == f"/v1.0/users/{LEADER}/directReports"]
    assert calls and calls[0].query == {"$select": "id", "$top": "1"}  # one small read
    before = len(fake.graph.requests)
    assert await graph.is_leader("../groups/x") is False
    assert len(fake.graph.requests) == before  # never sent to Graph


async def test_the_leader_check_falls_back_to_the_file_when_graph_is_down(
    graph: GraphDirectory, fake: RunningFake, tmp_path: Path
) -> None:
    file = await file_directory(tmp_path, [f"{LONER},Ole Alene,{FILE_LEADER},Fie Leder,{DEPUTY},Dan Deputy,,nej"])
    fake.graph.fail_next(503, times=20)
    chained = ChainedDirectory([graph, file])
    assert await chained.is_leader(FILE_LEADER) is True
    assert await chained.is_leader(DEPUTY) is True
    assert await chained.is_leader(LONER) is False
    with pytest.raises(DirectoryUnavailable):
        await graph.is_leader(LEADER)
