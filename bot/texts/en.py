"""English texts, used where the user's Teams runs in English. Missing keys fall back to Danish."""

TEXTS: dict[str, str] = {
    "welcome.title": "Welcome – support if you face offensive acts on social media",
    "welcome.body": "I help you if you, as an employee, are threatened, bullied or harassed on social media. Here you can report an incident, send screenshots and follow your case. Your manager is told as soon as you send the report – or HR, if no manager is known.",
    "welcome.24_7": "The guideline applies 24/7 – also outside working hours, wherever you are.",
    "welcome.urgent": "If you are in immediate danger, call 112.",
    "action.report": "Report an incident",
    "action.my_cases": "My cases",
    "action.guideline": "The guideline",
    "action.help": "Help",
    "privacy.personal_only": (
        "Reports and cases belong in your personal chat with me, because others can read along here. "
        "Open a chat with me (select my name, then Chat) and type **help** there."
    ),
    "privacy.shared_pointer": (
        "Here I can show the **guideline** and register the channel for the MED evaluation "
        "(**register MED channel**). Reports and cases belong in your personal chat with me."
    ),
    "dialog.moved_meanwhile": "You clicked twice at the same moment (or sent two things at once), and I have taken one of them. Nothing you saved is lost. Carry on from the latest card above; if something you just sent is missing, send it again.",
    "cancel.done": "Cancelled. Type **help** for the menu.",
    "cancel.nothing": "There is nothing in progress to cancel. Type **help** for the menu.",
    "unknown.pointer": "Sorry, I didn't understand that. Type **report** to report an incident, **my cases** to see your cases, **guideline** to read the guideline or **help** to see everything you can ask me.",
    "error.generic": "Sorry, something went wrong on my side. Please try again shortly. Nothing you saved is lost.",
    "error.not_permitted": "You don't have access to this action. Nothing was changed.",
    "error.not_found": "I can't find that case.",
    "error.conflict": "Someone changed the case at the same time. I've shown the latest version – please try again.",
    "error.tenant": "This bot can only be used in the municipality's own Teams organisation.",
    "error.case_closed": "The case is closed, so it can no longer be changed.",
    "error.not_possible_now": "That isn't possible on the case right now. The card shows the case's current state.",
    "invalid.generic": "{field} is not valid",
}

TEXTS.update(
    {
        "category.trussel": "Digital threats",
        "category.mobning": "Digital bullying",
        "category.chikane": "Digital harassment",
        "category.trussel.definition": "Digital threats are behaviour or statements made on social media that can cause serious fear for one's own or others' life, health or welfare. This may, for example, be threats against you or your family/those closest to you.",
        "category.mobning.definition": "Digital bullying (or cyber harassment) is a serious form of bullying that takes place through digital media on the internet or via mobile phones. Pictures, videos or offensive texts are posted online or sent out with no regard for the fact that this offends a third party or intrudes on their privacy. The bullying can take place via blogs, websites, online communities, e-mail, SMS, MMS or video clips posted online.",
        "category.chikane.definition": "Digital harassment is intrusive or offensive behaviour on social media. It may, for example, be harassing e-mails, text messages and phone calls, unwanted parcels/gifts, systematic and persistent pursuit and surveillance, including stalking, misuse of someone's name and spreading false rumours. It can also be sexual harassment in the form of facial expressions and/or gestures, written and/or spoken comments, or touching.",
        "platform.email": "E-mail",
        "platform.phone": "Phone",
        "platform.other": "Other",
        "report.title": "Report an offensive act",
        "report.intro": "Fill in what you can. Fields marked * are required. You can always type **cancel**.",
        "report.category": "What is it about?",
        "report.category.required": "Choose what it is about.",
        "report.definitions": "How the guideline defines it",
        "report.description": "What happened?",
        "report.description.placeholder": "Describe in your own words what was written or done.",
        "report.description.required": "Describe what happened.",
        "report.when": "When did it happen?",
        "report.when.required": "Give a date and time.",
        "report.platform": "Where did it happen?",
        "report.platform.required": "Choose where it happened.",
        "report.link": "Link to the post (optional)",
        "report.link.invalid": "The link must start with http:// or https://.",
        "report.offender": "Who was behind it? The citizen's name or profile (optional)",
        "report.outside_hours": "It happened outside my working hours",
        "report.family": "My family or those close to me are threatened too",
        "report.submit": "Continue to screenshots",
        "report.cancel": "Cancel",
        "report.fix": "Please correct: {problem}",
        "report.cancelled": "The report was cancelled, and nothing was sent to your manager. Type **report** to start again.",
        "report.resumed": "You have a report in progress – continue where you left off.",
        "report.expired": "Your unfinished report was left untouched for too long and can no longer be sent. Type **report** to start again.",
        "report.draft_reminder": "You have a report that hasn't been sent yet. Send it within {hours:hour|hours}, or you won't be able to continue it.",
        "report.draft_reminder_minutes": "You have a report that hasn't been sent yet. Send it within {minutes:minute|minutes}, or you won't be able to continue it.",
        "invalid.required": "{field} is missing",
        "invalid.too_long": "{field} is too long",
        "invalid.in_future": "{field} is in the future",
        "invalid.bad_date": "{field} is not a valid date or time",
        "invalid.invalid_choice": "{field} is not a valid choice",
        "invalid.not_http": "{field} must be an http(s) link",
        "field.category": "Category",
        "field.description": "Description",
        "field.occurred_at": "Time",
        "field.platform": "Place",
        "field.link": "Link",
        "field.offender": "Sender",
        "evidence.advice": "**Secure the evidence now.** Take a screenshot of the post – or take a photo of the screen with your phone or tablet. Send the pictures here in the chat (a Word document with the screenshot works too), up to {per_message} at a time. Type **done** when you have sent them.",
        "evidence.done_button": "I have sent my screenshots",
        "evidence.received": "✅ Received: {name} ({size}). The file is stored unaltered. Send more, or type **done**.",
        "evidence.duplicate": "You have already sent that file – it is stored only once.",
        "evidence.none_yet": "You haven't sent any screenshots yet. You can send them now or later from **My cases**.",
        "evidence.rejected": "❌ The file was not stored: {reason} What you already sent is kept.",
        "evidence.too_large": "The file is too large (at most {max_size}).",
        "evidence.bad_type": "Only pictures (PNG, JPEG, GIF, WebP, HEIC), PDF files and Word documents (.docx) can be stored as evidence.",
        "evidence.host_not_allowed": "The file comes from a place I'm not allowed to fetch from.",
        "evidence.address_not_allowed": "The file comes from an address I'm not allowed to fetch from.",
        "evidence.not_https": "The file must be fetched over a secure connection.",
        "evidence.timeout": "Fetching the file took too long. Please send it again.",
        "evidence.not_found": "The file no longer exists. Please send it again.",
        "evidence.link_expired": "The link to the file has expired. Please send the file again.",
        "evidence.download_failed": "The file could not be fetched. Please send it again.",
        "evidence.too_many_redirects": "The file could not be fetched (too many redirects).",
        "evidence.unsupported_attachment": "I can't store that kind of attachment. Send a picture, a PDF or a Word document.",
        "evidence.too_many": "The case already holds the maximum number of files.",
        "review.title": "Review your report",
        "review.evidence": "Evidence ({count})",
        "review.no_evidence": "No screenshots yet.",
        "review.edit": "Edit details",
        "review.submit": "Send the report",
        "review.yes": "Yes",
        "review.no": "No",
        "review.outside_hours": "Outside working hours",
        "review.family": "Family or those close to me threatened",
        "receipt.title": "Your report has been received – case {number}",
        "receipt.time": "Received",
        "receipt.evidence": "Evidence",
        "receipt.evidence_line": "{count} file(s): {hashes}",
        "receipt.next": "What happens now",
        "receipt.next.leader": "Your manager ({leader}) is told at once and must start on the next steps straight away.",
        "receipt.next.leader_unknown": "I couldn't find your manager. I'm sending the case to HR and will tell you if nobody at HR can be reached.",
        "receipt.next.police": "Under the guideline the incident must be reported to the police, and your manager must offer you the chance to take part in the report. You answer the offer on your case here in the chat.",
        "receipt.next.save": "The bot keeps your report and your files unaltered, so your manager can see them on the case here in Teams. The bot does not save anything in the municipality's case management system: under the guideline the material must be saved on the relevant case. Ask for the evidence pack on the case card, save it on the case there, and record that case's number on the case card – your manager can do that too.",
        "receipt.next.support": "You can always follow the case under **My cases**.",
        "mycases.title": "My cases",
        "mycases.none": "You have no cases.",
        "mycases.add_evidence": "Add screenshots",
        "mycases.add_evidence.prompt": "Send the new screenshots for case {number} here in the chat. Type **done** when finished.",
        "mycases.add_evidence.done": "Thank you. New files on case {number}: {count}. Your manager is told.",
        "mycases.add_evidence.done_hr": "Thank you. New files on case {number}: {count}. The case has no manager yet, so HR is told.",
        "status.open": "Open",
        "status.closed": "Closed",
        "stepstatus.open": "Not decided",
        "stepstatus.in_progress": "In progress",
        "stepstatus.done": "Decided",
        "stepstatus.waived": "Waived earlier – still needs a decision",
        "stepstatus.not_applicable": "Not applicable",
        "step.removal": "Removal of the content investigated",
        "step.citizen_contact": "Citizen contacted about future contact",
        "step.police_report": "Police report",
        "step.police_offer": "Offer to take part in the police report",
        "step.insubiz_note": "Note registered in InsuBiz",
        "step.apv_plan": "APV action plan filed in DEFGO",
        "step.followup_employee": "Follow-up with the employee",
        "step.followup_colleagues": "Follow-up with colleagues and others affected",
        "guideline.title": "Guideline on offensive acts on social media",
        "guideline.zero": "We have zero tolerance of offensive acts on social media.",
        "guideline.definitions": "Definitions",
        "guideline.what_to_do": "If you are subjected to offensive acts",
        "guideline.what_to_do.body": "React quickly and secure evidence of the offence: take a screenshot of the post and paste the picture into a Word document, or take a photo of the screen with your phone or tablet. Under the guideline you must send the screenshot or photo to your manager and save the material on the relevant case. When you report here in Teams, your manager sees your material on the case card; the bot does not save anything in the municipality's case management system.",
        "guideline.leader": "What your manager must see to straight away",
        "guideline.leader.body": "- Look into whether the offending content can be removed from the internet/social media\n- Contact the citizen to explain how any future contact should take place\n- See that the incident is reported to the police, and offer you the chance to take part in the report\n- If you do not want to report the incident to the police, write a note, which is registered in InsuBiz\n- Draw up an APV action plan (workplace assessment) so that similar situations are avoided in future, and file it in DEFGO\n- Follow up on the incident with you and with colleagues and other staff affected by it",
        "guideline.prevention": "Prevention and your own conduct online",
        "guideline.prevention.body": "Managers and employees alike must prevent situations before they escalate. As public employees we are also responsible for behaving appropriately on social media and online in general. No casework of any kind may take place on social media: communication between staff and citizens must go through the official channels.",
        "guideline.24_7": "The guideline applies 24/7. The employer must prevent the risk of offensive acts whether it arises during or outside working hours, and wherever you are physically.",
    }
)

TEXTS.update(
    {
        "case.title": "Case {number} · {category}",
        "case.status": "Status",
        "case.reporter": "Reported by",
        "case.leader": "Manager",
        "case.no_leader": "Not found – the case is sent to HR",
        "case.reported_at": "Reported",
        "case.family_warning": "⚠ The employee's family or those close to them are threatened too.",
        "case.outside_hours": "It happened outside working hours.",
        "case.own_words": "In the employee's own words",
        "case.steps": "The manager's steps under the guideline",
        "case.due": "due {when}",
        "case.offer_question": "Your manager has invited you to take part in reporting the incident to the police. What would you like to do?",
        "case.insubiz_copy": "Copy the note into InsuBiz and enter the reference here:",
        "case.history": "History",
        "case.saved": "Saved: {what}",
        "case.new_for_leader": "A new case for you: an employee has reported an offensive act on social media. Under the guideline you must start on the steps below straight away.",
        "act.removal_removed": "Removed",
        "act.removal_requested": "Removal requested",
        "act.removal_not_possible": "Not possible",
        "act.citizen_contacted": "Citizen contacted",
        "act.citizen_not_possible": "Contact not possible",
        "act.police_reported": "Reported to police",
        "act.offer_join": "Yes, I'll take part",
        "act.insubiz_draft": "Save note",
        "act.insubiz_registered": "Registered in InsuBiz",
        "act.apv_measures": "Save measures",
        "act.apv_filed": "Filed in DEFGO",
        "act.fu_emp_schedule": "Schedule follow-up",
        "act.fu_emp_done": "Follow-up done",
        "act.fu_col_schedule": "Schedule follow-up",
        "act.fu_col_done": "Follow-up done",
        "act.close": "Close the case",
        "in.removal_note": "Note (e.g. where removal was requested)",
        "in.police_journal": "Police journal number",
        "in.insubiz_text": "Note for InsuBiz (draft – edit as needed)",
        "in.insubiz_ref": "Reference in InsuBiz",
        "in.apv_measures": "Measures in the APV action plan",
        "in.apv_ref": "Reference in DEFGO",
        "in.followup_date": "Follow-up date",
        "in.followup_done_date": "Date the follow-up was done",
        "in.followup_note": "Note",
        "outcome.removed": "removed",
        "outcome.requested": "removal requested",
        "outcome.not_possible": "not possible",
        "outcome.contacted": "contacted",
        "outcome.contact_not_possible": "contact not possible",
        "outcome.reported": "reported to the police",
        "outcome.declined_by_employee": "employee does not want a police report",
        "outcome.wants_to_join": "wants to take part",
        "outcome.declined_to_join": "the manager files without the employee",
        "outcome.drafted": "note written",
        "outcome.registered": "registered",
        "outcome.measures_set": "measures described",
        "outcome.filed": "filed in DEFGO",
        "outcome.scheduled": "scheduled",
        "outcome.done": "done",
        "outcome.waived": "waived (no longer possible)",
        "fieldname.journal_number": "journal no.",
        "fieldname.reference": "reference",
        "fieldname.followup_date": "date",
        "fieldname.done_date": "done",
        "field.note": "Note",
        "field.reason": "Reason",
        "field.journal_number": "Journal number",
        "field.reference": "Reference",
        "field.measures": "Measures",
        "field.text": "Note",
        "field.date": "Date",
        "field.evidence": "Evidence",
        "field.case_id": "Case",
        "field.action": "Action",
        "invalid.in_past": "{field} is in the past",
        "invalid.before_case": "{field} is before the case was opened",
        "invalid.invalid_format": "{field} has the wrong format",
        "invalid.too_many": "{field}: the limit is reached",
        "invalid.empty": "{field} is missing",
        "notify.overdue": 'Reminder: the step "{step}" on case {number} is past its deadline.',
        "notify.escalation": 'Escalation: the step "{step}" on case {number} is still undecided, {days:working day|working days} past its deadline.',
        "notify.followup": 'Reminder: the follow-up "{step}" on case {number} is planned for today.',
        "notify.followup_late": 'Reminder: the follow-up "{step}" on case {number} was planned for {date} and is not recorded as done.',
        "notify.checkin": "Hi. It's been a while since the incident in case {number}. How are you? Do talk to your manager or HR if you need support.",
        "notify.unassigned": "Case {number} has no manager. Assign a manager so the case is followed up.",
        "notify.unreachable": "The manager on case {number} couldn't be reached in Teams. HR has the case, so it is followed up.",
        "notify.unreachable_hr": "The manager on case {number} couldn't be reached in Teams. Please follow up on the case.",
        "notify.nobody_reached": "Case {number} has not reached anyone yet: neither your manager nor HR could be reached in Teams. I keep trying and will tell you when someone has the case. Meanwhile, please contact your manager or HR directly.",
        "notify.nobody_reached_hr": "Case {number} has not reached anyone yet: nobody at HR could be reached in Teams. I keep trying and will tell you when someone has the case. Meanwhile, please contact HR directly.",
        "notify.reached_late": "Case {number} has now reached someone, so it is followed up.",
        "notify.evidence_added": "The employee has added evidence to case {number} (new files: {count}).",
        "notify.reassigned_new": "HR has handed case {number} over to you. Confirm that you have seen the case, and carry on with the guideline's steps below.",
        "notify.reassigned_old": "HR has handed case {number} over to {leader}. You are no longer the manager on the case.",
        "notify.deputy_removed": "HR has changed who handles case {number}: you are no longer on it as deputy, and its manager is now {leader}.",
    }
)

TEXTS.update(
    {
        "refused.title": "No access",
        "history.someone": "HR/others",
        "history.retention_hold": "HR put the case's deletion on hold",
        "history.retention_release": "HR allowed the case to be deleted again",
        "history.person_exported": "HR exported a person's data on the case (access request)",
        "history.name_corrected": "HR corrected a name on the case",
        "history.CaseOpened": "The case was reported",
        "history.CaseClosedEvent": "The case was closed",
        "history.LeaderChanged": "The case got a new manager",
        "history.EvidenceAttached": "New evidence added",
        "history.EvidenceNoticeOwed": "The employee finished adding evidence",
        "history.notified": "Message sent",
        "history.unreachable": "The manager couldn't be reached",
        "history.nobody_reached": "Neither the manager nor HR could be reached",
    }
)

TEXTS.update(
    {
        "hr.title": "Open cases",
        "hr.summary": "Number of open cases: {open}.",
        "hr.none": "There are no open cases.",
        "hr.line": "{number} · {category} · {leader} · {date}",
        "hr.overdue": "Overdue: {steps}",
        "hr.open": "Open the case",
        "hr.only": "Only HR can use this command.",
        "export.usage": "Write the person's Entra object id after the command, e.g. “export person 00000000-0000-0000-0000-000000000000”. You find the id on the person in the Entra admin centre.",
        "export.building": "I'm collecting everything I hold about the person and will send you a link here in the chat when it's ready.",
        "export.nothing": "I hold no data about that person: no cases, no chat and no draft.",
        "export.failed": "I couldn't collect the person's data. Try again in a moment; otherwise contact the operator.",
        "export.ready": "The person's data is collected (cases: {cases}, files: {files}). [Download the ZIP file]({url}) – the link works until {until}; do not share it. The file is deleted after {days:day|days}. SHA-256: {sha256}",
        "correct.usage": "Write the person's Entra object id and the right name after the command, e.g. “correct name 00000000-0000-0000-0000-000000000000 Mette Hansen”.",
        "correct.done": "The name is corrected on {count} case(s). Each correction is in the case's log.",
        "erase.usage": "Write the case number after the command, e.g. “erase case KH-2026-0001”.",
        "erase.not_found": "I can't find a case with that number.",
        "erase.confirm": "Case {number} and everything that belongs to it (evidence, evidence packs and log) will be deleted for good. Only a deletion note (case number, time, that it was on request) and a count for the MED figures (case number, workplace and category – no names) remain. Write “erase case {number} confirm” to delete it.",
        "erase.held": "Deletion of case {number} is on hold. Write “release deletion {number}” first if it is to be deleted.",
        "erase.done": "Case {number} has been deleted. A deletion note has been kept.",
        "retention.usage": "Write the case number after the command, e.g. “hold deletion KH-2026-0001”.",
        "retention.not_found": "I can't find a case with that number.",
        "retention.held": "Case {number} will not be deleted until you write “release deletion {number}”.",
        "retention.already_held": "Deletion of case {number} was already on hold.",
        "retention.released": "Case {number} will be deleted under the retention rules when its time is up.",
        "retention.not_held": "Deletion of case {number} was not on hold.",
        "retention.under_way": "Case {number} is being deleted under the retention rules and can no longer be held.",
    }
)

TEXTS.update(
    {
        "med.register.title": "Which workplace does this channel belong to?",
        "med.register.body": "Twice a year the bot posts a reminder here to evaluate the workplace's handling of offensive acts on social media at a MED meeting or a staff meeting with MED status – with the workplace's own anonymised figures and its local action plan.",
        "med.register.unit": "Workplace (unit)",
        "med.register.other": "Other – type it below",
        "med.register.unit_text": "Workplace, if it isn't in the list",
        "med.register.committee": "MED committee (optional)",
        "med.register.button": "Register the channel",
        "med.register.who": "Only the workplace's manager or deputy – or HR – can register or move the workplace's MED channel.",
        "med.register.not_saved": "The channel is not registered: I could not save the registration just now. Nothing was changed. Please try again shortly.",
        "med.registered.title": "The channel is registered",
        "med.registered.body": "MED reminders for {unit} (MED committee: {committee}) are now posted here.",
        "med.title": "MED evaluation: {unit}",
        "med.period": "The period {start} – {end}",
        "med.guideline_text": "Your local handling of offensive acts on social media must be evaluated at MED meetings or staff meetings with MED status twice a year, and the material prepared for your local action plan must be reviewed and adjusted – so there is a steady focus on where employees find the information, also in periods when nothing happens.",
        "med.checklist": "Checklist for the meeting",
        "med.checklist.body": "- Review and adjust the local action plan\n- Check that every employee knows where to find the guideline and how to report\n- Go through the period's cases (the figures below)",
        "med.figures": "The workplace's figures for the period",
        "med.figures.total": "Cases in all",
        "med.figures.on_time": "Immediate steps decided within the deadline",
        "med.figures.open_apv": "Open APV action plans",
        "med.figures.note": 'Counts below {threshold} are shown as "under {threshold}" so no one can be identified.',
        "med.count.under": "under {threshold}",
        "med.count.hidden": "not shown (too few cases)",
        "med.figures.by_category": "By category",
        "med.count.withheld": "not shown – a count under {threshold} could otherwise be worked out",
        "med.state": "Status",
        "med.state.pending": "Not sent yet",
        "med.state.sent": "Reminder sent – not on an agenda yet",
        "med.state.on_agenda": "On the agenda for the meeting {date}",
        "med.state.done": "Evaluation done {date}",
        "med.meeting_date": "Meeting date",
        "med.on_agenda": "On the agenda",
        "med.done_date": "Date of the evaluation",
        "med.minutes_link": "Link to the minutes (https)",
        "med.done": "Evaluation done",
        "med.saved": "Saved by {name}.",
        "med.followup": "Reminder: the MED evaluation for {unit} for the period {period} is not marked as done yet.",
        "med.hr.followup": "The MED evaluation for {unit} ({period}) was not done within the deadline.",
        "med.hr.channel_gone": "The MED channel for {unit} no longer receives reminders ({reason}). The history is kept. Until a new channel is registered, the workplace's manager gets the reminder in their chat with the bot.",
        "med.hr.channel_renamed": 'The MED channel for {unit} was renamed to "{name}". Reminders are still posted there.',
        "med.overview.title": "MED overview for {period}",
        "med.overview.none": "No workplaces are known yet: the manager directory names none, and no channel is registered.",
        "med.sent_now": "The MED reminder was sent to {channels} MED channel(s) and to {chats} manager(s) in their chat.",
        "med.channel_only": "That command only works in a team channel.",
        "field.meeting_date": "Meeting date",
        "field.done_date": "Date",
        "field.minutes_link": "Link to the minutes",
        "invalid.not_http_link": "{field} must be an http(s) link",
        "invalid.not_date": "{field} is missing or not a date",
        "domain.med_done": "The evaluation is already marked as done.",
    }
)

TEXTS.update(
    {
        "review.leader": "Your manager",
        "review.leader.why": "I couldn't look up your manager. Choose them, and they will be told at once.",
        "review.leader.label": "Who is your manager?",
        "review.leader.unknown": "Don't know – send the case to HR",
        "review.leader.required": "Choose your manager, or choose to send the case to HR.",
    }
)

TEXTS.update(
    {
        "case.reassign": "Hand the case over to another manager",
        "in.reassign_leader": "New manager",
        "act.reassign": "Hand over",
        "field.reassign_leader": "New manager",
    }
)

TEXTS.update(
    {
        "case.more": "… and {count} more",
        "case.shortened": "(shortened – the full text is kept on the case)",
    }
)

TEXTS.update({"case.all_evidence": "All evidence", "case.back": "Back to the case"})

TEXTS.update(
    {
        "med.status.count.pending": "Not sent",
        "med.status.count.sent": "Sent, not on an agenda",
        "med.status.count.on_agenda": "On the agenda",
        "med.status.count.done": "Done",
    }
)

TEXTS.update({"report.time": "Time"})

# The evidence pack ("Dokumentationsmappe"): the documents and the messages about them
TEXTS.update(
    {
        "pack.title": "Evidence pack – case {number}",
        "pack.producer": "The municipality's bot for offensive acts on social media",
        "pack.intro": (
            "This evidence pack was made from the case's data as of {as_of}. All times are UTC. The "
            "screenshots are shown at print size; the SHA-256 is the original file's, and the originals "
            "are unaltered in the ZIP file with manifest.json and SHA256SUMS."
        ),
        "pack.case_number": "Case number",
        "pack.category": "What it is about",
        "pack.no_link": "(no link given)",
        "pack.own_words": "What happened – in the reporter's own words",
        "pack.timeline": "Time line",
        "pack.when_utc": "Time (UTC)",
        "pack.who": "Who",
        "pack.what": "What",
        "pack.reported": "The incident was reported",
        "pack.evidence_added": "Screenshot added: {name} (SHA-256 {sha}…)",
        "pack.screenshots": "Screenshots ({count})",
        "pack.no_screenshots": "There are no screenshots on the case.",
        "pack.item_heading": "Exhibit {index}: {name}",
        "pack.view_note": "The view is reduced for printing. The SHA-256 above is the original file's.",
        "pack.no_view": "This file cannot be shown here. The original is unaltered in the ZIP file.",
        "pack.size": "Size",
        "pack.original_name": "Original file name",
        "pack.uploader": "Sent by",
        "pack.uploaded_at": "Received (UTC)",
        "pack.seen_at": "Seen at (link)",
        "pack.in_zip": "Path in the ZIP file",
    }
)


# Evidence intake: caps before work, answers that may follow later, refusals that explain.
TEXTS.update(
    {
        "evidence.too_many_in_message": (
            "I take at most {max} files from one message. {skipped} file(s) were not fetched – send them in a new message."
        ),
        "evidence.case_full": (
            "A case can hold at most {max} files. {skipped} file(s) were not fetched because there is no room for more."
        ),
        "evidence.receiving": "⏳ I'm fetching {count} file(s) now. I'll tell you here in the chat as soon as they are stored.",
        "evidence.still_receiving": (
            "I'm still fetching files you sent. Wait until I've told you about them, then send the report again."
        ),
        "evidence.draft_gone": "The file was not stored: the report it belonged to was cancelled or deleted.",
        "evidence.draft_submitted": (
            "The file was not added to the report because it had already been sent. Add it from **My cases**."
        ),
        "evidence.not_stored": "❌ The file was not stored because of an error on my side. Please send it again.",
        "evidence.compressed": "The file arrived packed in a way that means I can't store it unaltered. Please send it again.",
        "evidence.token_failed": (
            "I couldn't get access to the picture just now. Send it again shortly, or send it as a file."
        ),
    }
)


TEXTS.update(
    {
        "act.evidence_pack": "Evidence pack (Word, PDF, ZIP)",
        "pack.building": "The evidence pack is being made. You will get the links here in the chat in a moment.",
        "pack.ready.title": "Evidence pack – case {number}",
        "pack.ready.body": (
            "The evidence pack is ready: a Word document and a PDF with the case's facts, time line and every "
            "screenshot with its SHA-256, and a ZIP file with the originals, manifest.json and SHA256SUMS. The "
            "links were made for you and work until {expires}. Do not share them: anyone who has a link can "
            "download the file until it expires. Ask for a new pack on the case card when the links have expired."
        ),
        "pack.ready.not_saved": (
            "The bot does not save the evidence pack in the municipality's case system. Save it on the relevant "
            "case there yourself."
        ),
        "pack.kind.pdf": "PDF",
        "pack.kind.docx": "Word",
        "pack.kind.zip": "ZIP",
        "pack.open.pdf": "Download PDF",
        "pack.open.docx": "Download Word document",
        "pack.open.zip": "Download ZIP with originals",
        "pack.failed": "The evidence pack for case {number} could not be made just now. Try again shortly on the case card.",
        "pack.integrity_failed": (
            "The evidence pack for case {number} was not made: a stored screenshot no longer matches the SHA-256 "
            "it had when it was received. Please tell HR, so that it can be looked into."
        ),
        "history.pack_built": "Evidence pack made",
        "history.pack_link_issued": "Evidence pack link issued",
        "history.pack_downloaded": "Evidence pack downloaded",
    }
)

# The takedown helper on the removal step
TEXTS.update(
    {
        "takedown.title": "Get the content removed",
        "takedown.route": "Report on {platform}",
        "takedown.open": "Open {platform}'s reporting page",
        "takedown.request": "Request text (copy it and send it to the service):",
        "takedown.police": "Report to the police online",
        "takedown.police.open": "Open the police's online report form",
        "takedown.request.body": (
            "Request to remove offensive content. We write on behalf of {organisation} about content on "
            "{platform} that is aimed at one of our employees ({category})."
        ),
        "takedown.request.where": "The content is here: {link}",
        "takedown.request.no_link": "(the link was not given – see the attached screenshots)",
        "takedown.request.when": "It happened: {when}",
        "takedown.request.who": "Profile/sender: {offender}",
        "takedown.request.police": "The incident has been reported to the police (journal no. {journal}).",
        "takedown.request.ask": (
            "In our view the content breaks your rules on harassment and threats. We ask you to remove it as "
            "soon as possible and to confirm when that is done. Our case number: {number}."
        ),
    }
)

# The guideline's steps: only the outcomes the guideline allows, and the police offer manager -> employee.
TEXTS.update(
    {
        "case.new_for_reporter": "Here is your case. You can follow it here. When your manager has invited you to take part in the police report, you answer here too.",
        "case.offer_intro": "Invite the employee to take part in the police report, and record how you made the offer. The employee answers on their own card.",
        "case.paused": "the deadline is paused while the employee answers",
        "act.offer_made": "Offer made",
        "act.offer_without_me": "My manager files it without me",
        "act.offer_no_report": "I don't want a police report",
        "act.fu_col_none": "No colleagues affected",
        "in.removal_why": "If removal isn't possible: why",
        "in.removal_tried": "If removal isn't possible: what was tried",
        "in.citizen_channel": "How the citizen should contact us in future (e.g. Citizen Services)",
        "in.citizen_cause": "If contact isn't possible: the sender is",
        "in.citizen_reason": "If contact isn't possible: why",
        "in.police_filed_by": "Filed by",
        "in.offered_via": "The offer was made",
        "in.fu_col_none_reason": "If no colleagues are affected: why",
        "choice.citizen_cause.unknown": "unknown",
        "choice.citizen_cause.anonymous": "anonymous",
        "choice.offered_via.in_person": "in person",
        "choice.offered_via.phone": "by phone",
        "choice.offered_via.bot": "here in Teams",
        "outcome.offered": "offered – waiting for the employee's answer",
        "outcome.no_report": "does not want a police report",
        "outcome.unanswered": "offered, not answered before the report was filed",
        "outcome.no_colleagues_affected": "no colleagues affected",
        "fieldname.filed_by": "filed by",
        "fieldname.channel": "contact via",
        "fieldname.offered_via": "offered",
        "fieldname.cause": "sender",
        "fieldname.reason": "reason",
        "field.why": "Why",
        "field.tried": "What was tried",
        "field.channel": "Contact via",
        "field.filed_by": "Filed by",
        "domain.offer_not_made": "Your manager hasn't recorded the offer to take part in the police report yet.",
        "domain.offer_answer_too_late": "The police report has already been decided, so the answer can no longer be given or changed.",
        "domain.offer_already_made": "The offer to take part in the police report has already been recorded.",
        "domain.police_offer_first": "First record that the employee was offered to take part in the police report.",
        "domain.police_decided": "The police report has already been decided.",
        "domain.steps_open": "The case can only be closed when every step has an outcome.",
        "notify.offer_asked": "Your manager has invited you to take part in reporting case {number} to the police. Answer on the card when you're ready: take part, let your manager file it without you, or no police report.",
        "notify.offer_reminder": "A gentle reminder: your manager is waiting for your answer about the police report on case {number}. Answer on the card when you're ready.",
        "notify.offer_answered": "The employee has answered the offer to take part in the police report on case {number}: {answer}.",
        "notify.offer_no_report": "The employee does not want a police report on case {number}. Write the note for InsuBiz and register it – the card has a draft.",
    }
)

TEXTS.update(
    {
        "platform.facebook": "Facebook",
        "platform.instagram": "Instagram",
        "platform.x": "X (Twitter)",
        "platform.tiktok": "TikTok",
        "platform.linkedin": "LinkedIn",
        "platform.youtube": "YouTube",
        "platform.sms": "Text message (SMS)",
        "welcome.zero": "We have zero tolerance of offensive acts on social media. They are covered by the Working Environment Act, and the workplace has a duty to handle and prevent them in the same way as violence and threats of violence.",
        "welcome.definitions": "How the guideline defines threats, bullying and harassment",
        "guideline.law": "Offensive acts are covered by the Working Environment Act, as something the workplace has a duty to handle and prevent in the same way as violence and threats of violence.",
        "guideline.evaluation": "Each workplace evaluates its handling twice a year at MED meetings or staff meetings with MED status.",
        "guideline.source": "Source: the guideline on offensive acts on social media, adopted by the municipal MED committee (kommuneMED) on 16 December 2020.",
        "mycases.add_evidence.none": "No new files were added to case {number}.",
        "help.title": "What you can ask me",
        "help.intro": "Type one of the words below here in the chat, or use the buttons.",
        "help.section.employee": "As an employee",
        "help.body.employee": "- **report** – report an offensive act on social media and send screenshots\n- **my cases** – see your cases, and add more screenshots to a case\n- **guideline** – read the guideline\n- **help** – see this overview\n- **cancel** – stop what you are doing, such as a report\n- While you report: **done** when you have sent your screenshots",
        "help.section.leader": "As a manager",
        "help.body.leader": "- When an employee reports an incident, you get the case card here in the chat. Select **I have seen the case** on the card, then record the guideline's steps; I remind you of the deadlines.\n- **my cases** – see the open cases you manage, the most urgent first\n- If you are brought in as deputy on a case, you get the card and can do the same as the manager.",
        "help.section.hr": "As HR",
        "help.body.hr": "- **cases** – an overview of all open cases and overdue steps\n- **MED overview** – see how far each workplace's MED evaluation has got this half-year, and which lack a MED channel or a local action plan\n- **send MED reminder** – send the MED evaluation reminder now: to the workplace's MED channel, else to its manager's chat; add a workplace after the command to send to that one only\n- **hold deletion** case number – put a case's planned deletion on hold\n- **release deletion** case number – let the case be deleted again under the retention rules\n- **export person** Entra object id – collect everything the bot holds about a person who asks for access to their data\n- **erase case** case number – delete a case now when a person has asked and you agree (you will be asked to confirm)\n- **correct name** Entra object id name – correct a person's name on all their cases when it is wrong",
        "help.section.channel": "Here in the channel",
        "help.body.channel": "- **@{bot} register MED channel** – make this channel the workplace's MED channel (the workplace's manager, deputy or HR)\n- **@{bot} MED evaluation** – show the card with the workplace's evaluation and local action plan\n- Twice a year the MED channel gets a reminder to evaluate the workplace's handling of offensive acts. Mark it **On the agenda** and **Evaluation done** on the card.\n- **@{bot} help** – see this overview\n- Report an incident in your personal chat with me, not here in the channel.",
        "help.hr_cases": "Open cases",
        "help.med_overview": "MED overview",
    }
)

TEXTS.update({"help.bot_name": "Offensive acts"})

# "Saved on the case" and the re-check of a takedown request
TEXTS.update(
    {
        "step.saved_on_case": "Saved on the case in the municipality's case system",
        "outcome.saved": "saved",
        "act.saved_on_case": "Record the case number",
        "in.saved_ref": "The case or journal number in the case system",
        "case.saved_intro": (
            "The bot does not save the material in the municipality's case system. Get the evidence pack "
            "(the button at the bottom), save it on the relevant case there, and record the case number here. "
            "The manager or the employee can do this."
        ),
        "act.removal_still_there": "The content is still there",
        "case.removal_recheck": "The request to remove the content is pending. Is the content gone now?",
        "fieldname.still_there": "still there",
        "notify.removal_recheck": (
            "Case {number}: it is {days:day|days} since removal of the content was requested. Is it gone now? "
            'Answer under "{step}" on the card.'
        ),
        "notify.removal_recheck_again": (
            "Case {number}: it is {days:day|days} since the content was last found still there. Is it gone now? "
            'Answer under "{step}" on the card.'
        ),
        "domain.removal_not_requested": "No request to remove the content is pending on the case.",
    }
)

TEXTS.update(
    {
        "case.police_pack": (
            'Report online to the police and attach the evidence pack\'s PDF: press "Evidence pack" at the '
            "bottom of the card and you get it here in the chat."
        ),
    }
)

# "Straks" means today: the acknowledgement, the deputy, the deadlines on the receipt, the case lists.
TEXTS.update(
    {
        "time.when": "{weekday} {date} at {time}",
        "weekday.0": "Monday",
        "weekday.1": "Tuesday",
        "weekday.2": "Wednesday",
        "weekday.3": "Thursday",
        "weekday.4": "Friday",
        "weekday.5": "Saturday",
        "weekday.6": "Sunday",
        "receipt.next.ack": "Your manager ({leader}) gets the case now and must confirm having seen it by {when}.",
        "receipt.next.outside_hours": "You reported outside office hours, so the deadlines count from {when}.",
        "receipt.next.deputy_then_hr": "If your manager has not confirmed by then, the manager's deputy gets the case, and if it is still not seen on {when}, HR is told.",
        "receipt.next.deputy_absent": "Your manager is absent, so the manager's deputy ({deputy}) gets the case now as well.",
        "receipt.next.hr_after": "If your manager has not confirmed by then, HR is told.",
        "receipt.next.steps": "The first steps – getting the content removed, contacting the citizen and the police report with the offer to take part – are due by {when}.",
        "case.ack_prompt": "Confirm that you have seen the case – by {when}.",
        "case.acknowledged": "Seen by the manager",
        "case.acknowledged_value": "{name}, {when}",
        "case.not_acknowledged": "Not confirmed yet (due {when})",
        "case.deputy": "Deputy",
        "case.deputy_value": "{name} ({reason})",
        "case.bring_in_deputy": "Bring in the manager's deputy: {name}",
        "act.acknowledge": "I have seen the case",
        "act.bring_in_deputy": "Bring in the deputy",
        "deputy_reason.leader_absent": "the manager is absent",
        "deputy_reason.hr": "brought in by HR",
        "deputy_reason.ack_overdue": "the manager did not confirm in time",
        "notify.deputy_in.leader_absent": "New case {number} for you as deputy: {leader} is absent. Confirm that you have seen the case, and act at once under the guideline.",
        "notify.deputy_in.hr": "HR has brought you in as deputy for {leader} on case {number}.",
        "notify.deputy_late": "Case {number}: {leader} has not confirmed seeing the case within {hours:office hour|office hours}, so you have been brought in as deputy. Look at the case and confirm that you have seen it.",
        "notify.ack_escalation": "No manager has confirmed seeing case {number} in time. Please follow up on the case.",
        "history.Acknowledged": "Case seen",
        "history.DeputyBroughtIn": "Deputy brought in",
        "domain.no_deputy": "There is no deputy on the case.",
        "domain.no_leader": "The case has no manager yet.",
        "mycases.led_title": "Cases you manage",
        "mycases.led_none": "You manage no open cases.",
        "mycases.own_title": "Your own reports",
        "list.next": "Next: {what} · due {when}",
        "list.overdue": "Overdue: {what} · due {when}",
        "list.nothing_due": "Nothing with a deadline now",
        "list.acknowledge": "confirm the case is seen",
        "list.open": "Open the case",
    }
)

# MED for every workplace (issue 14): the 1:1 fallback, who may act, the local plan.
TEXTS.update(
    {
        "med.registered.moved": "The workplace had another MED channel. Reminders now come here. The old channel has been told, and HR will be told.",
        "med.registered.moved_not_told": "The workplace had another MED channel. Reminders now come here. The old channel could not be told, so please tell it there yourself. HR will be told.",
        "med.moved.old_channel": "MED reminders for {unit} are no longer posted here, but in the workplace's new MED channel.",
        "med.hr.channel_moved": "The MED channel for {unit} was moved to another channel by {name}.",
        "med.hr.channel_gone_no_leader": "The MED channel for {unit} no longer receives reminders ({reason}). The history is kept. The workplace has no known manager, so it gets no reminder until a new channel is registered.",
        "med.refused.register": "Only the manager or deputy of {unit} – or HR – can register or move the workplace's MED channel. Nothing was changed.",
        "med.refused.not_unit_channel": "This channel is not the MED channel of {unit}. Only the workplace's MED channel – or its manager in their chat with the bot – can mark the evaluation or change the action plan. Nothing was changed.",
        "med.refused.not_leader": "Only the manager or deputy of {unit} can mark the evaluation or change the action plan here in the chat. Nothing was changed.",
        "med.refused.old_period": "This card belongs to an earlier period. The current period is {period}. Nothing was changed.",
        "med.refused.channel_only": "That can only be done in a team channel. Nothing was changed.",
        "med.unit.unknown": "I don't know that workplace. Choose it from the list. Nothing was changed.",
        "med.unit.unknown_closest": "I don't know that workplace. Did you mean: {names}? Choose it from the list. Nothing was changed.",
        "med.plan": "Local guideline and action plan",
        "med.plan.review": "Review and adjust it at the meeting, and check where employees find the information – also in periods when nothing happens.",
        "med.plan.missing": "The workplace has not registered a local guideline and action plan. The guideline requires the workplace to make one: make it, and save its link here.",
        "med.plan.link": "Link to the local guideline and action plan (https)",
        "med.plan.save": "Save the action plan's link",
        "med.https_only": "Enter a link that starts with https://",
        "med.chat.intro": "The workplace has no registered MED channel, so the reminder comes to you as its manager. Take the evaluation up at a MED meeting or a staff meeting with MED status, and mark it here.",
        "med.chat.register": "Register a MED channel",
        "med.chat.register.how": 'Add the bot to the workplace\'s team in Teams. Then, in the channel the MED committee uses, @mention the bot with "register MED channel" and choose the workplace on the card. From then on the reminder comes to the channel.',
        "med.done.heading": "When the evaluation has been held",
        "med.meeting_kind": "The evaluation was held at",
        "med.meeting_kind.med_meeting": "MED meeting",
        "med.meeting_kind.staff_meeting": "Staff meeting with MED status",
        "med.plan_reviewed": "The local action plan was reviewed and adjusted",
        "med.state.plan_reviewed": "action plan reviewed and adjusted",
        "med.state.plan_not_reviewed": "action plan not reviewed",
        "med.overview.chat": "no MED channel (the reminder goes to the manager's chat)",
        "med.overview.unreachable": "no MED channel and no known manager: gets no reminder",
        "med.overview.no_plan": "no local action plan",
        "med.overview.count.no_channel": "Without a MED channel",
        "med.overview.count.no_plan": "Without a local action plan",
        "med.channel.none": 'This channel is not the MED channel of any workplace. Write "register MED channel" to register it.',
        "field.meeting_kind": "Kind of meeting",
        "field.plan_link": "Link to the action plan",
        "field.plan_reviewed": "Action plan reviewed",
        "field.unit": "Workplace",
        "field.unit_text": "Workplace",
        "invalid.not_https_link": "{field} must be an https link",
    }
)
