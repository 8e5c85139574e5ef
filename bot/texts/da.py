"""Danish texts (the reference language). Keys are stable; wording may be adjusted freely."""

from bot.guideline.definitions import DEFINITIONS

TEXTS: dict[str, str] = {
    # Welcome and help
    "welcome.title": "Velkommen – støtte ved krænkelser på sociale medier",
    "welcome.body": "Jeg hjælper dig, hvis du som ansat bliver udsat for trusler, mobning eller chikane på sociale medier. Her kan du indberette en episode, sende skærmbilleder og følge din sag. Din leder får besked, så snart du har sendt indberetningen – eller HR, hvis ingen leder er kendt.",
    "welcome.24_7": "Retningslinjen gælder 24/7 – også uden for arbejdstiden, og uanset hvor du er.",
    "welcome.urgent": "Er du i akut fare, så ring 112.",
    "action.report": "Indberet en episode",
    "action.my_cases": "Mine sager",
    "action.guideline": "Retningslinjen",
    "action.help": "Hjælp",
    "privacy.personal_only": "Indberetninger og sager hører til din personlige chat med mig, for her kan andre læse med. Åbn en chat med mig (klik på mit navn, og vælg Chat), og skriv **hjælp** der.",
    "privacy.shared_pointer": "Her kan jeg vise **retningslinje** og registrere kanalen til MED-evalueringen (**registrer MED-kanal**). Indberetninger og sager hører til din personlige chat med mig.",
    "dialog.moved_meanwhile": "Du trykkede to gange på samme tid (eller sendte to ting på én gang), og jeg har taget det ene med. Intet af det, du har gemt, er tabt. Fortsæt fra det seneste kort ovenfor; mangler noget af det, du lige sendte, så send det igen.",
    "cancel.done": "Afbrudt. Skriv **hjælp** for menuen.",
    "cancel.nothing": "Der er ikke noget i gang, der kan afbrydes. Skriv **hjælp** for menuen.",
    "unknown.pointer": "Det forstod jeg ikke helt. Skriv **indberet** for at indberette en episode, **mine sager** for at se dine sager, **retningslinje** for at læse retningslinjen eller **hjælp** for at se alt, hvad du kan skrive til mig.",
    # Errors (never show technical detail)
    "error.generic": "Beklager, noget gik galt hos mig. Prøv igen om lidt. Intet af det, du har gemt, er tabt.",
    "error.not_permitted": "Du har ikke adgang til denne handling. Intet er ændret.",
    "error.not_found": "Jeg kan ikke finde den sag.",
    "error.conflict": "Sagen blev ændret samtidig af en anden. Jeg har vist den nyeste udgave – prøv igen.",
    "error.tenant": "Denne bot kan kun bruges i kommunens egen Teams-organisation.",
    "error.case_closed": "Sagen er afsluttet, så den kan ikke ændres mere.",
    "error.not_possible_now": "Det kan ikke lade sig gøre på sagen lige nu. Kortet viser sagens aktuelle tilstand.",
    "invalid.generic": "{field} er ikke gyldig",
}

TEXTS.update(
    {
        # Categories and platforms (Danish definitions come from bot.guideline.definitions)
        "category.trussel": "Digitale trusler",
        "category.mobning": "Digital mobning",
        "category.chikane": "Digital chikane",
        "platform.facebook": "Facebook",
        "platform.instagram": "Instagram",
        "platform.x": "X (Twitter)",
        "platform.tiktok": "TikTok",
        "platform.linkedin": "LinkedIn",
        "platform.youtube": "YouTube",
        "platform.email": "E-mail",
        "platform.sms": "SMS",
        "platform.phone": "Telefon",
        "platform.other": "Andet",
        # Report card
        "report.title": "Indberet en krænkende handling",
        "report.intro": "Udfyld det, du kan. Felter med * skal udfyldes. Du kan altid skrive **afbryd**.",
        "report.category": "Hvad drejer det sig om?",
        "report.category.required": "Vælg hvad det drejer sig om.",
        "report.definitions": "Sådan definerer retningslinjen det",
        "report.description": "Hvad skete der?",
        "report.description.placeholder": "Beskriv med dine egne ord, hvad der blev skrevet eller gjort.",
        "report.description.required": "Beskriv hvad der skete.",
        "report.when": "Hvornår skete det?",
        "report.when.required": "Angiv dato og klokkeslæt.",
        "report.platform": "Hvor skete det?",
        "report.platform.required": "Vælg hvor det skete.",
        "report.link": "Link til opslaget (valgfrit)",
        "report.link.invalid": "Linket skal begynde med http:// eller https://.",
        "report.offender": "Hvem stod bag? Borgerens navn eller profil (valgfrit)",
        "report.outside_hours": "Det skete uden for min arbejdstid",
        "report.family": "Min familie eller mine nærmeste er også truet",
        "report.submit": "Videre til skærmbilleder",
        "report.cancel": "Afbryd",
        "report.fix": "Ret venligst: {problem}",
        "report.cancelled": "Indberetningen er afbrudt, og intet er sendt til din leder. Skriv **indberet** for at begynde igen.",
        "report.resumed": "Du har en indberetning i gang – her kan du fortsætte, hvor du slap.",
        "report.expired": "Din påbegyndte indberetning har ligget urørt for længe og kan ikke længere sendes. Skriv **indberet** for at begynde forfra.",
        "report.draft_reminder": "Du har en indberetning, som ikke er sendt endnu. Send den inden for {hours:time|timer} – ellers kan du ikke længere fortsætte med den.",
        "report.draft_reminder_minutes": "Du har en indberetning, som ikke er sendt endnu. Send den inden for {minutes:minut|minutter} – ellers kan du ikke længere fortsætte med den.",
        # Validation reasons (field problems)
        "invalid.required": "{field} mangler",
        "invalid.too_long": "{field} er for lang",
        "invalid.in_future": "{field} ligger i fremtiden",
        "invalid.bad_date": "{field} er ikke en gyldig dato eller tid",
        "invalid.invalid_choice": "{field} er ikke et gyldigt valg",
        "invalid.not_http": "{field} skal være et http(s)-link",
        "field.category": "Kategori",
        "field.description": "Beskrivelse",
        "field.occurred_at": "Tidspunkt",
        "field.platform": "Sted",
        "field.link": "Link",
        "field.offender": "Afsender",
        # Evidence
        "evidence.advice": "**Sikr dokumentationen nu.** Tag et skærmbillede af opslaget – eller tag et foto af skærmen med din mobil eller tablet. Send billederne her i chatten (også gerne et Word-dokument med skærmbilledet), op til {per_message} ad gangen. Skriv **færdig**, når du har sendt dem.",
        "evidence.done_button": "Jeg har sendt mine skærmbilleder",
        "evidence.received": "✅ Modtaget: {name} ({size}). Filen er gemt uændret. Send flere, eller skriv **færdig**.",
        "evidence.duplicate": "Den fil har du allerede sendt – den er kun gemt én gang.",
        "evidence.none_yet": "Du har ikke sendt skærmbilleder endnu. Du kan sende dem nu eller senere fra **Mine sager**.",
        "evidence.rejected": "❌ Filen blev ikke gemt: {reason} Det, du allerede har sendt, er bevaret.",
        "evidence.too_large": "Filen er for stor (højst {max_size}).",
        "evidence.bad_type": "Kun billeder (PNG, JPEG, GIF, WebP, HEIC), PDF-filer og Word-dokumenter (.docx) kan gemmes som dokumentation.",
        "evidence.host_not_allowed": "Filen kommer fra et sted, jeg ikke må hente fra.",
        "evidence.address_not_allowed": "Filen kommer fra en adresse, jeg ikke må hente fra.",
        "evidence.not_https": "Filen skal hentes over en sikker forbindelse.",
        "evidence.timeout": "Det tog for lang tid at hente filen. Prøv at sende den igen.",
        "evidence.not_found": "Filen findes ikke længere. Prøv at sende den igen.",
        "evidence.link_expired": "Linket til filen er udløbet. Send filen igen.",
        "evidence.download_failed": "Filen kunne ikke hentes. Prøv at sende den igen.",
        "evidence.too_many_redirects": "Filen kunne ikke hentes (for mange omdirigeringer).",
        "evidence.unsupported_attachment": "Den slags vedhæftning kan jeg ikke gemme. Send et billede, en PDF eller et Word-dokument.",
        "evidence.too_many": "Sagen har allerede det højeste antal filer.",
        # Review and receipt
        "review.title": "Gennemse din indberetning",
        "review.evidence": "Dokumentation ({count})",
        "review.no_evidence": "Ingen skærmbilleder endnu.",
        "review.edit": "Ret oplysninger",
        "review.submit": "Send indberetningen",
        "review.yes": "Ja",
        "review.no": "Nej",
        "review.outside_hours": "Uden for arbejdstid",
        "review.family": "Familie/nærmeste truet",
        "receipt.title": "Din indberetning er modtaget – sag {number}",
        "receipt.time": "Modtaget",
        "receipt.evidence": "Dokumentation",
        "receipt.evidence_line": "{count} fil(er): {hashes}",
        "receipt.next": "Det sker nu",
        "receipt.next.leader": "Din leder ({leader}) får besked med det samme og skal straks tage sig af de næste skridt.",
        "receipt.next.leader_unknown": "Jeg kunne ikke finde din leder. Jeg sender sagen til HR og giver dig besked, hvis ingen hos HR kan nås.",
        "receipt.next.police": "Efter retningslinjen skal episoden politianmeldes, og din leder skal tilbyde dig at deltage i politianmeldelsen. Du svarer på tilbuddet på din sag her i chatten.",
        "receipt.next.save": "Botten opbevarer din indberetning og dine filer uændret, så din leder kan se dem på sagen her i Teams. Botten gemmer intet i kommunens sagssystem: efter retningslinjen skal materialet gemmes på den relevante sag. Bed om dokumentationsmappen på sagskortet, gem den dér, og notér sagens nummer på sagskortet – det kan din leder også gøre.",
        "receipt.next.support": "Du kan altid følge sagen under **Mine sager**.",
        # My cases
        "mycases.title": "Mine sager",
        "mycases.none": "Du har ingen sager.",
        "mycases.add_evidence": "Tilføj skærmbilleder",
        "mycases.add_evidence.prompt": "Send de nye skærmbilleder til sag {number} her i chatten. Skriv **færdig**, når du er færdig.",
        "mycases.add_evidence.done": "Tak. Antal nye filer på sag {number}: {count}. Din leder får besked.",
        "mycases.add_evidence.done_hr": "Tak. Antal nye filer på sag {number}: {count}. Sagen har ingen leder endnu, så HR får besked.",
        "status.open": "Åben",
        "status.closed": "Afsluttet",
        "stepstatus.open": "Ikke afgjort",
        "stepstatus.in_progress": "I gang",
        "stepstatus.done": "Afgjort",
        "stepstatus.waived": "Fravalgt tidligere – skal stadig afgøres",
        "stepstatus.not_applicable": "Ikke relevant",
        "step.removal": "Fjernelse af krænkelsen undersøgt",
        "step.citizen_contact": "Kontakt til borgeren om fremtidige henvendelser",
        "step.police_report": "Politianmeldelse",
        "step.police_offer": "Tilbud om at deltage i politianmeldelsen",
        "step.insubiz_note": "Notat registreret i InsuBiz",
        "step.apv_plan": "APV-handlingsplan lagt i DEFGO",
        "step.followup_employee": "Opfølgning med medarbejderen",
        "step.followup_colleagues": "Opfølgning med kolleger og øvrige berørte",
        # Guideline card
        "guideline.title": "Retningslinje for krænkende handlinger på sociale medier",
        "guideline.zero": "Vi har nultolerance over for krænkende handlinger på sociale medier.",
        "guideline.definitions": "Definitioner",
        "guideline.what_to_do": "Hvis du bliver udsat for krænkende handlinger",
        "guideline.what_to_do.body": "Reager hurtigt, og sikr dokumentation for krænkelsen: tag et skærmbillede af opslaget og sæt billedet ind i et Word-dokument, eller tag et foto af skærmen med din mobil eller tablet. Efter retningslinjen skal du sende skærmbilledet eller fotoet til din leder og gemme materialet på den relevante sag. Når du indberetter her i Teams, ser din leder dit materiale på sagskortet; botten gemmer intet i kommunens sagssystem.",
        "guideline.leader": "Det skal din leder straks bidrage til",
        "guideline.leader.body": "- Undersøge muligheden for at få krænkelsen fjernet fra nettet/de sociale medier\n- Tage kontakt til borgeren for at anvise, hvordan fremtidige henvendelser kan ske\n- Sørge for, at episoden bliver politianmeldt, og tilbyde dig at deltage i politianmeldelsen\n- Lave et notat, som registreres i InsuBiz, hvis du ikke ønsker at politianmelde episoden\n- Lave en APV-handlingsplan, så lignende situationer undgås i fremtiden, og lægge den i DEFGO\n- Følge op på episoden med dig og med kolleger og øvrige ansatte, der er berørt af den",
        "guideline.prevention": "Forebyggelse og din egen adfærd på nettet",
        "guideline.prevention.body": "Både ledere og medarbejdere skal forebygge, inden en situation optrappes. Som offentligt ansatte har vi selv et ansvar for at udvise en hensigtsmæssig adfærd på sociale medier og på nettet generelt. Der må ikke foregå nogen form for sagsbehandling på sociale medier: kommunikation mellem ansatte og borgere skal foregå via de officielle kanaler.",
        "guideline.24_7": "Retningslinjen gælder 24/7. Arbejdsgiveren har pligt til at forebygge risikoen for krænkende handlinger, uanset om den opstår i eller uden for arbejdstiden, og uanset hvor du fysisk befinder dig.",
    }
)

# The definitions are the guideline's own words, kept in one place: the domain.
TEXTS.update({f"category.{cat.value}.definition": text for cat, text in DEFINITIONS.items()})

TEXTS.update(
    {
        # Case card
        "case.title": "Sag {number} · {category}",
        "case.status": "Status",
        "case.reporter": "Indberettet af",
        "case.leader": "Leder",
        "case.no_leader": "Ikke fundet – sagen sendes til HR",
        "case.reported_at": "Indberettet",
        "case.family_warning": "⚠ Medarbejderens familie eller nærmeste er også truet.",
        "case.outside_hours": "Episoden skete uden for arbejdstiden.",
        "case.own_words": "Med medarbejderens egne ord",
        "case.steps": "Lederens skridt efter retningslinjen",
        "case.due": "frist {when}",
        "case.offer_question": "Din leder har tilbudt dig at deltage i politianmeldelsen. Hvad ønsker du?",
        "case.insubiz_copy": "Kopiér notatet til InsuBiz, og skriv referencen her:",
        "case.history": "Historik",
        "case.saved": "Gemt: {what}",
        "case.new_for_leader": "Ny sag til dig: en medarbejder har indberettet en krænkende handling på sociale medier. Efter retningslinjen skal du straks gå i gang med skridtene herunder.",
        "act.removal_removed": "Fjernet",
        "act.removal_requested": "Anmodet om fjernelse",
        "act.removal_not_possible": "Ikke muligt",
        "act.citizen_contacted": "Borgeren er kontaktet",
        "act.citizen_not_possible": "Kontakt ikke mulig",
        "act.police_reported": "Politianmeldt",
        "act.offer_join": "Ja, jeg vil deltage",
        "act.insubiz_draft": "Gem notat",
        "act.insubiz_registered": "Registreret i InsuBiz",
        "act.apv_measures": "Gem tiltag",
        "act.apv_filed": "Lagt i DEFGO",
        "act.fu_emp_schedule": "Planlæg opfølgning",
        "act.fu_emp_done": "Opfølgning gennemført",
        "act.fu_col_schedule": "Planlæg opfølgning",
        "act.fu_col_done": "Opfølgning gennemført",
        "act.close": "Afslut sagen",
        "in.removal_note": "Note (fx hvor der er anmodet om fjernelse)",
        "in.police_journal": "Politiets journalnummer",
        "in.insubiz_text": "Notat til InsuBiz (udkast – ret efter behov)",
        "in.insubiz_ref": "Reference i InsuBiz",
        "in.apv_measures": "Tiltag i APV-handlingsplanen",
        "in.apv_ref": "Reference i DEFGO",
        "in.followup_date": "Dato for opfølgning",
        "in.followup_done_date": "Dato for gennemført opfølgning",
        "in.followup_note": "Note",
        "outcome.removed": "fjernet",
        "outcome.requested": "anmodet om fjernelse",
        "outcome.not_possible": "ikke muligt",
        "outcome.contacted": "kontaktet",
        "outcome.contact_not_possible": "kontakt ikke mulig",
        "outcome.reported": "politianmeldt",
        "outcome.declined_by_employee": "medarbejderen ønsker ikke politianmeldelse",
        "outcome.wants_to_join": "vil deltage",
        "outcome.declined_to_join": "lederen politianmelder uden medarbejderen",
        "outcome.drafted": "notat skrevet",
        "outcome.registered": "registreret",
        "outcome.measures_set": "tiltag beskrevet",
        "outcome.filed": "lagt i DEFGO",
        "outcome.scheduled": "planlagt",
        "outcome.done": "gennemført",
        "outcome.waived": "fravalgt (ikke længere muligt)",
        "fieldname.journal_number": "journalnr.",
        "fieldname.reference": "reference",
        "fieldname.followup_date": "dato",
        "fieldname.done_date": "gennemført",
        "field.note": "Note",
        "field.reason": "Begrundelse",
        "field.journal_number": "Journalnummer",
        "field.reference": "Reference",
        "field.measures": "Tiltag",
        "field.text": "Notat",
        "field.date": "Dato",
        "field.evidence": "Dokumentation",
        "field.case_id": "Sag",
        "field.action": "Handling",
        "invalid.in_past": "{field} ligger i fortiden",
        "invalid.before_case": "{field} ligger før sagen blev oprettet",
        "invalid.invalid_format": "{field} har ikke det rigtige format",
        "invalid.too_many": "{field}: det højeste antal er nået",
        "invalid.empty": "{field} mangler",
        # Notifications
        "notify.overdue": 'Påmindelse: skridtet "{step}" på sag {number} har overskredet fristen.',
        "notify.escalation": 'Eskalering: skridtet "{step}" på sag {number} er stadig ikke afgjort, {days:arbejdsdag|arbejdsdage} efter fristen.',
        "notify.followup": 'Påmindelse: opfølgningen "{step}" på sag {number} er planlagt til i dag.',
        "notify.followup_late": 'Påmindelse: opfølgningen "{step}" på sag {number} var planlagt til {date} og er ikke registreret som gennemført.',
        "notify.checkin": "Hej. Det er et stykke tid siden episoden i sag {number}. Hvordan har du det? Tal gerne med din leder eller HR, hvis du har brug for støtte.",
        "notify.unassigned": "Sag {number} har ingen leder. Tildel en leder, så sagen bliver fulgt op.",
        "notify.unreachable": "Lederen på sag {number} kunne ikke kontaktes i Teams. HR har fået sagen, så den bliver fulgt op.",
        "notify.unreachable_hr": "Lederen på sag {number} kunne ikke kontaktes i Teams. Følg op på sagen.",
        "notify.nobody_reached": "Sag {number} er endnu ikke nået frem til nogen: hverken din leder eller HR kunne kontaktes i Teams. Jeg bliver ved med at prøve og giver dig besked, når nogen har fået sagen. Kontakt gerne din leder eller HR direkte imens.",
        "notify.nobody_reached_hr": "Sag {number} er endnu ikke nået frem til nogen: ingen hos HR kunne kontaktes i Teams. Jeg bliver ved med at prøve og giver dig besked, når nogen har fået sagen. Kontakt gerne HR direkte imens.",
        "notify.reached_late": "Sag {number} er nu nået frem, så den bliver fulgt op.",
        "notify.evidence_added": "Medarbejderen har tilføjet dokumentation til sag {number} (nye filer: {count}).",
        "notify.reassigned_new": "HR har overdraget sag {number} til dig. Bekræft, at du har set sagen, og fortsæt med retningslinjens skridt herunder.",
        "notify.reassigned_old": "HR har overdraget sag {number} til {leader}. Du er ikke længere leder på sagen.",
        "notify.deputy_removed": "HR har ændret, hvem der har sag {number}: du er ikke længere inddraget som stedfortræder, og sagens leder er nu {leader}.",
    }
)

TEXTS.update(
    {
        "refused.title": "Ingen adgang",
        "history.someone": "HR/andre",
        "history.retention_hold": "HR stoppede sletningen af sagen",
        "history.retention_release": "HR tillod sletning af sagen igen",
        "history.person_exported": "HR udleverede data om en person på sagen (indsigt)",
        "history.name_corrected": "HR rettede et navn på sagen",
        "history.CaseOpened": "Sagen blev indberettet",
        "history.CaseClosedEvent": "Sagen blev afsluttet",
        "history.LeaderChanged": "Sagen fik ny leder",
        "history.EvidenceAttached": "Ny dokumentation tilføjet",
        "history.EvidenceNoticeOwed": "Medarbejderen var færdig med at tilføje dokumentation",
        "history.notified": "Besked sendt",
        "history.unreachable": "Lederen kunne ikke kontaktes",
        "history.nobody_reached": "Hverken lederen eller HR kunne kontaktes",
    }
)

TEXTS.update(
    {
        "hr.title": "Åbne sager",
        "hr.summary": "Antal åbne sager: {open}.",
        "hr.none": "Der er ingen åbne sager.",
        "hr.line": "{number} · {category} · {leader} · {date}",
        "hr.overdue": "Overskredet: {steps}",
        "hr.open": "Åbn sagen",
        "hr.only": "Kommandoen kan kun bruges af HR.",
        "export.usage": "Skriv personens Entra-objekt-id efter kommandoen, fx »indsigt 00000000-0000-0000-0000-000000000000«. Id'et står på personen i Entra-administrationen.",
        "export.building": "Jeg samler alt, hvad jeg har om personen, og sender dig et link her i chatten, når det er klar.",
        "export.nothing": "Jeg har ingen data om den person: ingen sager, ingen samtale og ingen kladde.",
        "export.failed": "Jeg kunne ikke samle data om personen. Prøv igen om lidt; ellers kontakt den driftsansvarlige.",
        "export.ready": "Data om personen er samlet (sager: {cases}, filer: {files}). [Hent ZIP-filen]({url}) – linket virker til {until}; del det ikke. Filen slettes efter {days:dag|dage}. SHA-256: {sha256}",
        "correct.usage": "Skriv personens Entra-objekt-id og det rigtige navn efter kommandoen, fx »ret navn 00000000-0000-0000-0000-000000000000 Mette Hansen«.",
        "correct.done": "Navnet er rettet på {count} sag(er). Hver rettelse står i sagens log.",
        "erase.usage": "Skriv sagsnummeret efter kommandoen, fx »slet sag KH-2026-0001«.",
        "erase.not_found": "Jeg kan ikke finde en sag med det nummer.",
        "erase.confirm": "Sag {number} og alt, hvad der hører til den (dokumentation, dokumentationsmapper og log), bliver slettet for altid. Tilbage bliver kun en note om sletningen (sagsnummer, tidspunkt, at det skete efter anmodning) og en optælling til MED-tallene (sagsnummer, arbejdsplads og kategori – ingen navne). Skriv »slet sag {number} bekræft« for at slette den.",
        "erase.held": "Sag {number} er sat i bero mod sletning. Skriv først »tillad sletning {number}«, hvis den skal slettes.",
        "erase.done": "Sag {number} er slettet. En note om sletningen er gemt.",
        "retention.usage": "Skriv sagsnummeret efter kommandoen, fx »stop sletning KH-2026-0001«.",
        "retention.not_found": "Jeg kan ikke finde en sag med det nummer.",
        "retention.held": "Sag {number} bliver ikke slettet, før du skriver »tillad sletning {number}«.",
        "retention.already_held": "Sletningen af sag {number} var allerede stoppet.",
        "retention.released": "Sag {number} slettes igen efter reglerne for opbevaring, når tiden er gået.",
        "retention.not_held": "Sletningen af sag {number} var ikke stoppet.",
        "retention.under_way": "Sag {number} er ved at blive slettet efter reglerne for opbevaring og kan ikke længere stoppes.",
    }
)

TEXTS.update(
    {
        "med.register.title": "Hvilken arbejdsplads hører kanalen til?",
        "med.register.body": "Botten sender her to gange om året en påmindelse om at evaluere arbejdspladsens håndtering af krænkende handlinger på sociale medier på et MED-møde eller personalemøde med MED-status – med arbejdspladsens egne, anonymiserede tal og dens lokale handleplan.",
        "med.register.unit": "Arbejdsplads (enhed)",
        "med.register.other": "Anden – skriv den nedenfor",
        "med.register.unit_text": "Arbejdsplads, hvis den ikke står på listen",
        "med.register.committee": "MED-udvalg (valgfrit)",
        "med.register.button": "Registrér kanalen",
        "med.register.who": "Kun arbejdspladsens leder eller stedfortræder – eller HR – kan registrere eller flytte arbejdspladsens MED-kanal.",
        "med.register.not_saved": "Kanalen er ikke registreret: jeg kunne ikke gemme registreringen lige nu. Intet er ændret. Prøv igen om lidt.",
        "med.registered.title": "Kanalen er registreret",
        "med.registered.body": "MED-påmindelser for {unit} (MED-udvalg: {committee}) sendes nu her.",
        "med.title": "MED-evaluering: {unit}",
        "med.period": "Perioden {start} – {end}",
        "med.guideline_text": "Jeres lokale håndtering af krænkende handlinger på sociale medier skal evalueres på MED-møder eller personalemøder med MED-status to gange årligt, og det materiale I har udarbejdet til brug for jeres lokale handleplan skal gennemgås og tilrettes. Sådan sikrer I et løbende fokus på, hvor de ansatte finder oplysningerne – også i de perioder, hvor der ikke sker noget.",
        "med.checklist": "Tjekliste til mødet",
        "med.checklist.body": "- Gennemgå og tilret den lokale handleplan\n- Tjek at alle ansatte ved, hvor retningslinjen findes, og hvordan de indberetter en episode\n- Gennemgå periodens sager (tallene herunder)",
        "med.figures": "Arbejdspladsens tal for perioden",
        "med.figures.total": "Sager i alt",
        "med.figures.on_time": "Straks-skridt afgjort inden fristen",
        "med.figures.open_apv": "Åbne APV-handlingsplaner",
        "med.figures.note": 'Tal under {threshold} vises som "under {threshold}", så ingen kan genkendes.',
        "med.count.under": "under {threshold}",
        "med.count.hidden": "vises ikke (for få sager)",
        "med.figures.by_category": "Fordelt på kategorier",
        "med.count.withheld": "vises ikke – ellers kunne et tal under {threshold} regnes ud",
        "med.state": "Status",
        "med.state.pending": "Ikke sendt endnu",
        "med.state.sent": "Påmindelse sendt – ikke sat på dagsorden endnu",
        "med.state.on_agenda": "Sat på dagsordenen til mødet {date}",
        "med.state.done": "Evaluering gennemført {date}",
        "med.meeting_date": "Mødedato",
        "med.on_agenda": "Sat på dagsorden",
        "med.done_date": "Dato for evalueringen",
        "med.minutes_link": "Link til referatet (https)",
        "med.done": "Evaluering gennemført",
        "med.saved": "Gemt af {name}.",
        "med.followup": "Påmindelse: MED-evalueringen for {unit} for perioden {period} er ikke markeret som gennemført endnu.",
        "med.hr.followup": "MED-evalueringen for {unit} ({period}) er ikke gennemført inden for fristen.",
        "med.hr.channel_gone": "MED-kanalen for {unit} modtager ikke længere påmindelser ({reason}). Historikken er gemt. Indtil en ny kanal registreres, får arbejdspladsens leder påmindelsen i sin chat med botten.",
        "med.hr.channel_renamed": 'MED-kanalen for {unit} har skiftet navn til "{name}". Påmindelserne sendes fortsat dertil.',
        "med.overview.title": "MED-overblik for {period}",
        "med.overview.none": "Ingen arbejdspladser er kendt endnu: lederkataloget nævner ingen, og ingen kanal er registreret.",
        "med.sent_now": "MED-påmindelsen er sendt til {channels} MED-kanal(er) og til {chats} leder(e) i chatten.",
        "med.channel_only": "Den kommando virker i en kanal i et team.",
        "field.meeting_date": "Mødedato",
        "field.done_date": "Dato",
        "field.minutes_link": "Link til referat",
        "invalid.not_http_link": "{field} skal være et http(s)-link",
        "invalid.not_date": "{field} mangler eller er ikke en dato",
        "domain.med_done": "Evalueringen er allerede markeret som gennemført.",
    }
)

TEXTS.update(
    {
        "review.leader": "Din leder",
        "review.leader.why": "Jeg kunne ikke slå din leder op. Vælg lederen, så får vedkommende besked med det samme.",
        "review.leader.label": "Hvem er din leder?",
        "review.leader.unknown": "Ved ikke – send sagen til HR",
        "review.leader.required": "Vælg din leder, eller vælg at sende sagen til HR.",
    }
)

TEXTS.update(
    {
        "case.reassign": "Overdrag sagen til en anden leder",
        "in.reassign_leader": "Ny leder",
        "act.reassign": "Overdrag sagen",
        "field.reassign_leader": "Ny leder",
    }
)

TEXTS.update({"case.more": "… og {count} mere", "case.shortened": "(forkortet – hele teksten er gemt på sagen)"})

TEXTS.update({"case.all_evidence": "Al dokumentation", "case.back": "Tilbage til sagen"})

TEXTS.update(
    {
        "med.status.count.pending": "Ikke sendt",
        "med.status.count.sent": "Sendt, ikke på dagsorden",
        "med.status.count.on_agenda": "På dagsorden",
        "med.status.count.done": "Gennemført",
    }
)

TEXTS.update({"report.time": "Klokkeslæt"})

# The evidence pack ("Dokumentationsmappe"): the documents and the messages about them
TEXTS.update(
    {
        "pack.title": "Dokumentationsmappe – sag {number}",
        "pack.producer": "Kommunens bot for krænkende handlinger på sociale medier",
        "pack.intro": (
            "Dokumentationsmappen er dannet af sagens data pr. {as_of}. Alle tider er i UTC. Skærmbillederne er vist "
            "i udskriftsstørrelse; SHA-256 er originalfilens, og originalerne ligger uændret i ZIP-filen med "
            "manifest.json og SHA256SUMS."
        ),
        "pack.case_number": "Sagsnummer",
        "pack.category": "Hvad drejer det sig om",
        "pack.no_link": "(intet link angivet)",
        "pack.own_words": "Hvad skete der – med medarbejderens egne ord",
        "pack.timeline": "Tidslinje",
        "pack.when_utc": "Tidspunkt (UTC)",
        "pack.who": "Hvem",
        "pack.what": "Hvad",
        "pack.reported": "Episoden blev indberettet",
        "pack.evidence_added": "Skærmbillede tilføjet: {name} (SHA-256 {sha}…)",
        "pack.screenshots": "Skærmbilleder ({count})",
        "pack.no_screenshots": "Der er ingen skærmbilleder på sagen.",
        "pack.item_heading": "Bilag {index}: {name}",
        "pack.view_note": "Visningen er formindsket til udskrift. SHA-256 ovenfor er originalfilens.",
        "pack.no_view": "Filen kan ikke vises her. Originalen ligger uændret i ZIP-filen.",
        "pack.size": "Størrelse",
        "pack.original_name": "Oprindeligt filnavn",
        "pack.uploader": "Sendt af",
        "pack.uploaded_at": "Modtaget (UTC)",
        "pack.seen_at": "Set på (link)",
        "pack.in_zip": "Sti i ZIP-filen",
    }
)


# Evidence intake: caps before work, answers that may follow later, refusals that explain.
TEXTS.update(
    {
        "evidence.too_many_in_message": (
            "Jeg tager højst {max} filer fra én besked. {skipped} fil(er) blev ikke hentet – send dem i en ny besked."
        ),
        "evidence.case_full": (
            "En sag kan rumme højst {max} filer. {skipped} fil(er) blev ikke hentet, fordi der ikke er plads til flere."
        ),
        "evidence.receiving": ("⏳ Jeg henter {count} fil(er) nu. Du får besked her i chatten, så snart de er gemt."),
        "evidence.still_receiving": "Jeg er ved at hente filer, du har sendt. Vent, til du har fået besked om dem, og send så indberetningen igen.",
        "evidence.draft_gone": "Filen blev ikke gemt: indberetningen, den hørte til, er afbrudt eller slettet.",
        "evidence.draft_submitted": "Filen blev ikke lagt på indberetningen, fordi den allerede var sendt. Tilføj den fra **Mine sager**.",
        "evidence.not_stored": "❌ Filen blev ikke gemt på grund af en fejl hos mig. Send den gerne igen.",
        "evidence.compressed": "Filen kom pakket på en måde, så jeg ikke kan gemme den uændret. Send den igen.",
        "evidence.token_failed": (
            "Jeg kunne ikke få adgang til billedet lige nu. Send det igen om lidt, eller send det som en fil."
        ),
    }
)


TEXTS.update(
    {
        "act.evidence_pack": "Dokumentationsmappe (Word, PDF, ZIP)",
        "pack.building": "Dokumentationsmappen bliver lavet. Du får linkene her i chatten om et øjeblik.",
        "pack.ready.title": "Dokumentationsmappe – sag {number}",
        "pack.ready.body": "Dokumentationsmappen er klar: et Word-dokument og en PDF med sagens fakta, tidslinje og alle skærmbilleder med SHA-256, og en ZIP-fil med originalerne, manifest.json og SHA256SUMS. Linkene er lavet til dig og virker til {expires}. Del dem ikke: alle, der har et link, kan hente filen, indtil det udløber. Bed om en ny dokumentationsmappe på sagskortet, når linkene er udløbet.",
        "pack.ready.not_saved": "Botten gemmer ikke dokumentationsmappen i kommunens sagssystem. Gem den selv på den relevante sag der.",
        "pack.kind.pdf": "PDF",
        "pack.kind.docx": "Word",
        "pack.kind.zip": "ZIP",
        "pack.open.pdf": "Hent PDF",
        "pack.open.docx": "Hent Word-dokument",
        "pack.open.zip": "Hent ZIP med originaler",
        "pack.failed": "Dokumentationsmappen til sag {number} kunne ikke laves lige nu. Prøv igen om lidt på sagskortet.",
        "pack.integrity_failed": "Dokumentationsmappen til sag {number} blev ikke lavet: et gemt skærmbillede svarer ikke længere til den SHA-256, det fik ved modtagelsen. Sig det til HR, så det kan blive undersøgt.",
        "history.pack_built": "Dokumentationsmappe dannet",
        "history.pack_link_issued": "Link til dokumentationsmappe udleveret",
        "history.pack_downloaded": "Dokumentationsmappe hentet",
    }
)

# The takedown helper on the removal step
TEXTS.update(
    {
        "takedown.title": "Få indholdet fjernet",
        "takedown.route": "Anmeld på {platform}",
        "takedown.open": "Åbn {platform}s anmeldelsesside",
        "takedown.request": "Anmodningstekst (kopiér og send til tjenesten):",
        "takedown.police": "Politianmeldelse på nettet",
        "takedown.police.open": "Åbn politiets side for politianmeldelse",
        "takedown.request.body": (
            "Anmodning om fjernelse af krænkende indhold. Vi skriver på vegne af {organisation} om indhold på "
            "{platform}, som er rettet mod en af vores medarbejdere ({category})."
        ),
        "takedown.request.where": "Indholdet findes her: {link}",
        "takedown.request.no_link": "(linket er ikke oplyst – se vedlagte skærmbilleder)",
        "takedown.request.when": "Det skete: {when}",
        "takedown.request.who": "Profil/afsender: {offender}",
        "takedown.request.police": "Episoden er politianmeldt (journalnr. {journal}).",
        "takedown.request.ask": (
            "Indholdet strider efter vores vurdering mod jeres regler om chikane og trusler. Vi beder jer fjerne "
            "det hurtigst muligt og bekræfte, når det er sket. Vores sagsnummer: {number}."
        ),
    }
)

# The guideline's steps: only the outcomes the guideline allows, and the police offer leader -> employee.
TEXTS.update(
    {
        "case.new_for_reporter": "Her er din sag. Du kan følge den her. Når din leder har tilbudt dig at deltage i politianmeldelsen, svarer du også her.",
        "case.offer_intro": "Tilbyd medarbejderen at deltage i politianmeldelsen, og notér, hvordan tilbuddet blev givet. Medarbejderen svarer på sit eget kort.",
        "case.paused": "fristen står stille, mens medarbejderen svarer",
        "act.offer_made": "Tilbuddet er givet",
        "act.offer_without_me": "Lederen politianmelder uden mig",
        "act.offer_no_report": "Jeg ønsker ikke politianmeldelse",
        "act.fu_col_none": "Ingen kolleger berørt",
        "in.removal_why": "Hvis fjernelse ikke er mulig: hvorfor",
        "in.removal_tried": "Hvis fjernelse ikke er mulig: hvad er forsøgt",
        "in.citizen_channel": "Hvordan borgeren fremover skal henvende sig (fx Borgerservice)",
        "in.citizen_cause": "Hvis kontakt ikke er mulig: afsenderen er",
        "in.citizen_reason": "Hvis kontakt ikke er mulig: begrundelse",
        "in.police_filed_by": "Politianmeldt af",
        "in.offered_via": "Tilbuddet blev givet",
        "in.fu_col_none_reason": "Hvis ingen kolleger er berørt: hvorfor",
        "choice.citizen_cause.unknown": "ukendt",
        "choice.citizen_cause.anonymous": "anonym",
        "choice.offered_via.in_person": "personligt",
        "choice.offered_via.phone": "telefonisk",
        "choice.offered_via.bot": "her i Teams",
        "outcome.offered": "tilbudt – venter på medarbejderens svar",
        "outcome.no_report": "ønsker ikke politianmeldelse",
        "outcome.unanswered": "tilbudt, ikke besvaret før politianmeldelsen",
        "outcome.no_colleagues_affected": "ingen kolleger berørt",
        "fieldname.filed_by": "politianmeldt af",
        "fieldname.channel": "henvendelser via",
        "fieldname.offered_via": "tilbudt",
        "fieldname.cause": "afsender",
        "fieldname.reason": "begrundelse",
        "field.why": "Hvorfor",
        "field.tried": "Hvad er forsøgt",
        "field.channel": "Henvendelser via",
        "field.filed_by": "Politianmeldt af",
        "domain.offer_not_made": "Din leder har endnu ikke registreret tilbuddet om at deltage i politianmeldelsen.",
        "domain.offer_answer_too_late": "Politianmeldelsen er allerede afgjort, så svaret kan ikke længere gives eller ændres.",
        "domain.offer_already_made": "Tilbuddet om at deltage i politianmeldelsen er allerede registreret.",
        "domain.police_offer_first": "Registrér først, at medarbejderen er tilbudt at deltage i politianmeldelsen.",
        "domain.police_decided": "Politianmeldelsen er allerede afgjort.",
        "domain.steps_open": "Sagen kan først afsluttes, når alle skridt har et udfald.",
        "notify.offer_asked": "Din leder har tilbudt dig at deltage i politianmeldelsen i sag {number}. Svar på kortet, når du er klar: du kan deltage, lade lederen politianmelde uden dig eller sige nej til en politianmeldelse.",
        "notify.offer_reminder": "En venlig påmindelse: din leder venter på dit svar om politianmeldelsen i sag {number}. Svar på kortet, når du er klar.",
        "notify.offer_answered": "Medarbejderen har svaret på tilbuddet om at deltage i politianmeldelsen i sag {number}: {answer}.",
        "notify.offer_no_report": "Medarbejderen ønsker ikke politianmeldelse i sag {number}. Skriv notatet til InsuBiz og registrér det – kortet har et udkast.",
    }
)

TEXTS.update(
    {
        # What the guideline asks everyone to know (welcome and guideline cards)
        "welcome.zero": "Vi har nultolerance over for krænkende handlinger på sociale medier. De er omfattet af arbejdsmiljøloven, og arbejdspladsen har pligt til at håndtere og forebygge dem på linje med vold og trusler om vold.",
        "welcome.definitions": "Sådan definerer retningslinjen trusler, mobning og chikane",
        "guideline.law": "Krænkende handlinger er omfattet af arbejdsmiljøloven, som noget arbejdspladsen har pligt til at håndtere og forebygge på linje med vold og trusler om vold.",
        "guideline.evaluation": "Arbejdspladsens håndtering evalueres to gange om året på MED-møder eller personalemøder med MED-status.",
        "guideline.source": "Kilde: Retningslinje for krænkende handlinger på sociale medier, besluttet på kommuneMED den 16. december 2020.",
        "mycases.add_evidence.none": "Der er ikke lagt nye filer på sag {number}.",
        # Help: what each person may write, by role and place
        "help.title": "Det kan du skrive til mig",
        "help.intro": "Skriv et af ordene herunder her i chatten, eller brug knapperne.",
        "help.section.employee": "Som medarbejder",
        "help.body.employee": "- **indberet** – indberet en krænkende handling på sociale medier og send skærmbilleder\n- **mine sager** – se dine sager, og læg flere skærmbilleder på en sag\n- **retningslinje** – læs retningslinjen\n- **hjælp** – se denne oversigt\n- **afbryd** – stop det, du er i gang med, fx en indberetning\n- Mens du indberetter: **færdig**, når du har sendt dine skærmbilleder",
        "help.section.leader": "Som leder",
        "help.body.leader": "- Når en medarbejder indberetter en episode, får du sagskortet her i chatten. Tryk **Jeg har set sagen** på kortet, og registrér derefter retningslinjens skridt; jeg minder dig om fristerne.\n- **mine sager** – se de åbne sager, du leder, med det, der haster mest, øverst\n- Bliver du bragt ind som stedfortræder på en sag, får du kortet og kan gøre det samme som lederen.",
        "help.section.hr": "Som HR",
        "help.body.hr": "- **sager** – overblik over alle åbne sager og overskredne frister\n- **MED-overblik** – se, hvor langt hver arbejdsplads' MED-evaluering er i dette halvår, og hvilke der mangler en MED-kanal eller en lokal handleplan\n- **send MED-påmindelse** – send påmindelsen om MED-evaluering nu: til arbejdspladsens MED-kanal, ellers til lederens chat; skriv en arbejdsplads efter kommandoen for kun at sende til den\n- **stop sletning** sagsnummer – stop den planlagte sletning af en sag\n- **tillad sletning** sagsnummer – lad sagen blive slettet igen efter reglerne for opbevaring\n- **indsigt** Entra-objekt-id – saml alt, hvad botten har om en person, når personen beder om indsigt\n- **slet sag** sagsnummer – slet en sag nu, når en person har bedt om det og I er enige (du bliver bedt om at bekræfte)\n- **ret navn** Entra-objekt-id navn – ret en persons navn på alle personens sager, når navnet er forkert",
        "help.section.channel": "Her i kanalen",
        "help.body.channel": "- **@{bot} registrer MED-kanal** – gør kanalen til arbejdspladsens MED-kanal (arbejdspladsens leder, stedfortræder eller HR)\n- **@{bot} MED-evaluering** – vis kortet med arbejdspladsens evaluering og lokale handleplan\n- To gange om året får MED-kanalen en påmindelse om at evaluere arbejdspladsens håndtering af krænkende handlinger. Markér den som **Sat på dagsorden** og **Evaluering gennemført** på kortet.\n- **@{bot} hjælp** – se denne oversigt\n- Indberet en episode i din personlige chat med mig, ikke her i kanalen.",
        "help.hr_cases": "Åbne sager",
        "help.med_overview": "MED-overblik",
    }
)

TEXTS.update({"help.bot_name": "Krænkelser"})

# "Gemt på sagen" and the re-check of a takedown request
TEXTS.update(
    {
        "step.saved_on_case": "Gemt på sagen i kommunens sagssystem",
        "outcome.saved": "gemt",
        "act.saved_on_case": "Notér sagsnummeret",
        "in.saved_ref": "Sagens nummer eller journalnummer i sagssystemet",
        "case.saved_intro": (
            "Botten gemmer ikke materialet i kommunens sagssystem. Hent dokumentationsmappen (knappen nederst), "
            "gem den på den relevante sag dér, og notér sagens nummer her. Det kan lederen eller medarbejderen gøre."
        ),
        "act.removal_still_there": "Indholdet er der stadig",
        "case.removal_recheck": "Anmodningen om fjernelse venter. Er indholdet væk nu?",
        "fieldname.still_there": "stadig der",
        "notify.removal_recheck": (
            "Sag {number}: det er {days:dag|dage} siden, der blev bedt om at få indholdet fjernet. Er det væk nu? "
            "Svar under »{step}« på kortet."
        ),
        "notify.removal_recheck_again": (
            "Sag {number}: det er {days:dag|dage} siden, indholdet sidst var der stadig. Er det væk nu? "
            "Svar under »{step}« på kortet."
        ),
        "domain.removal_not_requested": "Der venter ingen anmodning om fjernelse på sagen.",
    }
)

TEXTS.update(
    {
        "case.police_pack": (
            "Politianmeld på nettet, og vedhæft dokumentationsmappens PDF som bilag: tryk »Dokumentationsmappe« "
            "nederst på kortet, så får du den her i chatten."
        ),
    }
)

# "Straks" means today: the acknowledgement, the deputy, the deadlines on the receipt, the case lists.
TEXTS.update(
    {
        "time.when": "{weekday} {date} kl. {time}",
        "weekday.0": "mandag",
        "weekday.1": "tirsdag",
        "weekday.2": "onsdag",
        "weekday.3": "torsdag",
        "weekday.4": "fredag",
        "weekday.5": "lørdag",
        "weekday.6": "søndag",
        "receipt.next.ack": "Din leder ({leader}) får sagen nu og skal bekræfte at have set den senest {when}.",
        "receipt.next.outside_hours": "Du indberettede uden for kontortid, så fristerne regnes fra {when}.",
        "receipt.next.deputy_then_hr": "Har din leder ikke bekræftet inden da, får lederens stedfortræder sagen, og er den stadig ikke set {when}, får HR besked.",
        "receipt.next.deputy_absent": "Din leder er fraværende, så lederens stedfortræder ({deputy}) får også sagen nu.",
        "receipt.next.hr_after": "Har din leder ikke bekræftet inden da, får HR besked.",
        "receipt.next.steps": "De første skridt – at få krænkelsen fjernet, kontakt til borgeren og politianmeldelsen med tilbuddet om at deltage – har frist {when}.",
        "case.ack_prompt": "Bekræft, at du har set sagen – senest {when}.",
        "case.acknowledged": "Set af lederen",
        "case.acknowledged_value": "{name}, {when}",
        "case.not_acknowledged": "Ikke bekræftet endnu (frist {when})",
        "case.deputy": "Stedfortræder",
        "case.deputy_value": "{name} ({reason})",
        "case.bring_in_deputy": "Inddrag lederens stedfortræder: {name}",
        "act.acknowledge": "Jeg har set sagen",
        "act.bring_in_deputy": "Inddrag stedfortræderen",
        "deputy_reason.leader_absent": "lederen er fraværende",
        "deputy_reason.hr": "inddraget af HR",
        "deputy_reason.ack_overdue": "lederen bekræftede ikke i tide",
        "notify.deputy_in.leader_absent": "Ny sag {number} til dig som stedfortræder: {leader} er fraværende. Bekræft, at du har set sagen, og handl straks efter retningslinjen.",
        "notify.deputy_in.hr": "HR har inddraget dig som stedfortræder for {leader} på sag {number}.",
        "notify.deputy_late": "Sag {number}: {leader} har ikke bekræftet at have set sagen inden for {hours:arbejdstime|arbejdstimer}, så du er inddraget som stedfortræder. Se sagen, og bekræft, at du har set den.",
        "notify.ack_escalation": "Ingen leder har bekræftet at have set sag {number} inden for fristen. Følg op på sagen.",
        "history.Acknowledged": "Sagen er set",
        "history.DeputyBroughtIn": "Stedfortræderen er inddraget",
        "domain.no_deputy": "Der er ingen stedfortræder på sagen.",
        "domain.no_leader": "Sagen har ingen leder endnu.",
        "mycases.led_title": "Sager, du leder",
        "mycases.led_none": "Du leder ingen åbne sager.",
        "mycases.own_title": "Dine egne indberetninger",
        "list.next": "Næste: {what} · frist {when}",
        "list.overdue": "Overskredet: {what} · frist {when}",
        "list.nothing_due": "Intet med frist lige nu",
        "list.acknowledge": "bekræft at sagen er set",
        "list.open": "Åbn sagen",
    }
)

# MED for every workplace (issue 14): the 1:1 fallback, who may act, the local plan.
TEXTS.update(
    {
        "med.registered.moved": "Arbejdspladsen havde en anden MED-kanal. Påmindelserne kommer nu her. Den gamle kanal har fået besked, og HR får besked.",
        "med.registered.moved_not_told": "Arbejdspladsen havde en anden MED-kanal. Påmindelserne kommer nu her. Den gamle kanal kunne ikke få besked, så sig det gerne selv dér. HR får besked.",
        "med.moved.old_channel": "MED-påmindelserne for {unit} sendes ikke længere hertil, men til arbejdspladsens nye MED-kanal.",
        "med.hr.channel_moved": "MED-kanalen for {unit} er flyttet til en anden kanal af {name}.",
        "med.hr.channel_gone_no_leader": "MED-kanalen for {unit} modtager ikke længere påmindelser ({reason}). Historikken er gemt. Arbejdspladsen har ingen kendt leder, så den får ingen påmindelse, før en ny kanal registreres.",
        "med.refused.register": "Kun lederen eller stedfortræderen for {unit} – eller HR – kan registrere eller flytte arbejdspladsens MED-kanal. Intet er ændret.",
        "med.refused.not_unit_channel": "Denne kanal er ikke MED-kanal for {unit}. Kun arbejdspladsens MED-kanal – eller dens leder i chatten med botten – kan markere evalueringen eller ændre handleplanen. Intet er ændret.",
        "med.refused.not_leader": "Kun lederen eller stedfortræderen for {unit} kan markere evalueringen eller ændre handleplanen her i chatten. Intet er ændret.",
        "med.refused.old_period": "Kortet hører til en tidligere periode. Den aktuelle periode er {period}. Intet er ændret.",
        "med.refused.channel_only": "Det kan kun gøres i en kanal i et team. Intet er ændret.",
        "med.unit.unknown": "Jeg kender ikke den arbejdsplads. Vælg den på listen. Intet er ændret.",
        "med.unit.unknown_closest": "Jeg kender ikke den arbejdsplads. Mente du: {names}? Vælg den på listen. Intet er ændret.",
        "med.plan": "Lokal retningslinje og handleplan",
        "med.plan.review": "Gennemgå og tilret den på mødet, og tjek hvor de ansatte finder oplysningerne – også i perioder, hvor der ikke sker noget.",
        "med.plan.missing": "Arbejdspladsen har ikke registreret nogen lokal retningslinje og handleplan. Retningslinjen kræver, at arbejdspladsen udarbejder en: lav den, og gem linket her.",
        "med.plan.link": "Link til den lokale retningslinje og handleplan (https)",
        "med.plan.save": "Gem link til handleplanen",
        "med.https_only": "Skriv et link, der begynder med https://",
        "med.chat.intro": "Arbejdspladsen har ingen registreret MED-kanal, så påmindelsen kommer til dig som leder. Tag evalueringen op på et MED-møde eller et personalemøde med MED-status, og markér den her.",
        "med.chat.register": "Registrér en MED-kanal",
        "med.chat.register.how": 'Tilføj botten til arbejdspladsens team i Teams. Skriv så i den kanal, MED-udvalget bruger: @-nævn botten og "registrer MED-kanal", og vælg arbejdspladsen på kortet. Derefter kommer påmindelsen i kanalen.',
        "med.done.heading": "Når evalueringen er holdt",
        "med.meeting_kind": "Evalueringen blev holdt på",
        "med.meeting_kind.med_meeting": "MED-møde",
        "med.meeting_kind.staff_meeting": "Personalemøde med MED-status",
        "med.plan_reviewed": "Den lokale handleplan er gennemgået og tilrettet",
        "med.state.plan_reviewed": "handleplanen gennemgået og tilrettet",
        "med.state.plan_not_reviewed": "handleplanen ikke gennemgået",
        "med.overview.chat": "ingen MED-kanal (påmindelsen går til lederens chat)",
        "med.overview.unreachable": "ingen MED-kanal og ingen kendt leder: får ingen påmindelse",
        "med.overview.no_plan": "ingen lokal handleplan",
        "med.overview.count.no_channel": "Uden MED-kanal",
        "med.overview.count.no_plan": "Uden lokal handleplan",
        "med.channel.none": 'Denne kanal er ikke MED-kanal for nogen arbejdsplads. Skriv "registrer MED-kanal" for at registrere den.',
        "field.meeting_kind": "Mødetype",
        "field.plan_link": "Link til handleplanen",
        "field.plan_reviewed": "Handleplanen gennemgået",
        "field.unit": "Arbejdsplads",
        "field.unit_text": "Arbejdsplads",
        "invalid.not_https_link": "{field} skal være et https-link",
    }
)
