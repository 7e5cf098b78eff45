"""Vocabulary of the synthetic county (`triage.sample`): columns, charges, places, names.

Charges are `(OFFENSE_DESCR, OFFENSE_TOC, chance the conviction is a felony)`. Names are
invented from syllables; none is meant to be, or to resemble, a real person.
"""

from __future__ import annotations

from rules.doj_layout import DOJ_COLUMNS

ChargeSpec = tuple[str, str, float]

# The 95-column CA DOJ research-file layout, in file order (its one home is rules/).
COLUMNS: tuple[str, ...] = DOJ_COLUMNS

# Fields the research file fills with a placeholder in every record.
X_FIELDS = (
    "RECORD_ID SUBJECT_STATUS PRI_IDN PRI_INN FBI_NUMBER PDR_SEG_SEP RACE_CODE RACE_DESCR "
    "EYE_COLOR_CODE EYE_COLOR_DESCR HAIR_COLOR_CODE HAIR_COLOR_DESCR HEIGHT WEIGHT "
    "SINGLE_SOURCE MULTI_SOURCE POB_CODE POB_NAME POB_TYPE CITIZENSHIP_LIST CYC_SEG_SEP "
    "CYC_ORDER STP_SEG_SEP STP_ORDER STP_TYPE_CODE STP_ORI_TYPE_DESCR STP_ORI_CODE "
    "STP_ORI_CNTY_CODE CNT_SEG_SEP OFFENSE_CODE"
).split()
PADDED_FIELDS = {"PRI_CDL": "x       ", "CYC_DATE": "x       "}
QUAL_PADDING = ("", "", "", " " * 6, " " * 13, " " * 14, " " * 23)

TIME_DESCR = {"D": "DAYS      ", "M": "MONTHS", "Y": "YEARS"}

PROP64: tuple[ChargeSpec, ...] = (
    ("11357(A) HS-POSSESS CONCENTRATED CANNABIS", "F", 0.4),
    ("11357(B) HS-POSSESS MARIJUANA 28.5 GRAMS OR LESS", "M", 0.0),
    ("11357(B) HS-POSSESS MARIJUANA 28.5 GRAMS OR LESS", "M", 0.0),
    ("11357(C) HS-POSSESS MARIJUANA OVER 28.5 GRAMS", "M", 0.05),
    ("11357(C)HS-POSSESS MARIJUANA", "M", 0.05),
    ("11357(D) HS-POSSESS MARIJUANA ON SCHOOL GROUNDS", "M", 0.0),
    ("11357 HS-POSSESS MARIJUANA", "M", 0.2),
    ("11358 HS-CULTIVATE MARIJUANA", "F", 0.75),
    ("11358(C) HS-CULTIVATE MORE THAN SIX PLANTS", "F", 0.5),
    ("11358(D)(3) HS-CULTIVATE CANNABIS:PRIOR", "F", 0.9),
    ("11359 HS-POSSESS MARIJUANA FOR SALE", "F", 0.85),
    ("11359(B) HS-POSSESS CANNABIS FOR SALE", "F", 0.5),
    ("11359(C)(1) HS-POSSESS CANNABIS FOR SALE:PRIOR", "F", 0.9),
    ("11360(A) HS-TRANSPORT/SELL MARIJUANA", "F", 0.8),
    ("11360(A)(2) HS-SELL/TRANSPORT CANNABIS", "F", 0.6),
    ("11360(B) HS-GIVE/TRANSPORT MARIJUANA 28.5 GRAMS OR LESS", "M", 0.0),
)

PROP64_HABITS: tuple[ChargeSpec, ...] = (
    ("11358 HS-CULTIVATE MARIJUANA", "F", 0.9),
    ("11359 HS-POSSESS MARIJUANA FOR SALE", "F", 0.9),
    ("11360(A) HS-TRANSPORT/SELL MARIJUANA", "F", 0.85),
)

# Rarer spellings the charge parser must cope with, and look-alikes that are not Prop 64.
PROP64_RARE: tuple[ChargeSpec, ...] = (
    ("664/11359 HS-ATTEMPT POSSESS MARIJUANA FOR SALE", "F", 0.7),
    ("182/11360(A) HS-CONSPIRACY:SELL MARIJUANA", "F", 0.9),
    ("664.11357(C) HS-ATTEMPT POSSESS MARIJUANA", "M", 0.0),
    ("H&S 11359-POSSESS MARIJUANA FOR SALE", "F", 0.8),
    ("HS 11358-CULTIVATE MARIJUANA", "F", 0.7),
    ("HS11360(A)-SELL MARIJUANA", "F", 0.8),
    ("11357(A)-POSSESS CONCENTRATED CANNABIS", "F", 0.3),
    ("11357(A)PC-POSSESS MARIJUANA", "M", 0.0),
    ("11357.5(A) HS-SELL SYNTHETIC CANNABINOID", "M", 0.0),
    ("11361(A) HS-EMPLOY MINOR TO SELL MARIJUANA", "F", 1.0),
)

RELATED: tuple[ChargeSpec, ...] = (
    ("148(A)(1) PC-OBSTRUCT/RESIST PUBLIC OFFICER", "M", 0.0),
    ("647(F) PC-DISORDERLY CONDUCT:INTOX DRUG/ALCOHOL", "M", 0.0),
    ("11364 HS-POSSESS CONTROLLED SUBSTANCE PARAPHERNALIA", "M", 0.0),
    ("11364(A) HS-POSSESS UNLAWFUL PARAPHERNALIA", "M", 0.0),
    ("4060 BP-POSSESS CONTROLLED SUBSTANCE W/O PRESCRIPTION", "M", 0.1),
    ("602 PC-TRESPASSING", "M", 0.0),
    ("11550(A) HS-UNDER INFLUENCE CONTROLLED SUBSTANCE", "M", 0.0),
    ("40508(A) VC-FAIL TO APPEAR:WRITTEN PROMISE", "M", 0.0),
    ("466 PC-POSSESS BURGLARY TOOLS", "M", 0.0),
    ("148.9(A) PC-FALSE ID TO PEACE OFFICER", "M", 0.0),
    ("4140 BP-POSSESS HYPODERMIC NEEDLE/SYRINGE", "M", 0.0),
    ("1320(B) PC-FAIL TO APPEAR ON FELONY", "F", 0.8),
)

ORDINARY: tuple[ChargeSpec, ...] = (
    ("459 PC-BURGLARY", "F", 0.7),
    ("484(A) PC-PETTY THEFT", "M", 0.0),
    ("488 PC-PETTY THEFT", "M", 0.0),
    ("23152(A) VC-DUI ALCOHOL/DRUGS", "M", 0.05),
    ("23152(B) VC-DUI .08 ALCOHOL", "M", 0.05),
    ("245(A)(1) PC-ASSAULT W/DEADLY WEAPON", "F", 0.8),
    ("10851(A) VC-TAKE VEHICLE W/O OWNER CONSENT", "F", 0.6),
    ("11350(A) HS-POSSESS NARCOTIC CONTROLLED SUBSTANCE", "F", 0.7),
    ("11377(A) HS-POSSESS CONTROLLED SUBSTANCE", "M", 0.4),
    ("12500(A) VC-DRIVE WITHOUT LICENSE", "M", 0.0),
    ("14601.1(A) VC-DRIVE WHILE LIC SUSPENDED", "M", 0.0),
    ("273.5(A) PC-INFLICT CORPORAL INJ SPOUSE/COHAB", "F", 0.6),
    ("211 PC-ROBBERY", "F", 1.0),
    ("496(A) PC-RECEIVE KNOWN STOLEN PROPERTY", "F", 0.5),
    ("594(A) PC-VANDALISM", "M", 0.1),
    ("242 PC-BATTERY", "M", 0.0),
    ("503 VC-TAKE CAR W/OUT OWNERS CONSENT", "F", 0.5),
    ("12020(A)(1) PC-POSSESS/ETC DEADLY WEAPON", "F", 0.7),
)

SUPER_STRIKES: tuple[ChargeSpec, ...] = (
    ("187(A) PC-MURDER", "F", 1.0),
    ("664/187(A) PC-ATTEMPTED MURDER", "F", 1.0),
    ("261(A)(2) PC-RAPE BY FORCE/FEAR/ETC", "F", 1.0),
    ("288(A) PC-LEWD OR LASCIV ACTS W/CHILD UNDER 14", "F", 1.0),
    ("207(A) PC-KIDNAPPING", "F", 1.0),
    ("220 PC-ASSAULT W/INTENT TO COMMIT MAYHEM/ETC", "F", 1.0),
    ("245(D)(3) PC-ASSAULT W/MACHINEGUN ON PEACE OFFICER", "F", 1.0),
    ("269(A)(1) PC-AGGRAVATED SEXUAL ASSAULT OF CHILD", "F", 1.0),
)

PC290_OFFENSES: tuple[ChargeSpec, ...] = (
    ("314(1) PC-INDECENT EXPOSURE", "M", 0.2),
    ("243.4(A) PC-SEXUAL BATTERY", "F", 0.5),
    ("647.6(A)(1) PC-ANNOY/MOLEST CHILD UNDER 18", "M", 0.0),
    ("311.11(A) PC-POSSESS OBSCENE MATTER:MINOR", "F", 0.6),
)

# A gang enhancement with a qualifying offense in the same court case counts as a super strike.
GANG_PAIR: tuple[ChargeSpec, ...] = (
    ("136.1(B)(1) PC-DISSUADE WITNESS FROM REPORTING CRIME", "F", 1.0),
    ("186.22(B)(4) PC-CRIMINAL STREET GANG ENHANCEMENT", "F", 1.0),
)

REGISTRATION_CHARGE = "290 PC-REGISTRATION OF SEX OFFENDER"

NON_CONVICTIONS = (
    "DISMISSED/CHARGE DROPPED",
    "DISMISSED/CHARGE DROPPED",
    "DISMISSED-FURTHERANCE OF JUSTICE",
    "ACQUITTED",
    "REL/TOT OTHER JURIS/AUTH",
    "PROSECUTION REJECTED",
)
ARREST_DISPOSITIONS = ("REL/TOT OTHER JURIS/AUTH", "RELEASED/DETENTION ONLY", "CITED/RELEASED")

PLAIN_COMMENTS = (
    "PLEA AGREEMENT",
    "CHARGE AMENDED PER DA",
    "COUNT 2 DISMISSED IN FURTHERANCE",
    'DEFT WAIVED TIME, "NO CONTEST" PLEA',
    "SENTENCE STAYED PENDING APPEAL",
    "CREDIT FOR TIME SERVED",
    "PROBATION TERMINATED EARLY",
)

OTHER_COUNTIES = (
    "ORANGE",
    "RIVERSIDE",
    "SAN BERNARDINO",
    "KERN",
    "VENTURA",
    "SAN DIEGO",
    "SACRAMENTO",
    "ALAMEDA",
    "FRESNO",
    "SAN JOAQUIN",
    "CONTRA COSTA",
    "SANTA BARBARA",
)
COURT_PREFIX = {"LOS ANGELES": "BA", "ORANGE": "OC", "RIVERSIDE": "RIF", "SAN DIEGO": "SCD"}


def agency(county: str, *, court: bool) -> str:
    """STP_ORI_DESCR: a court (`CASC…`) or a police department (`CAPD…`) of the county."""
    return ("CASC" if court else "CAPD") + county


# Invented syllables: family names are a head plus a tail, given names are whole words.
FAMILY_HEADS = (
    "BRAV",
    "CALDR",
    "DORV",
    "ESKW",
    "FARN",
    "GLOTT",
    "HALV",
    "ISKR",
    "JERV",
    "KADW",
    "LORM",
    "MARV",
    "NESK",
    "ORVL",
    "PELDR",
    "QUISM",
    "RASKW",
    "SORV",
    "TALM",
    "ULVR",
    "VANTR",
    "WESK",
    "YARL",
    "ZANDR",
    "OCAÑ",
    "BRÜLK",
)
FAMILY_TAILS = (
    "ABIN",
    "ELLOT",
    "IMORE",
    "OWSKA",
    "ANDRO",
    "ETHRO",
    "UNDAL",
    "ASHEN",
    "OVIAN",
    "EERY",
    "ILDON",
    "ARRO",
    "OMBE",
    "USKETT",
)
GIVEN_NAMES = (
    "ARVELLE",
    "BRISKO",
    "CALDINE",
    "DOMREN",
    "ELOWEN",
    "FARRIC",
    "GELSA",
    "HALDIS",
    "IVORNE",
    "JESSAMO",
    "KORVIN",
    "LUMIRA",
    "MADDOX",
    "NERISSE",
    "ORLAIN",
    "PELLO",
    "QUENTRA",
    "RASMEL",
    "SILVANE",
    "TOVALD",
    "URSELLE",
    "VANTHE",
    "WELKIN",
    "YSOLDE",
    "ZORIEL",
    "ÉLODINE",
)

# (name or None to keep the generated one, comment) — hostile text that must never act.
HOSTILE: tuple[tuple[str | None, str], ...] = (
    ("VORSTALL,[b]MIRELLE[/b]", "[@click=app.quit]x[/]"),
    (None, "NOTE \x1b[2J\x1b[31mCLEARED\x1b[0m"),
    ("KESTRAND\u202eNIRO,ORLA", "\u202eEGRAHC EES"),
    ("[red]TALWYN[/red],BRISK", "[link=https://example.invalid]open[/link] [@click=app.bell]y[/]"),
    ("ESCALDO\x1b]0;pwned\x07,FENN", "[bold blink]PER DA[/]"),
)
