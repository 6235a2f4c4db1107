"""Every fixed text the user reads in German (default) and English, and number/date formatting.

Used by the report (``texts(lang)`` is the table templates see as ``t``), the workshop brief and
scan (``trends.scan``) and the trend rule sentences (``trends.trend.explain``); it imports nothing
of ours, so any layer may use it. Sentences with placeholders are filled with :func:`fmt`. Add a
key here in *both* languages (a test checks that).
"""

from __future__ import annotations

import datetime as dt

LANGS = ("de", "en")

# key: (German, English)
TEXTS: dict[str, tuple[str, str]] = {
    # title page
    "title": (
        "Trendbericht Verwaltungsdigitalisierung",
        "Trend report on public-sector digitalization",
    ),
    "subtitle": (
        "Digitale Modellregionen NRW – Quartalsbericht",
        "Digital Model Regions NRW – quarterly report",
    ),
    "quarter": ("Quartal", "Quarter"),
    "period": ("Zeitraum", "Period"),
    "window": ("Analysezeitraum", "Analysis window"),
    "articles_quarter": ("Artikel im Quartal", "Articles in the quarter"),
    "articles_window": ("Artikel im Analysezeitraum", "Articles in the analysis window"),
    "sources": ("Quellen", "Sources"),
    "topics_count": ("Themen", "Topics"),
    "generated": ("Erstellt am", "Generated on"),
    "author": ("Verantwortlich", "Responsible"),
    "model": ("Modell", "Model"),
    "coverage_note": (
        "die Artikel decken nur diese Tage von {quarter} ab; seine Zahlen gelten für sie, nicht "
        "für das ganze Quartal",
        "the articles cover only these days of {quarter}; its figures are theirs, not the whole "
        "quarter's",
    ),
    "partial_note": (
        "Das Quartal {quarter} läuft noch (Stand {date}): seine Zahlen sind vorläufig; Trendklassen "
        "beruhen auf dem letzten abgeschlossenen Quartal.",
        "Quarter {quarter} is still running (as of {date}): its figures are provisional; trend "
        "classes are based on the last complete quarter.",
    ),
    "contents": ("Inhalt", "Contents"),
    # the workshop brief (trends brief)
    "brief_title": ("Workshop-Brief: {title}", "Workshop brief: {title}"),
    # plain text: templates/brief.{md,html}.j2 escape it and set the labels in bold
    "brief_what_label": ("Was es ist:", "What it is:"),
    "brief_what": (
        "{phrases} (Handlungsfeld: {field}).",
        "{phrases} (field of action: {field}).",
    ),
    "brief_course": ("Verlauf", "Trajectory"),
    "brief_stage_label": ("Reifegrad:", "Maturity:"),
    "brief_stage": (
        "{stage} (Konfidenz {confidence}{trl})",
        "{stage} (confidence {confidence}{trl})",
    ),
    "brief_who": ("Wer hat es schon gemacht?", "Who has already done it?"),
    "brief_col_place": ("Kommune", "Municipality"),
    "brief_col_stage": ("Stand", "Stage"),
    "brief_col_first": ("erste Meldung", "first report"),
    "brief_col_latest": ("letzte Meldung", "latest report"),
    "brief_col_evidence": ("Beleg", "Evidence"),
    "brief_contacts": ("Kontakte aus den Quellen:", "Contacts named in the sources:"),
    "brief_transfer": ("Übertragbarkeit", "Transferability"),
    "brief_no_transfer": (
        "Keine Hinweise auf Nachnutzung in den Quellen.",
        "No signs of reuse in the sources.",
    ),
    "brief_source": ("Quelle", "source"),
    "brief_questions": ("Offene Fragen", "Open questions"),
    "brief_q_concept": (
        "Wer plant einen Piloten, und was müsste er zeigen, damit andere Kommunen folgen?",
        "Who is planning a pilot, and what would it have to show for other municipalities to follow?",
    ),
    "brief_q_pilots": (
        "Welche Ergebnisse liefern die laufenden Piloten, und wann wird über den Regelbetrieb "
        "entschieden?",
        "What do the running pilots show, and when will regular operation be decided?",
    ),
    "brief_q_one_source": (
        "Die Berichte stammen überwiegend aus einer Quelle: Gibt es unabhängige Erfahrungsberichte?",
        "The reports come mostly from one source: are there independent accounts?",
    ),
    "brief_q_few": (
        "Bisher sind nur wenige Kommunen genannt: Wer arbeitet noch an dem Thema?",
        "Only a few municipalities are named so far: who else works on this?",
    ),
    "brief_q_standards": (
        "Welche Standards, Schnittstellen (z. B. FIT-Connect, XÖV) und Betriebsmodelle braucht die "
        "Übertragung?",
        "Which standards, interfaces (e.g. FIT-Connect, XÖV) and operating models does a transfer "
        "need?",
    ),
    "brief_q_cost": (
        "Was kostet Einführung und Betrieb für eine kleine Kommune, und wer kann sie begleiten?",
        "What do introduction and operation cost a small municipality, and who can support it?",
    ),
    "brief_sources": ("Quellen", "Sources"),
    # the browser app (trends serve)
    "serve_emerging": ("Was kommt auf?", "What is emerging?"),
    "serve_search": ("Suche", "Search"),
    "serve_who": ("Wer hat was gemacht?", "Who did what?"),
    "serve_reports": ("Berichte", "Reports"),
    "serve_other_lang": ("English", "Deutsch"),
    "serve_emerging_lead": (
        "Neue, aufkommende und wachsende Themen im Modell des Quartals {quarter} ({first}–{last}).",
        "New, emerging and growing topics in the model of {quarter} ({first}–{last}).",
    ),
    "serve_all_classes": ("auch stabile und rückläufige", "stable and declining too"),
    "serve_region": ("Kommune oder Kreis", "Municipality or district"),
    "serve_any": ("alle", "any"),
    "serve_last_days": ("letzte {n} Tage", "last {n} days"),
    "serve_since_quarter": ("seit {quarter}", "since {quarter}"),
    "serve_show": ("Anzeigen", "Show"),
    "serve_nothing_emerging": (
        "Keine Themen für diese Auswahl (mehr zeigen: „auch stabile und rückläufige“ oder einen "
        "längeren Zeitraum wählen).",
        "No topics for this selection (show more: tick “stable and declining too” or pick a "
        "longer period).",
    ),
    "serve_growth": ("Wachstum", "Growth"),
    "serve_course": ("Verlauf", "Trajectory"),
    "serve_query": ("Suchbegriffe", "Search words"),
    "serve_all_sources": ("alle Quellen", "all sources"),
    "serve_results": ("Treffer {first}–{last}", "Results {first}–{last}"),
    "serve_no_hits": ("Keine Artikel zu {lq}{query}{rq}.", "No articles match {lq}{query}{rq}."),
    "serve_previous": ("← zurück", "← previous"),
    "serve_next": ("weiter →", "next →"),
    "serve_who_lead": (
        "Welche Kommunen und Kreise haben zu einem Thema schon etwas gemacht, wie weit sind sie "
        "gekommen, und wann wurde zuletzt berichtet?",
        "Which municipalities and districts have done something on a topic, how far did they "
        "get, and when was it last reported?",
    ),
    "serve_topic_or_query": ("Thema oder Suchbegriffe", "Topic or search words"),
    "serve_search_hits_of": (
        "Suchtreffer zu {lq}{query}{rq}",
        "Search results for {lq}{query}{rq}",
    ),
    "serve_place": ("Kommune / Kreis", "Municipality / district"),
    "serve_first": ("erste Meldung", "first report"),
    "serve_latest": ("letzte Meldung", "latest report"),
    "serve_map": ("Karte", "Map"),
    "serve_not_drawn": (
        "Nicht auf der Karte (außerhalb NRW oder ohne Ortsschlüssel): {names}",
        "Not on the map (outside NRW or without a place key): {names}",
    ),
    "serve_no_map": (
        "Die Karte fehlt in dieser Installation (Paket trends.geo nicht vorhanden).",
        "The map is not available in this installation (package trends.geo missing).",
    ),
    "serve_all_articles": (
        "Alle Artikel ({n}), neueste zuerst",
        "All articles ({n}), newest first",
    ),
    "serve_archived": ("Archivkopie", "archived copy"),
    "serve_date": ("Datum", "Date"),
    "serve_kind_municipality": ("Kommune", "Municipality"),
    "serve_kind_district": ("Kreis", "District"),
    "serve_title": ("Titel", "Title"),
    "serve_in_report": ("Dieses Thema im Quartalsbericht", "This topic in the quarterly report"),
    "serve_brief_print": ("Workshop-Brief (druckbar)", "Workshop brief (printable)"),
    "serve_brief_md": ("Brief als Markdown", "Brief as Markdown"),
    "serve_growth_prev": ("zum Vorquartal", "vs previous quarter"),
    "serve_growth_yoy": ("zum Vorjahresquartal", "vs a year before"),
    "serve_independent": ("unabhängige Quellen", "independent sources"),
    "serve_topics_of": ("Themen, an denen {name} gearbeitet hat", "Topics {name} has worked on"),
    "serve_no_topics_of": (
        "Im Modell nennt kein Artikel {name}.",
        "No article of the model names {name}.",
    ),
    "serve_reports_lead": (
        "Die geschriebenen Quartalsberichte aus reports/.",
        "The written quarterly reports from reports/.",
    ),
    "serve_no_reports": (
        "Noch keine Berichte: `trends report` schreibt sie nach reports/.",
        "No reports yet: `trends report` writes them to reports/.",
    ),
    "serve_not_found": ("Nicht gefunden", "Not found"),
    "serve_error": ("Das geht nicht", "That did not work"),
    "serve_too_long": (
        "Die Anfrage ist zu lang (höchstens {n} Zeichen je Feld).",
        "The request is too long (at most {n} characters a field).",
    ),
    # sections
    "summary": ("Zusammenfassung", "Executive summary"),
    "radar": ("Trendradar", "Trend radar"),
    "topics": ("Themen im Einzelnen", "Topics in detail"),
    "comparison": ("Vergleich mit dem Vorquartal", "Comparison with the previous quarter"),
    "appendix": ("Methodik und Daten", "Methodology and data"),
    # summary
    "summary_intro": (
        "Ausgewertet für {quarter}: {articles} aus {sources} ({window_articles} Artikel in "
        "{n_quarters} Quartalen seit {first_quarter}). Das Modell unterscheidet {topics} Themen: "
        "{classes}.",
        "Analysed for {quarter}: {articles} from {sources} ({window_articles} articles in "
        "{n_quarters} quarters since {first_quarter}). The model distinguishes {topics} topics: "
        "{classes}.",
    ),
    "summary_top": (
        "Die wichtigsten neuen, aufkommenden und wachsenden Themen:",
        "The main new, emerging and growing topics:",
    ),
    "summary_none": (
        "In diesem Quartal ist kein Thema als neu, aufkommend oder wachsend eingestuft; die größten "
        "Themen sind:",
        "No topic is classified as new, emerging or growing this quarter; the largest topics are:",
    ),
    "s1_new": (
        "Neu in {quarter}: {count} Artikel ({share} der ausgewerteten Artikel des Quartals), in "
        "keinem Quartal davor mindestens {min_articles}.",
        "New in {quarter}: {count} articles ({share} of the analysed articles of the quarter), "
        "fewer than {min_articles} in every quarter before.",
    ),
    "s1_emerging": (
        "Aufkommend: erstmals {first_seen} erfasst, in {quarter} {count} Artikel ({prev_count} im "
        "Quartal davor); der Anteil ging von {prev_share} auf {share}.",
        "Emerging: first seen in {first_seen}, {count} articles in {quarter} ({prev_count} the "
        "quarter before); its share went from {prev_share} to {share}.",
    ),
    "s1_emerging_same_share": (
        "Aufkommend: erstmals {first_seen} erfasst, in {quarter} {count} Artikel ({prev_count} im "
        "Quartal davor), bei gleichem Anteil von {share}.",
        "Emerging: first seen in {first_seen}, {count} articles in {quarter} ({prev_count} the "
        "quarter before), its share unchanged at {share}.",
    ),
    "s1_growing": (
        "Wachsend: {count} Artikel in {quarter} ({share} der ausgewerteten Artikel); der Anteil "
        "stieg über {n_quarters} Quartale um {slope} seines Mittelwerts pro Quartal{yoy}.",
        "Growing: {count} articles in {quarter} ({share} of the analysed articles); over "
        "{n_quarters} quarters its share rose by {slope} of its mean per quarter{yoy}.",
    ),
    "s1_other": (
        "{trend_class}: {count} Artikel in {quarter} ({share} der ausgewerteten Artikel).",
        "{trend_class}: {count} articles in {quarter} ({share} of the analysed articles).",
    ),
    "s1_yoy": (
        ", gegenüber dem Vorjahresquartal {growth}",
        ", {growth} on the same quarter a year earlier",
    ),
    "s2": (
        "Berichtet haben {sources} Quellen ({independent} unabhängige); {municipalities}.",
        "{sources} sources reported on it ({independent} independent); {municipalities}.",
    ),
    "s2_one_source": (
        "Berichtet hat 1 Quelle ({independent} unabhängige); {municipalities}.",
        "1 source reported on it ({independent} independent); {municipalities}.",
    ),
    "s2_munis": (
        "genannt werden {n} Kommunen, darunter {names}",
        "{n} municipalities are named, among them {names}",
    ),
    "s2_one_muni": ("genannt wird {names}", "{names} is named"),
    "s2_no_munis": ("Kommunen werden nicht namentlich genannt", "no municipality is named"),
    "s3_stage": (
        "Reifegrad {stage} (Ring {ring}, Konfidenz {confidence}{trl}){transfer}.",
        "Maturity {stage} (ring {ring}, confidence {confidence}{trl}){transfer}.",
    ),
    "s3_none": (
        "Für einen Reifegrad gibt es noch keine belastbaren Belege (Ring {ring}){transfer}.",
        "There is no solid evidence of a maturity stage yet (ring {ring}){transfer}.",
    ),
    "s3_transfer": ("; Übertragbarkeit {level} ({score})", "; transferability {level} ({score})"),
    "s3_pinned": (", Ring vom Analyseteam gesetzt", ", ring set by the analysts"),
    "introduction": ("Vorbemerkung", "Preface"),
    # radar
    "radar_intro": (
        "Sektoren sind die Handlungsfelder, Ringe der Reifegrad: innen etabliert, außen zu "
        "beobachten. Jeder Punkt ist ein Thema; die Nummer führt zum Abschnitt.",
        "Sectors are fields of action, rings are maturity: established at the centre, to observe at "
        "the edge. Each blip is a topic; its number leads to its section.",
    ),
    "legend": ("Legende", "Legend"),
    "legend_blip": ("Thema (unverändert)", "topic (unchanged)"),
    "new": ("neu", "new"),
    "moved_in": ("in reiferen Ring gewechselt", "moved to a more mature ring"),
    "moved_out": ("in früheren Ring gewechselt", "moved to an earlier ring"),
    "moved": ("Ring gewechselt", "moved ring"),
    "radar_empty": ("Keine Themen in diesem Sektor.", "No topics in this sector."),
    "ring": ("Ring", "Ring"),
    "field": ("Handlungsfeld", "Field of action"),
    "other_field": ("Sonstiges", "Other"),
    # topic sections
    "keyphrases": ("Schlüsselbegriffe", "Key phrases"),
    "articles": ("Artikel", "Articles"),
    "share": ("Anteil", "Share"),
    "last_quarters": ("Artikel je Quartal", "Articles per quarter"),
    "trend_class": ("Trendklasse", "Trend class"),
    "decided_on": ("entschieden auf Basis von {quarter}", "decided on {quarter}"),
    "maturity": ("Reifegrad", "Maturity"),
    "confidence": ("Konfidenz", "confidence"),
    "trl": ("TRL", "TRL"),
    "ring_pinned": (
        "Ring vom Analyseteam gesetzt (Modell: {ring})",
        "ring set by the analysts (model: {ring})",
    ),
    "evidence": ("Belege", "Evidence"),
    "evidence_from": ("Belege aus {quarter}", "evidence from {quarter}"),
    "no_evidence": (
        "Keine Belegsätze für einen Reifegrad.",
        "No evidence sentences for a maturity stage.",
    ),
    "no_backing_sentence": (
        "Kein Satz der Artikel belegt diesen Reifegrad für das Thema selbst: die Sätze mit "
        "Reifegrad-Hinweisen sprechen von anderem oder beschreiben keine digitale Lösung.",
        "No sentence backs this stage for the topic itself: the sentences that state a stage "
        "speak of something else or describe no digital solution.",
    ),
    "transfer": ("Übertragbarkeit", "Transferability"),
    "transfer_none": (
        "Keine Hinweise auf Nachnutzung oder Übertragung.",
        "No signs of reuse or transfer.",
    ),
    "transfer_low": ("gering", "low"),
    "transfer_medium": ("mittel", "medium"),
    "transfer_high": ("hoch", "high"),
    "municipalities": ("Kommunen", "Municipalities"),
    "munis_quarter": ("in {quarter}", "in {quarter}"),
    "munis_window": ("im Analysezeitraum", "in the analysis window"),
    "none_named": ("keine genannt", "none named"),
    "and_more": ("und {n} weitere", "and {n} more"),
    "sources_involved": ("Quellen", "Sources"),
    "change": ("Veränderung zum Vorquartal", "Change since the previous quarter"),
    "change_new": ("Neu seit {quarter}.", "New since {quarter}."),
    "change_no_previous": (
        "Kein Modell eines früheren Quartals vorhanden.",
        "No model of an earlier quarter available.",
    ),
    "before": ("vorher", "before"),
    "now": ("jetzt", "now"),
    "commentary": ("Einschätzung des Analyseteams", "Analysts' commentary"),
    "commentary_hint": (
        "Noch keine Einschätzung: in curation.yaml unter {id} → commentary ergänzen.",
        "No commentary yet: add it in curation.yaml under {id} → commentary.",
    ),
    "merged_from": ("Zusammengeführt aus", "Merged from"),
    "model_label": ("Modellbezeichnung", "Model label"),
    "back_to_radar": ("zum Radar", "back to radar"),
    "topic_id": ("Themen-ID", "Topic id"),
    # comparison
    "no_previous": (
        "Es gibt kein Modell eines früheren Quartals; der Vergleich entfällt.",
        "There is no model of an earlier quarter; no comparison.",
    ),
    "compared_with": (
        "Verglichen wird mit dem Modell von {quarter}.",
        "Compared with the model of {quarter}.",
    ),
    "new_topics": ("Neue Themen", "New topics"),
    "moved_topics": ("Themen mit Ringwechsel", "Topics that moved ring"),
    "dropped_topics": ("Weggefallene Themen", "Dropped topics"),
    "renamed_topics": ("Neu benannte Themen", "Topics named anew"),
    "renamed_note": (
        "Ihr bisheriger Name beschreibt ihre Artikel nicht mehr; sie heißen jetzt, wie ihre "
        "Artikel sie nennen.",
        "Their former name no longer describes their articles; they are now called what their "
        "articles call them.",
    ),
    "previous_name": ("Bisheriger Name", "Former name"),
    "unchanged_topics": (
        "{n} Themen unverändert im selben Ring.",
        "{n} topics unchanged in the same ring.",
    ),
    "none": ("keine", "none"),
    "topic": ("Thema", "Topic"),
    "previous_ring": ("Ring vorher", "Previous ring"),
    "last_ring": ("Letzter Ring", "Last ring"),
    "reason": ("Grund", "Reason"),
    "dropped_dormant": (
        "im aktuellen Modell nicht mehr gefunden (ruhend)",
        "no longer found in the current model (dormant)",
    ),
    "dropped_merged": ("zusammengeführt mit {target}", "merged into {target}"),
    "dropped_hidden": ("vom Analyseteam ausgeblendet", "hidden by the analysts"),
    "dropped_gone": ("nicht mehr im Modell", "no longer in the model"),
    # appendix
    "app_sources": ("Quellen und Artikelzahlen", "Sources and article counts"),
    "app_articles_chart": ("Ausgewertete Artikel je Quartal", "Analysed articles per quarter"),
    "partial_star": ("* Quartal läuft noch", "* quarter still running"),
    "source": ("Quelle", "Source"),
    "type": ("Typ", "Type"),
    "region": ("Region", "Region"),
    "in_quarter": ("im Quartal", "in quarter"),
    "in_window": ("im Zeitraum", "in window"),
    "stored": ("gespeichert", "stored"),
    "total": ("Summe", "Total"),
    "no_corpus": (
        "Kein Korpus im Arbeitsbereich gefunden; Quellen werden nur mit ihrer Kennung genannt.",
        "No corpus found in the workspace; sources are shown by their id only.",
    ),
    "app_failures": ("Fehlgeschlagene Abrufe", "Failed fetches"),
    "failures_run": (
        "Letzter Sammellauf (Nr. {run}, begonnen {started}): {n} Fehler.",
        "Last collection run (no. {run}, started {started}): {n} failures.",
    ),
    "failures_all": ("Alle erfassten Fehler: {n}.", "All recorded failures: {n}."),
    "set_aside": (
        "Relevanz: {n} von {total} Artikeln des Zeitfensters wurden als nicht themenrelevant "
        "beiseitegelegt (Relevanzwert unter {threshold}, Quellfilter oder curation.yaml; sie "
        "bleiben gespeichert und durchsuchbar, zählen aber in keinem Thema und keinem Anteil), "
        "{not_judged} nicht bewertet (nur Titel oder andere Sprache).{joined} Beiseitegelegt je "
        "Quelle:",
        "Relevance: {n} of the window's {total} articles were set aside as off-topic (relevance "
        "score under {threshold}, a source filter or curation.yaml; they stay stored and "
        "searchable but count in no topic and no share), {not_judged} not judged (a title only "
        "or another language).{joined} Set aside per source:",
    ),
    "set_aside_joined": (
        " {n} davon ergänzten ein neues Thema aus behaltenen Artikeln und zählen darin.",
        " {n} of them completed a new subject with kept articles and count in it.",
    ),
    "source_forms": (
        "Kein Thema: was alle Artikel einer Quelle teilen (etwa Tagesordnungspunkt, Vorlage und "
        "Beschluss in Sitzungsniederschriften), ergab ein Thema ohne eigenen Gegenstand; seine "
        "Artikel zählen in den Themen, die sie sonst am besten erklären:",
        "Not a topic: what every article of one source shares (such as agenda item, "
        "submission and decision in council minutes) made a topic with no subject of its own; "
        "its articles count in the topics that explain them best otherwise:",
    ),
    "failures_none": ("Keine Fehler erfasst.", "No failures recorded."),
    "stage": ("Stufe", "Stage"),
    "kind": ("Art", "Kind"),
    "count": ("Anzahl", "Count"),
    "app_manifest": ("Modell-Manifest", "Model manifest"),
    "key": ("Schlüssel", "Key"),
    "value": ("Wert", "Value"),
    "app_rules": (
        "Wie Trendklassen und Reifegrade entschieden werden",
        "How trend classes and maturity stages are decided",
    ),
    "app_curation": (
        "Redaktionelle Eingriffe (curation.yaml)",
        "Editorial changes (curation.yaml)",
    ),
    "curation_none": ("Keine.", "None."),
    "curation_renamed": ("{id} umbenannt in „{label}“", "{id} renamed to “{label}”"),
    "curation_merged": ("{id} zusammengeführt mit {target}", "{id} merged into {target}"),
    "curation_hidden": ("{id} ausgeblendet", "{id} hidden"),
    "curation_ring": ("{id}: Ring auf {ring} gesetzt", "{id}: ring set to {ring}"),
    "curation_commentary": ("Themen mit Einschätzung: {n}", "Topics with commentary: {n}"),
    "curation_warnings": ("Hinweise", "Warnings"),
    "warn_unknown_topic": (
        "{id}: kein Thema dieses Namens im Modell von {quarter} (ignoriert)",
        "{id}: no such topic in the model of {quarter} (ignored)",
    ),
    "warn_unknown_target": (
        "{id}: merge_into {target} ist kein aktives Thema (ignoriert)",
        "{id}: merge_into {target} is not an active topic (ignored)",
    ),
    "warn_merge_cycle": (
        "{id}: Zusammenführung im Kreis (ignoriert)",
        "{id}: merge cycle (ignored)",
    ),
    "warn_unknown_ring": (
        "{id}: Ring „{ring}“ unbekannt (erlaubt: {rings}; ignoriert)",
        "{id}: unknown ring “{ring}” (allowed: {rings}; ignored)",
    ),
    "warn_bad_entry": (
        "{id}: Eintrag ist keine Zuordnung (ignoriert)",
        "{id}: entry is not a mapping (ignored)",
    ),
    "files": ("Dateien zu diesem Bericht", "Files of this report"),
    "files_text": (
        "Neben diesem Bericht liegen metrics.json (alle Zahlen), topics.csv (Themen) und "
        "radar.csv (Radar im Format von Thoughtworks' Build-your-own-Radar).",
        "Next to this report: metrics.json (all figures), topics.csv (topics) and radar.csv (the "
        "radar in Thoughtworks' Build-your-own-Radar format).",
    ),
    "top": ("nach oben", "top"),
    "quote_open": ("„", "“"),
    "quote_close": ("“", "”"),
    "number": ("Nr.", "No."),
    "marks": ("Veränderung", "Change"),
    "summary_more": ("Mehr im Abschnitt", "More in section"),
    "cite_sep": ("—", "—"),
    # archived evidence (reports/<quarter>/archive/<article>.html) and citing the report
    "archived": ("Archivkopie", "archived copy"),
    "archive_title": ("Archivierte Kopie", "Archived copy"),
    "archive_original": ("Original", "Original"),
    "archive_published": ("Veröffentlicht", "Published"),
    "archive_collected": ("Erfasst am", "Collected on"),
    "archive_quoted": ("Im Bericht zitiert", "Quoted in the report"),
    "archive_text": ("Gespeicherter Text", "Stored text"),
    "archive_note": (
        "Kopie des Textes, wie ihn das Werkzeug gespeichert hat; markiert sind die im Bericht "
        "zitierten Sätze.",
        "Copy of the text as the tool stored it; the sentences the report quotes are marked.",
    ),
    "archive_no_text": (
        "Der Artikel liegt nicht im Korpus; erhalten ist nur das Zitat.",
        "The article is not in the corpus; only the quote is kept.",
    ),
    "archive_back": ("zum Bericht", "to the report"),
    "cite_report_title": ("Diesen Bericht zitieren", "How to cite this report"),
    "cite_report": (
        "{author}{title}. {subtitle}, {quarter}. Stand: {date}.",
        "{author}{title}. {subtitle}, {quarter}. As of {date}.",
    ),
    "cite_report_note": (
        "Die zitierten Artikel liegen als Archivkopien im Ordner archive/ neben dem Bericht; für "
        "Literaturverwaltungen (Zotero, Citavi, JabRef) listet sie dieser Befehl:",
        "The quoted articles are archived in the folder archive/ next to the report; this command "
        "lists them for reference managers (Zotero, Citavi, JabRef):",
    ),
    "rings_order": ("Ringe von innen nach außen", "rings from the centre outwards"),
    "na": ("–", "–"),
    # source health (trends.health) in the report's appendix and in changes.md
    "app_health": ("Ausgefallene und verstummte Quellen", "Dead and silent sources"),
    "health_never": ("nie", "never"),
    "health_dead": ("ausgefallen", "dead"),
    "health_silent": ("verstummt", "silent"),
    "health_dead_why": (
        "in den letzten {n} Läufen fehlgeschlagen",
        "failed in its last {n} runs",
    ),
    "health_silent_why": (
        "seit {days} Tagen nichts Neues (sonst höchstens {usual} Tage Pause)",
        "nothing new for {days} days (its usual interval: at most {usual} days)",
    ),
    "health_state": ("Zustand", "State"),
    "health_why": ("Grund", "Why"),
    "health_last_success": ("letzter Erfolg", "Last success"),
    "health_last_error": ("letzter Fehler", "Last error"),
    # changes.md, written by `trends run` after each run
    "chg_title": ("Was ist neu – {quarter}", "What changed – {quarter}"),
    "chg_run": ("Lauf vom {started} UTC,", "Run of {started} UTC,"),
    "chg_since": (
        "verglichen mit dem Lauf vom {since} UTC.",
        "compared with the run of {since} UTC.",
    ),
    "chg_first": ("der erste aufgezeichnete Lauf.", "the first recorded run."),
    "chg_articles": ("Neue Artikel ({n})", "New articles ({n})"),
    "chg_undated": ("ohne Datum", "undated"),
    "chg_more": ("und {n} weitere", "and {n} more"),
    "chg_offtopic": (
        "{n} weitere neue Artikel wurden als nicht themenrelevant beiseitegelegt (Relevanzurteil "
        "oder Filter ihrer Quelle; sie bleiben durchsuchbar).",
        "{n} more new articles were set aside as off-topic (the relevance judgement or their "
        "source's filter; they stay searchable).",
    ),
    "chg_nothing_new": ("Nichts Neues von", "Nothing new from"),
    "chg_failed": ("Fehlgeschlagen in diesem Lauf", "Failed in this run"),
    "chg_topics": ("Themen", "Topics"),
    "chg_not_analysed": (
        "Dieser Lauf hat nicht analysiert (`--no-report`, oder die Analyse schlug fehl).",
        "This run did not analyse (`--no-report`, or the analysis failed).",
    ),
    "chg_no_previous": (
        "{n} Themen; noch kein früheres Modell eines Laufs zum Vergleich.",
        "{n} topics; no earlier model of a run to compare with yet.",
    ),
    "chg_quarters": (
        "Modell {after} verglichen mit dem Modell {before}.",
        "Model {after} compared with model {before}.",
    ),
    "chg_new_topic": ("neues Thema", "new topic"),
    "chg_stage": ("Reifegrad", "maturity"),
    "chg_no_topic_changes": (
        "Kein Thema ist neu, keines hat Trendklasse oder Reifegrad gewechselt.",
        "No topic is new, none changed trend class or maturity.",
    ),
}

TREND_CLASSES = {
    "new": ("neu", "new"),
    "emerging": ("aufkommend", "emerging"),
    "growing": ("wachsend", "growing"),
    "stable": ("stabil", "stable"),
    "declining": ("rückläufig", "declining"),
}

STAGES = {
    "konzept": ("Konzept", "Concept"),
    "pilot": ("Pilot", "Pilot"),
    "rollout": ("Rollout", "Rollout"),
    "standard": ("Standard", "Standard"),
    "none": ("ohne Belege", "no evidence"),
}

# English names for the taxonomy's default German ring and field names (custom names stay as written)
RING_EN = {
    "Beobachten": "Observe",
    "Erproben": "Trial",
    "Übertragen": "Transfer",
    "Etabliert": "Established",
}
FIELD_EN = {
    "Verwaltung & OZG": "Administration & OZG",
    "Mobilität": "Mobility",
    "Energie": "Energy",
    "Klima & Umwelt": "Climate & Environment",
    "Energie, Klima & Umwelt": "Energy, Climate & Environment",
    "Gesundheit & Pflege": "Health & Care",
    "Bildung": "Education",
    "Sicherheit": "Safety & Security",
    "Wirtschaft & Handel": "Economy & Retail",
    "Infrastruktur & Daten": "Infrastructure & Data",
    "Beteiligung": "Participation",
}
SOURCE_TYPES = {
    "press": ("Presse", "press"),
    "ministry": ("Ministerium", "ministry"),
    "municipality": ("Kommune", "municipality"),
    "district": ("Kreis", "district"),
    "it-provider": ("IT-Dienstleister", "IT provider"),
    "vendor": ("Anbieter", "vendor"),
    "research": ("Forschung", "research"),
    "association": ("Verband", "association"),
    "podcast": ("Podcast", "podcast"),
}
MONTHS_DE = (
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# How classes and stages are decided, for the appendix (the rules of trends/trend.py and
# trends/maturity.py in plain words; thresholds are filled in from the model manifest).
RULES: dict[str, tuple[list[str], list[str]]] = {
    "trend": (
        [
            "Gezählt wird je Thema und Quartal die Zahl der Artikel und ihr Anteil an allen "
            "ausgewerteten Artikeln des Quartals (mehr Quellen täuschen so kein Wachstum vor). "
            "Ein laufendes Quartal wird gezeigt, aber nie wie ein abgeschlossenes verglichen. "
            "Quartale, in denen der Korpus noch keine Artikel hat, zählen nicht mit; mit nur "
            "einem abgeschlossenen Quartal wird nicht eingestuft.",
            "Die Trendklasse ist die erste zutreffende Regel: **neu** – erstmals im "
            "Entscheidungsquartal erfasst, mit dort mindestens so vielen Artikeln wie in allen "
            "Quartalen davor (erfasst heißt: die Artikel kommen zusammen auf mindestens "
            "{min_articles}; ein einzelner Artikel in einem Quartal zählt nur, wenn das Thema "
            "mindestens drei Quartale in Folge Artikel hat, sonst ist er ein Streuartikel); "
            "**aufkommend** – erstmals vor "
            "höchstens {emerging_quarters} Quartalen erfasst (nicht schon im ersten Quartal des "
            "Korpus), mindestens {min_articles} Artikel und mindestens so viele wie im Quartal "
            "davor oder ein steigender Anteil; **wachsend** – die robuste Theil-Sen-Steigung des Anteils "
            "über den Analysezeitraum beträgt mindestens {growth_slope} seines Mittelwerts pro "
            "Quartal; **rückläufig** – höchstens −{growth_slope}; sonst **stabil**.",
            "Zusätzlich berechnet werden Wachstum zum Vorquartal und zum Vorjahresquartal, ein "
            "Burst-Wert (Kleinberg-Automat über Monate), die Zahl der (unabhängigen) Quellen und "
            "der genannten Kommunen und Regionen (Diffusion).",
        ],
        [
            "Per topic and quarter we count articles and their share of all analysed articles of "
            "the quarter (so more sources do not fake growth). A running quarter is shown but "
            "never compared as if complete. Quarters in which the corpus has no articles yet "
            "do not count; with only one complete quarter nothing is classified.",
            "The trend class is the first rule that matches: **new** – first seen in the "
            "decision quarter, with at least as many articles there as in all quarters before "
            "(seen means that its articles add up to at least {min_articles}; a quarter's single "
            "article counts only when the topic has articles in at least three quarters in a "
            "row, otherwise it is a stray); **emerging** – first seen at most "
            "{emerging_quarters} quarters ago (not already in the corpus's first quarter), at "
            "least {min_articles} articles and at least as many as the quarter before or a "
            "rising share; **growing** – the robust Theil-Sen slope of the share over the window is at "
            "least {growth_slope} of its mean per quarter; **declining** – at most "
            "−{growth_slope}; otherwise **stable**.",
            "Also computed: growth on the previous quarter and on the same quarter a year "
            "earlier, a burst score (Kleinberg's automaton over months), the number of "
            "(independent) sources and of municipalities and regions named (diffusion).",
        ],
    ),
    "maturity": (
        [
            "Sätze der Artikel werden nach Signalwörtern aus taxonomy.yaml durchsucht und den "
            "Stufen **Konzept → Pilot → Rollout → Standard** zugeordnet. Planungen und Zukunft "
            "(„soll 2027 eingeführt werden“, „plant ein Pilotprojekt“) zählen als Konzept, "
            "Verneinungen heben ein Signal auf oder setzen es eine Stufe zurück („noch nicht "
            "flächendeckend“ = Pilot).",
            "Je Thema und Quartal gilt die weiteste Stufe, die die Artikel dieses und des "
            "vorigen Quartals belegen (bei weniger als drei Artikeln auch des Quartals davor: "
            "eine erreichte Stufe verfällt nicht, wenn ein Quartal nur von erprobenden Orten "
            "berichtet): Jeder Artikel zählt für seine Stufe und alle früheren (ein Rollout hat "
            "die Pilotphase hinter sich); Rollout und Standard brauchen zwei Artikel, Standard "
            "aus zwei Quellen, und eine Stufe, die nur ein Artikel meldet, während ein anderer "
            "nur eine frühere meldet, ebenfalls zwei. Frühere Quartale sind mit dem heutigen "
            "Wissen gelesen: Ein späterer Artikel kann eine Stufe bestätigen, die die Artikel "
            "des Quartals melden, aber keine hinzufügen. So zeigt die Stufe, wie weit die Lösung "
            "irgendwo gekommen ist, nicht, wovon die meisten Meldungen handeln.",
            "Konfidenz = n/(n+2) · (0,5 + 0,5 · Vorsprung), n = Zahl der stützenden Artikel: ein "
            "einzelner Artikel erreicht höchstens 0,33. TRL: Konzept {trl_konzept}, Pilot "
            "{trl_pilot}, Rollout {trl_rollout}, Standard {trl_standard}. Belege sind die stärksten Sätze der gewählten Stufe aus möglichst "
            "verschiedenen Quellen.",
            "Übertragbarkeit: Hinweise auf Nachnutzung, Einer-für-Alle (EfA), Open Source, "
            "interkommunale Zusammenarbeit oder mehrere Kommunen mit derselben Lösung; Wert = "
            "1 − 0,6^Einheiten (ein Artikel 0,4, zwei 0,64, drei 0,78).",
            "Ring im Radar: Konzept → {r_konzept}, Pilot → {r_pilot}, Rollout → {r_rollout}, "
            "Standard → {r_standard}; ohne Belege: {r_konzept}. Das Analyseteam kann den Ring in "
            "curation.yaml festlegen.",
        ],
        [
            "Article sentences are scanned for cue words from taxonomy.yaml and mapped to the "
            "stages **Concept → Pilot → Rollout → Standard**. Plans and future tense (“is to be "
            "introduced in 2027”, “plans a pilot”) count as Concept; negation cancels a cue or "
            "moves it one stage back (“not yet across the board” = Pilot).",
            "Per topic and quarter the stage is the furthest one the articles of that quarter "
            "and the one before corroborate (with fewer than three articles, also the quarter "
            "before that: a stage reached does not lapse when a quarter's news is only about "
            "places that trial it): each article counts for its own stage and every earlier one "
            "(a rollout has been through a pilot); Rollout and Standard need two articles, "
            "Standard from two sources, and so does a stage that one article alone reports while "
            "another reports only an earlier one. Past quarters are read with what is known "
            "now: a later article can corroborate a stage the quarter's articles report, never "
            "add one. The stage says how far the solution got somewhere, not what most of the "
            "news is about.",
            "Confidence = n/(n+2) · (0.5 + 0.5 · margin), n = supporting articles: one article "
            "alone never exceeds 0.33. TRL: Concept {trl_konzept}, Pilot {trl_pilot}, Rollout "
            "{trl_rollout}, Standard {trl_standard}. "
            "Evidence is the strongest sentences of the chosen stage from as many different "
            "sources as possible.",
            "Transferability: signs of reuse, One-for-All (EfA), open source, inter-municipal "
            "cooperation or several municipalities with the same solution; score = 1 − 0.6^units "
            "(one article 0.4, two 0.64, three 0.78).",
            "Radar ring: Concept → {r_konzept}, Pilot → {r_pilot}, Rollout → {r_rollout}, "
            "Standard → {r_standard}; no evidence: {r_konzept}. The analysts can pin a ring in curation.yaml.",
        ],
    ),
}


def texts(lang: str) -> dict[str, str]:
    i = LANGS.index(lang)
    return {key: pair[i] for key, pair in TEXTS.items()}


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[LANGS.index(lang)]


def trend_class(name: str, lang: str) -> str:
    return pick(TREND_CLASSES.get(name, (name, name)), lang)


def stage(name: str, lang: str) -> str:
    return pick(STAGES.get(name, (name, name)), lang)


def source_type(name: str, lang: str) -> str:
    return pick(SOURCE_TYPES.get(name, (name, name)), lang)


def ring_name(name: str, lang: str) -> str:
    return RING_EN.get(name, name) if lang == "en" else name


OTHER_FIELD = TEXTS["other_field"][0]  # where a topic in no field of action is filed


def field_name(name: str, lang: str, name_en: str | None = None) -> str:
    """A field of action in `lang`; a topic in none is "Sonstiges" ("Other"), as the radar's
    own sector for such topics is called."""
    if not name or name == OTHER_FIELD:
        return pick(TEXTS["other_field"], lang)
    if lang == "en":
        return name_en or FIELD_EN.get(name, name)
    return name


# -- numbers and dates -------------------------------------------------------------------------------
NOUNS = {  # singular, plural per language
    "article": (("Artikel", "Artikel"), ("article", "articles")),
    "source": (("Quelle", "Quellen"), ("source", "sources")),
}


def counted(n: int, noun: str, lang: str) -> str:
    """ "1 Quelle", "14 Quellen", "1 article": a count with its noun in the right number."""
    singular, plural = NOUNS[noun][lang != "de"]
    return f"{fmt_int(n, lang)} {singular if n == 1 else plural}"


def fmt_int(n: int | float | None, lang: str) -> str:
    if n is None:
        return "–"
    s = f"{int(round(n)):,}"
    return s.replace(",", ".") if lang == "de" else s


def fmt_dec(x: float | None, lang: str, digits: int = 2) -> str:
    if x is None:
        return "–"
    s = f"{x:.{digits}f}"
    return s.replace(".", ",") if lang == "de" else s


def fmt_pct(x: float | None, lang: str, digits: int = 1, signed: bool = False) -> str:
    """0.032 -> '3,2 %' (de) / '3.2%' (en); signed: '+180 %'."""
    if x is None:
        return "–"
    value = x * 100
    s = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    if digits and s.endswith("." + "0" * digits) and abs(value) >= 10:
        s = s[: -(digits + 1)]
    s = s.replace("-", "−")
    if lang == "de":
        return s.replace(".", ",") + " %"
    return s + "%"


def fmt_date(day: dt.date | str | None, lang: str) -> str:
    if not day:
        return "–"
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day[:10])
        except ValueError:
            return day
    if lang == "de":
        return f"{day.day}. {MONTHS_DE[day.month - 1]} {day.year}"
    return f"{MONTHS_EN[day.month - 1]} {day.day}, {day.year}"


def fmt_period(start: dt.date, end: dt.date, lang: str) -> str:
    if lang == "de":
        return f"{start.day}. {MONTHS_DE[start.month - 1]} – {end.day}. {MONTHS_DE[end.month - 1]} {end.year}"
    return f"{MONTHS_EN[start.month - 1]} {start.day} – {MONTHS_EN[end.month - 1]} {end.day}, {end.year}"


def join_words(items: list[str], lang: str) -> str:
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    word = " und " if lang == "de" else " and "
    return ", ".join(items[:-1]) + word + items[-1]


def fmt(key: str, lang: str, **values: object) -> str:
    return TEXTS[key][LANGS.index(lang)].format(**values)
