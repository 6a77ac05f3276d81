"""Every string the dashboards show, in Swedish (the default) and English, and their number format.

DESIGN.md decision 9: Swedish first, English one click away. Pages ask `t(key, lang)` and
the formatters below; metric names and definitions come from the catalogue. Swedish
numbers use a decimal comma and a (non-breaking) space between thousands.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from tidbok.codes import CHANNEL_LABEL_EN, CHANNEL_LABEL_SV

LANGUAGES = {"sv": "Svenska", "en": "English"}
DEFAULT_LANGUAGE = "sv"
# Statistics Sweden's mark for a figure withheld to protect individuals.
SUPPRESSED_MARK = ".."
NBSP = "\u00a0"  # keeps "4,6 %" and "12 345" on one line
MINUS = "\u2212"  # a real minus sign reads better than a hyphen in Swedish typography

_STRINGS: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- chrome
    "app.title": {"sv": "Tidbok – nyttouppföljning", "en": "Tidbok – benefits tracking"},
    "chrome.language": {"sv": "Språk / Language", "en": "Språk / Language"},
    "chrome.filters": {"sv": "Urval", "en": "Selection"},
    "chrome.region": {"sv": "Region", "en": "Region"},
    "chrome.all_regions": {"sv": "Hela landet", "en": "All of Sweden"},
    "chrome.period": {"sv": "Period", "en": "Period"},
    "chrome.care_service": {"sv": "Vårdtjänst", "en": "Care service"},
    "chrome.channel": {"sv": "Bokningskanal", "en": "Booking channel"},
    "chrome.all": {"sv": "Alla", "en": "All"},
    "chrome.share_hint": {
        "sv": "Urvalet finns i adressen: kopiera den för att dela vyn.",
        "en": "The selection is in the address: copy it to share this view.",
    },
    "nav.overview": {"sv": "Översikt", "en": "Overview"},
    "nav.topics": {"sv": "Områden", "en": "Topics"},
    "nav.reference": {"sv": "Kvalitet och definitioner", "en": "Quality and definitions"},
    "not_published": {
        "sv": "Ingen statistik har publicerats ännu. Siffrorna visas här så snart "
        "pipelinen har publicerat sin första version.",
        "en": "No statistics have been published yet. Figures appear here as soon as "
        "the pipeline has published its first version.",
    },
    "serving_unreadable": {
        "sv": "Den publicerade statistiken kunde inte läsas just nu. Försök igen om en stund.",
        "en": "The published statistics could not be read right now. Please try again shortly.",
    },
    "as_of": {
        "sv": "Data per {published} (version {version}).",
        "en": "Data as of {published} (version {version}).",
    },
    "freshness": {
        "sv": "Senaste månad med uppgifter på sidan: {latest}.",
        "en": "Latest month with figures on this page: {latest}.",
    },
    "freshness.none": {
        "sv": "Sidans mått har ännu inga publicerade uppgifter.",
        "en": "This page's metrics have no published figures yet.",
    },
    "disclosure_note": {
        "sv": "För att ingen ska kunna identifieras redovisas inte antal 1–9 ({mark}) och "
        "övriga antal är avrundade till närmaste 5. Andelar beräknas på de verkliga antalen.",
        "en": "So that no one can be identified, counts of 1–9 are withheld ({mark}) and "
        "other counts are rounded to the nearest 5. Rates use the true counts.",
    },
    "disclosure_note.scoped": {
        "sv": "Du ser {region} utan röjandeskydd (din behörighet). Övriga regioner visas "
        "skyddade: antal 1–9 redovisas inte ({mark}), övriga avrundas till närmaste 5.",
        "en": "You see {region} without disclosure control (your access). Other regions are "
        "protected: counts of 1–9 are withheld ({mark}), others rounded to the nearest 5.",
    },
    "disclosure_note.national": {
        "sv": "Du ser alla regioners uppgifter utan röjandeskydd (nationell behörighet).",
        "en": "You see every region's figures without disclosure control (national access).",
    },
    "no_data": {
        "sv": "Det finns inga uppgifter för det här urvalet.",
        "en": "There are no figures for this selection.",
    },
    "metric.not_published": {
        "sv": "”{name}” publiceras inte ännu. Måttet finns i katalogen och visas här så snart "
        "en publicerad version innehåller det.",
        "en": "“{name}” is not published yet. The metric is in the catalogue and appears here "
        "as soon as a published version holds it.",
    },
    "metric.broken": {
        "sv": "”{name}” kunde inte läsas ur den publicerade versionen. Felet är loggat; "
        "övriga mått visas som vanligt.",
        "en": "“{name}” could not be read from the published version. The error is logged; "
        "the other metrics are shown as usual.",
    },
    "section.not_published": {
        "sv": "{what} publiceras inte ännu. Uppgifterna visas här så snart en publicerad "
        "version innehåller dem.",
        "en": "{what} are not published yet. They appear here as soon as a published version "
        "holds them.",
    },
    "all_withheld": {
        "sv": "Alla uppgifter i urvalet avser så få personer att de inte redovisas ({mark}). "
        "Välj en större region, en längre period eller färre uppdelningar.",
        "en": "Every figure in this selection is about so few people that it is withheld "
        "({mark}). Choose a larger region, a longer period or fewer cuts.",
    },
    "filter.not_applicable": {
        "sv": "Urvalet {filters} gäller inte det här måttet; det visas för alla.",
        "en": "The selection {filters} does not apply to this metric; it is shown for all.",
    },
    "table": {"sv": "Tabell", "en": "Table"},
    "download.csv": {"sv": "Ladda ner CSV", "en": "Download CSV"},
    "download.excel": {"sv": "Ladda ner Excel", "en": "Download Excel"},
    "drill_down": {"sv": "Mer om måttet", "en": "More on this metric"},
    "tile.latest": {"sv": "{period}", "en": "{period}"},
    "tile.change_go_live": {
        "sv": "jämfört med månaderna före anslutning ({before})",
        "en": "against the months before go-live ({before})",
    },
    "tile.change_start": {
        "sv": "jämfört med periodens början ({before})",
        "en": "against the start of the period ({before})",
    },
    "tile.effect": {
        "sv": "Skattad effekt av anslutning: {estimate} ({level} KI {low} till {high}), "
        "{units} enheter{pretrend}.",
        "en": "Estimated go-live effect: {estimate} ({level} CI {low} to {high}), "
        "{units} units{pretrend}.",
    },
    "tile.pretrend_failed": {
        "sv": "; förtrendstestet klarades inte",
        "en": "; the pre-trend check failed",
    },
    "tile.no_value": {"sv": "Ingen uppgift", "en": "No figure"},
    "tile.not_published": {"sv": "Publiceras inte ännu", "en": "Not published yet"},
    "column.period": {"sv": "Period", "en": "Period"},
    "column.month": {"sv": "Månad", "en": "Month"},
    "column.region": {"sv": "Region", "en": "Region"},
    "column.region_code": {"sv": "Regionkod", "en": "Region code"},
    "column.numerator": {"sv": "Täljare", "en": "Numerator"},
    "column.denominator": {"sv": "Nämnare", "en": "Denominator"},
    "column.value": {"sv": "Värde", "en": "Value"},
    "column.suppressed": {"sv": "Undertryckt", "en": "Withheld"},
    "column.series": {"sv": "Serie", "en": "Series"},
    "column.unit_name": {"sv": "Vårdenhetens namn", "en": "Care unit name"},
    "region.national": {"sv": "Hela landet", "en": "All of Sweden"},
    "yes": {"sv": "ja", "en": "yes"},
    "no": {"sv": "nej", "en": "no"},
    # ---------------------------------------------------------------- auth
    "auth.public": {
        "sv": "Offentlig vy: skyddade siffror.",
        "en": "Public view: protected figures.",
    },
    "auth.signed_in": {"sv": "Inloggad: {name} ({scope})", "en": "Signed in: {name} ({scope})"},
    "auth.sign_in": {"sv": "Logga in", "en": "Sign in"},
    "auth.sign_out": {"sv": "Logga ut", "en": "Sign out"},
    "auth.username": {"sv": "Användarnamn", "en": "User name"},
    "auth.password": {"sv": "Lösenord", "en": "Password"},
    "auth.failed": {
        "sv": "Fel användarnamn eller lösenord.",
        "en": "Wrong user name or password.",
    },
    "auth.users_unreadable": {
        "sv": "Användarfilen kunde inte läsas; instrumentpanelen visar den offentliga vyn.",
        "en": "The users file could not be read; the dashboards show the public view.",
    },
    "scope.public": {"sv": "offentlig", "en": "public"},
    "scope.region": {"sv": "region {region}", "en": "region {region}"},
    "scope.national": {"sv": "nationell", "en": "national"},
    # ---------------------------------------------------------------- units
    "unit.share": {"sv": "andel", "en": "share"},
    "unit.count": {"sv": "antal", "en": "count"},
    "unit.per_1000": {"sv": "per 1 000", "en": "per 1,000"},
    "unit.minutes": {"sv": "minuter", "en": "minutes"},
    "unit.km": {"sv": "km", "en": "km"},
    "unit.kg_co2": {"sv": "kg CO₂", "en": "kg CO₂"},
    "unit.days": {"sv": "dagar", "en": "days"},
    "unit.ms": {"sv": "ms", "en": "ms"},
    "unit.ratio": {"sv": "kvot", "en": "ratio"},
    "unit.points": {"sv": "procentenheter", "en": "percentage points"},
    "direction.lower_is_better": {"sv": "Lägre är bättre", "en": "Lower is better"},
    "direction.higher_is_better": {"sv": "Högre är bättre", "en": "Higher is better"},
    "direction.neutral": {
        "sv": "Varken högre eller lägre är bättre",
        "en": "Neither up nor down is better",
    },
    # ---------------------------------------------------------------- benefits overview
    "benefits.title": {"sv": "Nyttoöversikt", "en": "Benefits overview"},
    "benefits.intro": {
        "sv": "Kommer nyttorna? Effektkedjan från effektkartläggningen: när fler enheter "
        "ansluts och fler bokar digitalt ska tiden i telefon minska, besöken användas "
        "bättre och resorna bli färre. Varje ruta visar senaste månaden, förändringen mot "
        "tiden före anslutning och den skattade effekten där den finns.",
        "en": "Are the benefits coming? The effect chain from the benefits map: as more "
        "units connect and more residents book digitally, time on the phone should fall, "
        "visits be used better and trips be fewer. Each tile shows the latest month, the "
        "change against the time before go-live and the estimated effect where there is one.",
    },
    "chain.coverage": {
        "sv": "1. Rätt tider visas för rätt invånare",
        "en": "1. The right times shown to the right resident",
    },
    "chain.coverage.seed": {
        "sv": "Anslutningsprocess och Bokade tider: fler enheter och tidböcker anslutna, fler "
        "bokade tider synliga.",
        "en": "Connection process and Bokade tider: more units and time books connected, more "
        "booked times visible.",
    },
    "chain.phone": {"sv": "2. Minskad tid i telefon", "en": "2. Less time on the phone"},
    "chain.phone.seed": {
        "sv": "När invånare bokar, om- och avbokar via 1177 i stället för via telefon.",
        "en": "When residents book, rebook and cancel via 1177 instead of by phone.",
    },
    "chain.visits": {
        "sv": "3. Tiden i möte med vårdpersonal används mer effektivt",
        "en": "3. Time with care staff is used more effectively",
    },
    "chain.visits.seed": {
        "sv": "Färre uteblivna besök när invånare kan boka själva och se sina bokade tider; "
        "färre sena återbud går till spillo.",
        "en": "Fewer no-shows when residents can book themselves and see their bookings; "
        "fewer late cancellations go to waste.",
    },
    "chain.travel": {
        "sv": "4. Mindre administration, färre resor och utsläpp",
        "en": "4. Less admin, fewer trips and emissions",
    },
    "chain.travel.seed": {
        "sv": "Överblick över bokade tider gör det lättare att samplanera besök.",
        "en": "An overview of booked times makes it easier to plan visits together.",
    },
    "chain.risks": {"sv": "5. Risker att bevaka", "en": "5. Risks to watch"},
    "chain.risks.seed": {
        "sv": "Återvändsgränder, utanförskap och svårt att planera för vårdpersonal.",
        "en": "Dead ends, exclusion and staff who find it hard to plan.",
    },
    # ---------------------------------------------------------------- coverage
    "coverage.title": {"sv": "Anslutning och täckning", "en": "Connection and coverage"},
    "coverage.intro": {
        "sv": "Hur mycket av vården är ansluten och synlig i Bokade tider, och vad saknas? "
        "Per region och, med behörighet, per vårdenhet.",
        "en": "How much of care is connected and visible in Bokade tider, and what is "
        "missing? Per region and, with access, per care unit.",
    },
    "coverage.map": {"sv": "Regionerna i senaste månaden", "en": "The regions in the latest month"},
    "coverage.map_metric": {"sv": "Visa på kartan", "en": "Show on the map"},
    "coverage.onboarding": {"sv": "Anslutningsprocessen", "en": "The onboarding pipeline"},
    "coverage.visibility": {
        "sv": "Synlighet i Bokade tider och varför bokningar inte syns",
        "en": "Visibility in Bokade tider and why bookings are not shown",
    },
    "coverage.units": {"sv": "Per vårdenhet", "en": "Per care unit"},
    "coverage.units_public": {
        "sv": "Uppgifter per vårdenhet visas bara för inloggade användare med behörighet för "
        "regionen (eller nationell behörighet). Välj din region i urvalet.",
        "en": "Figures per care unit are shown only to signed-in users with access to the "
        "region (or national access). Choose your region in the selection.",
    },
    "coverage.units_pick_region": {
        "sv": "Välj en region i urvalet för att se dess vårdenheter.",
        "en": "Choose a region in the selection to see its care units.",
    },
    # ---------------------------------------------------------------- channel shift
    "channel.title": {"sv": "Kanalskifte och telefon", "en": "Channel shift and phone"},
    "channel.intro": {
        "sv": "Bokar, ombokar och avbokar invånarna digitalt i stället för att ringa? "
        "Samtal per ärende och de skattade minuter som sparas, med antagandena synliga.",
        "en": "Do residents book, rebook and cancel digitally instead of calling? Calls by "
        "reason and the estimated minutes saved, with the assumptions shown.",
    },
    "channel.digital": {"sv": "Digitala andelar", "en": "Digital shares"},
    "channel.calls": {"sv": "Samtal per ärende", "en": "Calls by reason"},
    "channel.estimates": {"sv": "Skattade sparade minuter", "en": "Estimated minutes saved"},
    "channel.assumptions": {
        "sv": "Antaganden (ändra dem här)",
        "en": "Assumptions (change them here)",
    },
    "channel.assumptions_help": {
        "sv": "Skattningarna är produkten av antal digitala åtgärder och parametrarna nedan. "
        "Ändrar du ett värde räknas skattningen om här; den publicerade tabellen ändras inte.",
        "en": "The estimates are the number of digital actions times the parameters below. "
        "Change a value and the estimate is recalculated here; the published table is unchanged.",
    },
    "channel.adjusted": {
        "sv": "Omräknad med dina antaganden",
        "en": "Recalculated with your assumptions",
    },
    "channel.published_parameters": {"sv": "Publicerade parametrar", "en": "Published parameters"},
    "parameter.qualifier": {"sv": "Gäller", "en": "Applies to"},
    "parameter.source": {"sv": "Källa", "en": "Source"},
    "parameter.value": {"sv": "Värde", "en": "Value"},
    "parameter.unit": {"sv": "Enhet", "en": "Unit"},
    "parameter.name": {"sv": "Parameter", "en": "Parameter"},
    "parameter.valid_from": {"sv": "Gäller från", "en": "Valid from"},
    "parameter.region": {"sv": "Region", "en": "Region"},
    "estimate.total": {"sv": "Summa för urvalet", "en": "Total for the selection"},
    # ---------------------------------------------------------------- no-shows
    "no_shows.title": {
        "sv": "Uteblivna besök och återbud",
        "en": "No-shows and late cancellations",
    },
    "no_shows.intro": {
        "sv": "Uteblivna besök och sena återbud per bokningskanal, påminnelse, tid från "
        "bokning till besök och vårdtjänst. Lägre är bättre. NHS Englands statistik visas "
        "som extern jämförelse.",
        "en": "No-shows and late cancellations by booking channel, reminder, lead time and "
        "care service. Lower is better. NHS England's statistics are shown as an external "
        "benchmark.",
    },
    "no_shows.trend_by_region": {
        "sv": "Andel uteblivna besök per region",
        "en": "No-show rate by region",
    },
    "no_shows.trend_by_channel": {
        "sv": "Andel uteblivna besök per bokningskanal, {region}",
        "en": "No-show rate by booking channel, {region}",
    },
    "no_shows.by": {"sv": "Uteblivna besök per {dimension}", "en": "No-shows by {dimension}"},
    "no_shows.cut": {"sv": "Dela upp efter", "en": "Cut by"},
    "no_shows.benchmark": {
        "sv": "Extern jämförelse: NHS England (Appointments in General Practice)",
        "en": "External benchmark: NHS England (Appointments in General Practice)",
    },
    "no_shows.benchmark_note": {
        "sv": "Engelsk primärvård, inte svenska siffror: andel missade besök (DNA) av "
        "genomförda och missade, samma intervall för tid från bokning till besök.",
        "en": "English general practice, not Swedish figures: missed appointments (DNA) of "
        "attended and missed, in the same lead-time bands.",
    },
    "no_shows.benchmark_empty": {
        "sv": "NHS Englands siffror har inte levererats ännu (flödet booking_aggregates med "
        "../reference/nhs-gpad/). De visas här bredvid de svenska så snart de är inlästa.",
        "en": "NHS England's figures have not been delivered yet (the booking_aggregates feed "
        "with ../reference/nhs-gpad/). They appear here beside the Swedish ones once loaded.",
    },
    "no_shows.sweden": {"sv": "Sverige (urvalet)", "en": "Sweden (selection)"},
    "no_shows.nhs": {"sv": "NHS England", "en": "NHS England"},
    "no_shows.late_cancellations": {"sv": "Sena återbud", "en": "Late cancellations"},
    # ---------------------------------------------------------------- risks
    "risks.title": {"sv": "Risker", "en": "Risks"},
    "risks.intro": {
        "sv": "Riskerna i effektkartläggningen: återvändsgränder i uthoppstjänster, ökat "
        "utanförskap, krav på mobilt BankID, många av- och ombokningar och invånare som "
        "skickas tillbaka till telefonen.",
        "en": "The risks in the benefits map: dead ends in external booking services, more "
        "exclusion, the mobile BankID requirement, many cancellations and rebookings and "
        "residents pushed back to the phone.",
    },
    # ---------------------------------------------------------------- effects
    "effects.title": {"sv": "Effekter", "en": "Effects"},
    "effects.intro": {
        "sv": "Vad gjorde anslutningen? Enheter ansluts vid olika tidpunkter, vilket ger ett "
        "naturligt experiment: skattningen jämför anslutna enheter med ännu inte anslutna "
        "(difference-in-differences med förskjuten start) månad för månad kring anslutningen.",
        "en": "What did going live do? Units connect at different dates, a natural "
        "experiment: the estimate compares connected units with not-yet-connected ones "
        "(staggered difference-in-differences) month by month around go-live.",
    },
    "effects.table": {"sv": "Skattade effekter", "en": "Effect estimates"},
    "effects.event_study": {
        "sv": "Händelsestudie: {metric}, {region}",
        "en": "Event study: {metric}, {region}",
    },
    "effects.metric": {"sv": "Mått", "en": "Metric"},
    "effects.relative_month": {"sv": "Månader sedan anslutning", "en": "Months since go-live"},
    "effects.estimate": {"sv": "Skattning", "en": "Estimate"},
    "effects.ci_low": {"sv": "KI nedre", "en": "CI low"},
    "effects.ci_high": {"sv": "KI övre", "en": "CI high"},
    "effects.units": {"sv": "Enheter", "en": "Units"},
    "effects.pre_trend": {"sv": "Förtrendstest klarat", "en": "Pre-trend check passed"},
    "effects.method": {"sv": "Metod", "en": "Method"},
    "effects.what": {"sv": "Effektskattningarna", "en": "The effect estimates"},
    "effects.no_overall": {
        "sv": "Ingen samlad skattning för urvalet.",
        "en": "No overall estimate for the selection.",
    },
    # ---------------------------------------------------------------- data quality
    "quality.title": {"sv": "Datakvalitet", "en": "Data quality"},
    "quality.intro": {
        "sv": "Hur färska är uppgifterna, stämmer varje levererad fil (rader lästa = laddade "
        "+ satta i karantän), varför rader sattes i karantän och hur kontrollerna gick.",
        "en": "How fresh the figures are, whether every delivered file adds up (rows read = "
        "loaded + quarantined), why rows were quarantined and how the checks went.",
    },
    "quality.freshness": {
        "sv": "Färskhet per källa och region",
        "en": "Freshness per feed and region",
    },
    "quality.metric_freshness": {"sv": "Senaste period per mått", "en": "Latest period per metric"},
    "quality.ledger": {"sv": "Avstämning av filer och rader", "en": "Ledger reconciliation"},
    "quality.quarantine": {"sv": "Karantän per orsak", "en": "Quarantine by reason"},
    "quality.checks": {
        "sv": "Kontroller (Great Expectations och dbt)",
        "en": "Checks (Great Expectations and dbt)",
    },
    "quality.freshness_what": {"sv": "Färskhet per källa", "en": "Freshness per feed"},
    "quality.ledger_what": {"sv": "Filavstämningen", "en": "The ledger reconciliation"},
    "quality.quarantine_what": {"sv": "Karantänsiffrorna", "en": "The quarantine counts"},
    "quality.checks_what": {"sv": "Kontrollresultaten", "en": "The check results"},
    "quality.reconciled_all": {
        "sv": "Alla {files} filer stämmer: lästa rader = laddade + karantän.",
        "en": "All {files} files add up: rows read = loaded + quarantined.",
    },
    "quality.not_reconciled": {
        "sv": "{count} källor och regioner stämmer inte.",
        "en": "{count} feeds and regions do not add up.",
    },
    "quality.checks_failed": {
        "sv": "{failed} av {total} kontroller misslyckades.",
        "en": "{failed} of {total} checks failed.",
    },
    "quality.checks_passed": {
        "sv": "Alla {total} kontroller klarades.",
        "en": "All {total} checks passed.",
    },
    "quality.feed": {"sv": "Källa", "en": "Feed"},
    "quality.latest_data_day": {"sv": "Senaste dag med data", "en": "Latest data day"},
    "quality.latest_received_at": {"sv": "Senast mottagen", "en": "Last received"},
    "quality.files": {"sv": "Filer", "en": "Files"},
    "quality.files_rejected": {"sv": "Avvisade filer", "en": "Files rejected"},
    "quality.rows_read": {"sv": "Lästa rader", "en": "Rows read"},
    "quality.rows_loaded": {"sv": "Laddade rader", "en": "Rows loaded"},
    "quality.rows_quarantined": {"sv": "Rader i karantän", "en": "Rows quarantined"},
    "quality.reconciled": {"sv": "Stämmer", "en": "Adds up"},
    "quality.reason": {"sv": "Orsak", "en": "Reason"},
    "quality.check_kind": {"sv": "Typ", "en": "Kind"},
    "quality.check_name": {"sv": "Kontroll", "en": "Check"},
    "quality.check_count": {"sv": "Antal kontroller", "en": "Number of checks"},
    "quality.target": {"sv": "Gäller", "en": "Target"},
    "quality.status": {"sv": "Resultat", "en": "Result"},
    "quality.failures": {"sv": "Avvikelser", "en": "Failures"},
    "quality.checked_at": {"sv": "Kontrollerad", "en": "Checked"},
    "quality.metric": {"sv": "Mått", "en": "Metric"},
    "quality.published": {"sv": "Publicerat", "en": "Published"},
    "quality.latest_period": {"sv": "Senaste period", "en": "Latest period"},
    # ---------------------------------------------------------------- about the metrics
    "about.title": {"sv": "Om måtten", "en": "About the metrics"},
    "about.intro": {
        "sv": "Alla mått i måttkatalogen med definition, enhet, riktning och vilken nytta "
        "eller risk de belägger. Katalogen är samma källa som API:t och dbt-dokumentationen "
        "läser.",
        "en": "Every metric in the metric catalogue with its definition, unit, direction and "
        "the benefit or risk it evidences. The catalogue is the same source the API and the "
        "dbt docs read.",
    },
    "about.search": {"sv": "Sök mått", "en": "Search metrics"},
    "about.evidences": {"sv": "Belägger", "en": "Evidences"},
    "about.unit": {"sv": "Enhet", "en": "Unit"},
    "about.dimensions": {"sv": "Kan delas upp efter", "en": "Can be cut by"},
    "about.disclosure": {"sv": "Röjandeskydd", "en": "Disclosure control"},
    "about.disclosure.people": {
        "sv": "uppgifter om personer: skyddas i den offentliga vyn",
        "en": "figures about people: protected in the public view",
    },
    "about.disclosure.not_personal": {
        "sv": "systemuppgifter: inget skydd behövs",
        "en": "system figures: no protection needed",
    },
    "about.status": {"sv": "Status", "en": "Status"},
    "about.published": {
        "sv": "publicerat, senaste period {period}",
        "en": "published, latest period {period}",
    },
    "about.unpublished": {"sv": "inte publicerat ännu", "en": "not published yet"},
    "family.A": {"sv": "A. Minskad tid i telefon", "en": "A. Less time on the phone"},
    "family.B": {"sv": "B. Besök som möter behovet", "en": "B. Visits that meet the need"},
    "family.C": {
        "sv": "C. Mindre administration, färre resor, mindre trängsel",
        "en": "C. Less admin, less travel, less crowding",
    },
    "family.D": {"sv": "D. Anslutning och täckning", "en": "D. Connection and coverage"},
    "family.E": {"sv": "E. Risker", "en": "E. Risks"},
    "family.F": {"sv": "F. Effekter", "en": "F. Effects"},
    "family.G": {"sv": "G. Extern jämförelse", "en": "G. External benchmark"},
    # ---------------------------------------------------------------- metric drill-down
    "metric.title": {"sv": "Mått", "en": "Metric"},
    "metric.pick": {"sv": "Välj mått", "en": "Choose a metric"},
    "metric.by": {"sv": "Dela upp efter", "en": "Cut by"},
    "metric.by_none": {"sv": "Region", "en": "Region"},
    "metric.unknown": {
        "sv": "Måttet {metric} finns inte i katalogen.",
        "en": "The metric {metric} is not in the catalogue.",
    },
}

# Labels of dimension codes: channel from tidbok.codes, the rest here (English, Swedish).
_CODE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "care_service": {
        "LAKARBESOK": ("Läkarbesök", "Doctor visit"),
        "SJUKSKOTERSKA": ("Sjuksköterskebesök", "Nurse visit"),
        "VACCINATION": ("Vaccination", "Vaccination"),
        "PROVTAGNING": ("Provtagning", "Sampling"),
        "SCREENING": ("Screening", "Screening"),
        "FYSIOTERAPI": ("Fysioterapi", "Physiotherapy"),
        "PSYKOLOG": ("Psykolog", "Psychologist"),
        "SPECIALIST": ("Specialistbesök", "Specialist visit"),
        "ANNAT": ("Annat", "Other"),
    },
    "reminder": {
        "sms": ("Sms", "SMS"),
        "eservice": ("Notis i 1177", "1177 notification"),
        "none": ("Ingen påminnelse", "No reminder"),
    },
    "lead_time_band": {
        "same_day": ("Samma dag", "Same day"),
        "1_day": ("1 dag", "1 day"),
        "2_to_7_days": ("2–7 dagar", "2 to 7 days"),
        "8_to_14_days": ("8–14 dagar", "8 to 14 days"),
        "15_to_21_days": ("15–21 dagar", "15 to 21 days"),
        "22_to_28_days": ("22–28 dagar", "22 to 28 days"),
        "more_than_28_days": ("Mer än 28 dagar", "More than 28 days"),
    },
    "contact_type": {
        "physical": ("Fysiskt besök", "Physical visit"),
        "video": ("Videobesök", "Video visit"),
        "phone": ("Telefonkontakt", "Phone contact"),
        "home": ("Hembesök", "Home visit"),
        "remote": ("Distans", "Remote"),
    },
    "care_level": {
        "primary_care": ("Primärvård", "Primary care"),
        "specialist_care": ("Specialistvård", "Specialist care"),
    },
    "service": {
        "view_bookings": ("Se bokade tider", "View bookings"),
        "cancel": ("Avboka", "Cancel"),
        "rebook": ("Omboka", "Rebook"),
        "book": ("Boka", "Book"),
        "se_bokade_tider": ("Se bokade tider", "View bookings"),
        "avboka": ("Avboka", "Cancel"),
        "omboka": ("Omboka", "Rebook"),
        "boka": ("Boka", "Book"),
    },
    "reason": {
        "book": ("Boka", "Book"),
        "rebook": ("Omboka", "Rebook"),
        "cancel": ("Avboka", "Cancel"),
        "booking_enquiry": ("Fråga om bokad tid", "Booking enquiry"),
        "advice": ("Rådgivning", "Advice"),
        "other": ("Övrigt", "Other"),
        "unit_not_connected": ("Enheten inte ansluten", "Unit not connected"),
        "time_book_not_connected": ("Tidboken inte ansluten", "Time book not connected"),
        "not_indexed": ("Saknas i Engagemangsindex", "Not in Engagemangsindex"),
        "source_error": ("Fel eller timeout i källsystemet", "Source error or timeout"),
        "no_reception_relation": ("Ingen mottagningsrelation", "No reception relation"),
        "hidden_time_type": ("Dold tidtyp", "Hidden time type"),
    },
    "auth_method": {
        "bankid_mobile": ("Mobilt BankID", "Mobile BankID"),
        "bankid_file": ("BankID på fil", "BankID on file"),
        "freja": ("Freja eID", "Freja eID"),
        "other": ("Annan", "Other"),
    },
    "action": {
        "booking": ("Bokning", "Booking"),
        "rebooking": ("Ombokning", "Rebooking"),
        "cancellation": ("Avbokning", "Cancellation"),
        "bokade_tider_view": ("Visning i Bokade tider", "View in Bokade tider"),
    },
    "statistic": {"median": ("Median", "Median"), "p90": ("90:e percentilen", "90th percentile")},
    "visit_mode": {"slot": ("Bokad tid", "Booked slot"), "drop_in": ("Drop-in", "Drop-in")},
    "view_type": {
        "view_upcoming": ("Kommande bokningar", "Upcoming bookings"),
        "view_history": ("Tidigare bokningar", "Past bookings"),
    },
    "age_band": {"80+": ("80+", "80+")},
}
_UNKNOWN = {"sv": "Okänt", "en": "Unknown"}
# The estimate parameters (marts.estimate_parameters), as a reader should see them.
_PARAMETER_LABELS: dict[str, tuple[str, str]] = {
    "call_equivalence_factor": ("Samtal som en digital åtgärd ersätter",
                                "Calls a digital action replaces"),
    "resident_minutes_per_call": ("Invånarens minuter per samtal (kö och samtal)",
                                  "Resident minutes per call (queue and talk)"),
    "staff_handling_minutes_per_call": ("Personalens minuter per samtal",
                                        "Staff handling minutes per call"),
    "staff_minutes_per_manual_action": ("Personalens minuter per manuell åtgärd",
                                        "Staff minutes per manual action"),
    "km_per_trip": ("Kilometer per resa", "Kilometres per trip"),
    "co2_kg_per_km": ("kg CO₂ per kilometer", "kg CO₂ per kilometre"),
    "late_cancellation_threshold_hours": ("Gräns för sen avbokning (timmar)",
                                          "Late-cancellation threshold (hours)"),
    "first_contact_lookback_days": ("Tillbakablick för första kontakt (dagar)",
                                    "First-contact look-back (days)"),
}
# The order codes are shown in, where it is not alphabetical.
CODE_ORDER: dict[str, tuple[str, ...]] = {
    "lead_time_band": tuple(_CODE_LABELS["lead_time_band"]) + ("unknown",),
    "age_band": ("0-17", "18-29", "30-49", "50-64", "65-79", "80+", "unknown"),
}

MONTHS = {
    "sv": "jan feb mar apr maj jun jul aug sep okt nov dec".split(),
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
}


def t(key: str, lang: str, **values: Any) -> str:
    """The text for `key` in `lang`, with {placeholders} filled from `values`."""
    text = _STRINGS[key].get(lang) or _STRINGS[key][DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def text_of(texts: Mapping[str, str] | None, lang: str, fallback: str = "") -> str:
    """A catalogue text ({sv, en}) in `lang`, falling back to Swedish."""
    if not texts:
        return fallback
    return texts.get(lang) or texts.get(DEFAULT_LANGUAGE) or fallback


def channel_label(code: str, lang: str) -> str:
    labels = CHANNEL_LABEL_EN if lang == "en" else CHANNEL_LABEL_SV
    return labels.get(code, code)


def code_label(dimension: str, code: Any, lang: str) -> str:
    """A dimension value as the reader should see it ('eservice' -> '1177 (digitalt)')."""
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return _UNKNOWN[lang if lang in _UNKNOWN else DEFAULT_LANGUAGE]
    code = str(code)
    if dimension == "channel":
        return channel_label(code, lang)
    if code == "unknown":
        return _UNKNOWN.get(lang, _UNKNOWN[DEFAULT_LANGUAGE])
    labels = _CODE_LABELS.get(dimension, {}).get(code)
    if labels is None:
        return code
    return labels[1] if lang == "en" else labels[0]


def parameter_label(name: str, lang: str) -> str:
    labels = _PARAMETER_LABELS.get(name)
    if labels is None:
        return name.replace("_", " ")
    return labels[1] if lang == "en" else labels[0]


def code_sort_key(dimension: str, code: Any) -> tuple:
    order = CODE_ORDER.get(dimension)
    if order and code in order:
        return (0, order.index(code), "")
    return (1, 0, str(code))


# ---------------------------------------------------------------- numbers


def _grouped(number: float, decimals: int, lang: str) -> str:
    magnitude = round(abs(float(number)), decimals)
    text = f"{magnitude:,.{decimals}f}"
    if lang == "sv":
        text = text.replace(",", NBSP).replace(".", ",")
    negative = number < 0 and magnitude != 0
    return ((MINUS if lang == "sv" else "-") if negative else "") + text


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and pandas' NA
    except TypeError:
        return True


def format_percent(rate: float | None, lang: str, decimals: int = 1) -> str:
    """0.046 -> '4,6 %' in Swedish, '4.6%' in English; withheld or undefined -> '..'."""
    if _missing(rate):
        return SUPPRESSED_MARK
    number = _grouped(rate * 100, decimals, lang)
    return f"{number}{NBSP}%" if lang == "sv" else f"{number}%"


def format_count(count: float | None, lang: str) -> str:
    """12345 -> '12 345' in Swedish, '12,345' in English; withheld -> '..'."""
    if _missing(count):
        return SUPPRESSED_MARK
    return _grouped(count, 0, lang)


def format_number(number: float | None, lang: str, decimals: int = 1) -> str:
    if _missing(number):
        return SUPPRESSED_MARK
    return _grouped(number, decimals, lang)


_UNIT_SUFFIX = {"minutes": " min", "km": " km", "kg_co2": " kg", "days": "", "ms": " ms"}
_UNIT_DECIMALS = {"count": 0, "minutes": 0, "km": 0, "kg_co2": 0, "ms": 0, "per_1000": 1,
                  "days": 1, "ratio": 2}


def format_value(value: float | None, unit: str | None, lang: str) -> str:
    """A metric value in its unit: shares as percent, counts grouped, the rest with a suffix."""
    if unit == "share":
        return format_percent(value, lang)
    if _missing(value):
        return SUPPRESSED_MARK
    suffix = _UNIT_SUFFIX.get(unit or "", "").replace(" ", NBSP)
    return format_number(value, lang, _UNIT_DECIMALS.get(unit or "", 1)) + suffix


def format_change(change: float | None, unit: str | None, lang: str) -> str:
    """A difference between two values: shares in percentage points, with a sign."""
    if _missing(change):
        return ""
    if unit == "share":
        points = _grouped(change * 100, 1, lang)
        sign = "+" if change > 0 and points.strip("0,.") else ""
        return f"{sign}{points}{NBSP}{'p.e.' if lang == 'sv' else 'pp'}"
    text = format_value(change, unit, lang)
    return ("+" if change > 0 else "") + text


def axis_format(unit: str | None) -> str:
    """d3 format for a chart axis in `unit` (the locale decides comma or point). One more
    decimal than the figures have, trimmed ("~"): ticks never read "0,1 0,1 0,2"."""
    if unit == "share":
        return ".1~%"  # 2 %, 2,5 %
    decimals = _UNIT_DECIMALS.get(unit or "", 1)
    return ",.0f" if decimals == 0 else f",.{decimals + 1}~f"


def format_timestamp(moment: datetime, lang: str) -> str:
    # ISO date and 24-hour clock read naturally in both languages (and are the Swedish norm).
    return moment.strftime("%Y-%m-%d %H:%M")


def format_month(period: str | date | None, lang: str) -> str:
    """'2025-03' -> 'mar 2025' (Swedish) / 'Mar 2025'; other period labels unchanged."""
    if period is None:
        return ""
    if isinstance(period, date):
        period = f"{period.year:04d}-{period.month:02d}"
    if len(period) == 7 and period[4] == "-":
        return f"{MONTHS.get(lang, MONTHS['sv'])[int(period[5:7]) - 1]} {period[:4]}"
    return period


def format_bool(flag: Any, lang: str) -> str:
    if _missing(flag):
        return ""
    return t("yes" if flag else "no", lang)


# Vega-Lite locales, so the chart's axes follow the chosen language too.
_VEGA_LOCALE: dict[str, dict[str, Any]] = {
    "sv": {
        "number": {
            "decimal": ",",
            "thousands": NBSP,
            "grouping": [3],
            "currency": ["", f"{NBSP}kr"],
            "percent": f"{NBSP}%",
            "minus": MINUS,
        },
        "time": {
            "dateTime": "%A %e %B %Y %X",
            "date": "%Y-%m-%d",
            "time": "%H:%M:%S",
            "periods": ["fm", "em"],
            "days": "söndag måndag tisdag onsdag torsdag fredag lördag".split(),
            "shortDays": "sön mån tis ons tor fre lör".split(),
            "months": (
                "januari februari mars april maj juni juli augusti september oktober "
                "november december"
            ).split(),
            "shortMonths": MONTHS["sv"],
        },
    },
}


def vega_locale(lang: str) -> dict[str, Any] | None:
    """The chart locale for `lang`; None means Vega's built-in English."""
    return _VEGA_LOCALE.get(lang)
