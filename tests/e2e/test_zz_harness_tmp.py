import pytest
from tests.e2e.harness.activities import send_file, message_from, post_custom_activity
from tests.e2e.harness.ui import ChatPage

@pytest.mark.e2e
async def test_inputs_and_execute(employee: ChatPage) -> None:
    card = await employee.wait_for_card("Velkommen")
    await card.fill("Hvad skete der?", "En trussel på Facebook")
    await card.select("Type", "Chikane")
    await card.toggle("Anmeldt til politiet")
    await card.set_date("Dato", "2025-03-01")
    await card.set_time("Tid", "14:30")
    await card.screenshot("filled")
    await card.click("Send")
    await card.wait_for_text("Modtaget")
    t = await card.text()
    await card.screenshot("after")
    print(t)
    assert '"when": "2025-03-01"' in t and '"at": "14:30"' in t and '"kind": "harass"' in t and '"police": "true"' in t

@pytest.mark.e2e
async def test_two_users_file_channel(employee: ChatPage, leader: ChatPage, employee_pg, file_server) -> None:
    await employee.wait_for_card("Velkommen")
    await leader.wait_for_card("Velkommen")
    before = await employee.message_count()
    url = await send_file(employee_pg, file_server, "skærm.png", b"\x89PNG....", "image/png")
    msg = await employee.wait_for_message("Fil modtaget", after=before)
    print(await msg.inner_text())
    await employee.open_channel()
    await employee.screenshot("channel")
    await post_custom_activity(employee_pg, message_from(employee_pg, "hej", where="channel", mention_bot=True))
    m = await employee.wait_for_message("Ekko")
    print(await m.inner_text())
    await employee.screenshot("channel-after")
    await leader.screenshot("leader")
