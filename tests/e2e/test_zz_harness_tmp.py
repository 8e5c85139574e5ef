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
    await card.click("Send")
    await card.wait_for_text("Modtaget")
    t = await card.text()
    assert '"when": "2025-03-01"' in t and '"at": "14:30"' in t and '"kind": "harass"' in t and '"police": "true"' in t

@pytest.mark.e2e
async def test_two_users_file_channel(employee: ChatPage, leader: ChatPage, employee_pg, file_server) -> None:
    await employee.wait_for_card("Velkommen")
    await leader.wait_for_card("Velkommen")
    before = await employee.message_count()
    url = await send_file(employee_pg, file_server, "skærm.png", b"\x89PNG....", "image/png")
    msg = await employee.wait_for_message("Fil modtaget", after=before)
    await employee.open_channel()
    card = await employee.wait_for_card("Velkommen", name="channel-welcome")
    before = await employee.message_count()
    await post_custom_activity(employee_pg, message_from(employee_pg, "hej", where="channel", mention_bot=True))
    m = await employee.wait_for_message("Ekko", after=before)
    before = await employee.message_count()
    await employee.send_text("uden mention")
    await employee.wait_for_message("uden mention", after=before)
    await employee.open_personal_chat()
    before = await employee.send_text("tilbage")
    await employee.wait_for_message("Ekko: tilbage", after=before)
    with pytest.raises(Exception):
        await employee.wait_for_message("Ekko: tilbage", after=before + 1, wait_ms=1000)
