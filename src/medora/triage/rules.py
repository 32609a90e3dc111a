"""Triage before retrieval: emergencies first, refuse non-medical or manipulative requests.

Rules are explicit patterns, not a model, so every decision can be read and tested. Negation is
handled per clause in the manner of NegEx (Chapman et al. 2001): a finding preceded within a few
words by a negation cue ("no", "denies", "without"...) in the same clause does not count.

Usage example::

    result = triage("Crushing chest pain spreading to my left arm and sweating")
    result.status   # "urgent"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from medora.models import Audience
from medora.text import FINDING_NEGATION as NEGATION
from medora.text import plain

CLAUSE_SPLIT = re.compile(r"[.;!?\n]|,\s*(?:but|however|although|though)\b|\bbut\b|\bhowever\b|\balthough\b")
HISTORY_CONTEXT = re.compile(
    r"\b(prevent\w*|prevention|risk factors?|risk of|reduce (the |my )?risk|history of|years? ago|months? ago|"
    r"last year|in the past|recover\w*|rehab\w*|screen\w*|vaccin\w*|long[- ]term|"
    r"surviv\w*|chances? of|statistics|epidemiolog\w*|genetic|hereditary|inherit\w*|what causes|causes of|"
    r"pathophysiology|mechanism|difference between|define|definition|what is the meaning|outlook|prognosis|"
    r"warning signs|how (?:is|are|can|do) .{0,40}(?:prevented|avoided)|keep .{0,30} safe|safety|statistics)\b"
)


@dataclass(frozen=True)
class Rule:
    name: str
    label: str  # how the notice names it
    all_of: tuple[str, ...]  # every pattern must match (non-negated)
    any_of: tuple[str, ...] = ()  # and at least one of these, if given


def _p(*alts: str) -> str:
    return "(?:" + "|".join(alts) + ")"


CHEST_PAIN = _p(
    r"chest (?:pain|pressure|tightness|discomfort|heaviness)",
    r"(?:pain|pressure|tightness) in (?:my|the|his|her) chest",
    r"crushing (?:pain|chest)",
    r"angina",
)
CP_RED = _p(
    r"radiat\w*",
    r"spread\w* (?:to|into|down)",
    r"(?:left |right )?(?:arm|jaw|neck) (?:pain|numb\w*)",
    r"(?:to|into|down) (?:the |my |his |her )?(?:left |right )?(?:arm|jaw|neck|shoulder|back)",
    r"sweat\w*",
    r"diaphore\w*",
    r"clammy",
    r"short(?:ness)? of breath",
    r"breathless\w*",
    r"can'?t breathe",
    r"faint\w*",
    r"passed out",
    r"syncope",
    r"crushing",
    r"exertion\w*",
    r"nause\w*",
    r"vomit\w*",
    r"tearing",
    r"ripping",
    r"sudden\w*",
    r"severe",
    r"at rest",
    r"st[- ]elevation",
    r"troponin",
    r"heart attack",
)
RULES: tuple[Rule, ...] = (
    Rule(
        "cardiac_arrest",
        "possible cardiac arrest",
        (
            _p(
                r"(?:isn'?t|is not|not|stopped) breathing",
                r"no pulse",
                r"unresponsive",
                r"cardiac arrest",
                r"won'?t wake up",
                r"unconscious",
                r"cpr\b",
            ),
        ),
    ),
    Rule("acute_coronary_syndrome", "chest pain with red-flag features", (CHEST_PAIN,), (CP_RED,)),
    Rule(
        "heart_attack",
        "possible heart attack",
        (_p(r"heart attack", r"\bstemi\b", r"myocardial infarction", r"acute coronary syndrome"),),
    ),
    Rule(
        "stroke",
        "possible stroke",
        (
            _p(
                r"face (?:is )?droop\w*",
                r"facial droop\w*",
                r"drooping (?:of )?(?:the |my |his |her )?face",
                r"slurred speech",
                r"slurring",
                r"speech (?:is |was )?(?:suddenly )?slurred",
                r"face (?:looks |is )?(?:lopsided|uneven)",
                r"sudden\w* (?:lost|loss of) (?:the )?(?:vision|sight)",
                r"(?:lost|loss of) (?:the )?vision in (?:my|his|her|one) .{0,20}(?:suddenly|minutes? ago)",
                r"(?:sudden|suddenly)\b.{0,40}\b(?:weak\w*|numb\w*|can'?t (?:speak|talk|see|move))",
                r"(?:weak\w*|numb\w*|paralys\w*) (?:on|of) (?:one|the left|the right|my left|my right) (?:side|arm|leg)",
                r"one[- ]sided (?:weakness|numbness)",
                r"can'?t (?:lift|raise|move) (?:my|his|her) (?:arm|leg)",
                r"trouble (?:speaking|talking)",
                r"sudden (?:loss of vision|vision loss|blindness|confusion)",
                r"\bbe-?fast\b",
                r"hemiparesis",
                r"aphasia",
            ),
        ),
    ),
    Rule(
        "stroke_named",
        "possible stroke",
        (_p(r"\bstroke\b", r"\bcva\b", r"\btia\b", r"transient ischemic attack", r"mini[- ]stroke"),),
    ),
    Rule(
        "subarachnoid_haemorrhage",
        "sudden severe headache",
        (
            _p(
                r"worst headache",
                r"thunderclap",
                r"sudden (?:severe|explosive|excruciating) headache",
                r"headache .{0,30}(?:sudden|like being hit)",
                r"subarachnoid",
            ),
        ),
    ),
    Rule(
        "anaphylaxis",
        "possible anaphylaxis",
        (
            _p(
                r"anaphyla\w*",
                r"(?:throat|tongue|lips?|face|mouth) (?:is |are |was |feels? )?(?:swell\w*|swollen|closing|tight\w*)",
                r"swell\w* (?:of |in )?(?:my |the |his |her )?(?:throat|tongue|lips?|face|mouth)",
                r"(?:bee|wasp|insect) sting.{0,60}(?:breath|swell|wheez|dizz|faint)",
                r"(?:stung|sting|bitten).{0,60}(?:trouble breath\w*|difficulty breath\w*|can'?t breathe|swell\w*|wheez\w*|faint\w*|dizz\w*|throat)",
                r"(?:peanut|nut|shellfish|food|penicillin|antibiotic).{0,60}(?:can'?t breathe|trouble breathing|wheez\w*|throat|swell\w*|faint)",
                r"hives.{0,60}(?:breath\w*|wheez\w*|faint\w*|dizz\w*|throat)",
            ),
        ),
    ),
    Rule(
        "cauda_equina",
        "possible cauda equina syndrome",
        (
            _p(
                r"cauda equina",
                r"saddle (?:numbness|anaesthesia|anesthesia|area)",
                r"numb\w* (?:between|around) (?:my |the |his |her )?(?:legs|groin|buttocks|genitals)",
                r"(?:back pain|sciatica).{0,80}(?:(?:can'?t|cannot|unable to) (?:pee|urinate|control)|incontinen\w*|retention|lost control)",
                r"(?:(?:can'?t|cannot|unable to) (?:pee|urinate|control (?:my )?(?:bladder|bowels?))|incontinen\w*|urinary retention).{0,80}(?:back pain|sciatica|legs? (?:weak|numb))",
            ),
        ),
    ),
    Rule(
        "suicide",
        "thoughts of suicide or self-harm",
        (
            _p(
                r"(?:kill|hurt|harm|cut) (?:myself|himself|herself|themselves)",
                r"suicid\w*",
                r"end(?:ing)? (?:my|his|her|their) (?:own )?life",
                r"take (?:my|his|her) (?:own )?life",
                r"want(?:s)? to die",
                r"cutting myself",
                r"better off (?:if i (?:was|were) dead|without me|dead)",
                r"jump\w* off (?:the |a )?(?:bridge|building|roof|cliff)",
                r"goodbye (?:letters?|notes?)",
                r"no point (?:in )?(?:going on|living)",
                r"(?:don'?t|do not) want to (?:live|be alive|wake up)",
                r"better off dead",
                r"no reason to live",
                r"overdos\w* (?:on purpose|intentionally)",
                r"take all (?:my|the|of my) (?:pills|tablets|meds)",
                r"self[- ]harm\w*",
                r"how many .{0,40} (?:to die|to kill|would kill|lethal)",
                r"lethal dose .{0,40}(?:myself|to die)",
                r"giv(?:e|ing|en) (?:away )?(?:all )?(?:my|of my) (?:things|stuff|belongings|possessions|pets?|cat|dog)(?: away)?",
                r"(?:said|saying) (?:my )?goodbyes|(?:said|saying) goodbye to (?:everyone|everybody|my family|them all)",
                r"won'?t (?:be (?:around|here)|need (?:them|it|this)) (?:much longer|anymore|any more|for long|soon)",
                r"(?:everyone|everybody|they|my family)(?: would)? (?:be )?better off without me",
                r"(?:can'?t|cannot|don'?t want to) (?:go on|keep going|do this anymore|take it anymore)",
                r"tired of (?:living|being alive|life)|(?:sleep|go to sleep) and (?:never|not) wake up|no way out|"
                r"(?:wish|want) (?:i (?:was|were) (?:dead|gone)|to disappear forever|it (?:all )?to (?:end|stop) for good)",
                r"(?:written|wrote|writing) (?:a |my )?(?:will|suicide note|note to my family)",
                r"how (?:much|many) .{0,40}(?:to|would|will|could|before i|so i) (?:die|end it|(?:don'?t |do not |won'?t |will not |never |not )wake (?:up|again))",
            ),
        ),
    ),
    Rule(
        "sepsis",
        "possible sepsis",
        (
            _p(
                r"\bseps\w*",
                r"septic",
                r"(?:fever|temperature|infection|chills|rigou?rs).{0,80}"
                r"(?:confus\w*|drows\w*|hard to wake|low blood pressure|fast breathing|breathing fast|mottled|blotchy|"
                r"cold (?:hands|feet)|not passing urine|no urine|very unwell|racing heart|heart racing)",
                r"(?:confus\w*|mottled|low blood pressure|hypotensi\w*).{0,80}(?:fever|infection|chills|rigou?rs)",
            ),
        ),
    ),
    Rule(
        "breathing",
        "severe difficulty breathing",
        (
            _p(
                r"can'?t breathe",
                r"cannot breathe",
                r"struggling to breathe",
                r"gasping",
                r"turning blue",
                r"blue lips",
                r"lips (?:are |turning )?blue",
                r"choking",
                r"severe (?:shortness of breath|difficulty breathing|breathlessness)",
                r"unable to (?:speak|talk|complete|finish) (?:in )?(?:full )?sentences",
                r"(?:spo2|sats?|oxygen saturation) (?:of |is |at )?(?:[5-8]\d|90) ?%",
            ),
        ),
    ),
    Rule(
        "bleeding",
        "serious bleeding",
        (
            _p(
                r"vomit\w* (?:up )?blood",
                r"throwing up blood",
                r"coughing up (?:a lot of )?blood",
                r"black,? (?:tarry )?stools?",
                r"tarry stools?",
                r"bleeding (?:heavily|that won'?t stop|won'?t stop)",
                r"(?:heavy|massive|uncontrolled|severe) bleeding",
                r"hematemesis|haematemesis",
                r"melena|melaena",
                r"soaking (?:through )?(?:a |the )?pads?",
            ),
        ),
    ),
    Rule(
        "seizure",
        "prolonged or first seizure",
        (
            _p(
                r"status epilepticus",
                r"seiz\w* (?:for )?(?:over|more than|longer than) (?:5|five) minutes",
                r"seizure.{0,40}(?:won'?t stop|not stopping|more than (?:5|five) minutes|over (?:5|five) minutes|keeps? happening|back[- ]to[- ]back|first)",
                r"(?:fitting|convuls\w*|seizing) (?:now|right now|and)",
            ),
        ),
    ),
    Rule(
        "meningitis",
        "possible meningitis",
        (
            _p(
                r"meningitis",
                r"(?:stiff neck|neck stiffness).{0,80}(?:fever|rash|headache)",
                r"(?:fever|headache).{0,80}(?:stiff neck|neck stiffness)",
                r"(?:rash|spots) (?:that )?(?:does(?:n'?t| not) (?:fade|blanch)|non[- ]blanching)",
                r"purple (?:rash|spots)",
            ),
        ),
    ),
    Rule(
        "infant_fever",
        "fever in a young infant",
        (
            _p(
                r"(?:baby|newborn|infant|neonate)\w*.{0,60}(?:fever|temperature|38)",
                r"(?:fever|temperature).{0,60}(?:baby|newborn|infant|neonate)",
            ),
        ),
        (
            _p(
                r"\b(?:[1-9]|1[0-9]|2[0-9]|[1-8] ?(?:week|wk))s?[- ]?(?:days?|weeks?|wks?)[- ]old",
                r"\b(?:[1-2]|one|two)[- ]months?[- ]old",
                r"newborn",
                r"neonat\w*",
                r"under (?:2|3|two|three) months",
                r"younger than (?:2|3|two|three) months",
                r"less than (?:60|90) days",
                r"under 60 days",
            ),
        ),
    ),
    Rule(
        "testicular_torsion",
        "possible testicular torsion",
        (
            _p(
                r"testic\w* torsion",
                r"torsion of (?:the )?testi\w*",
                r"sudden\w* (?:severe )?(?:pain in (?:my |his |the )?(?:testicle|testis|scrotum)|(?:testicle|testicular|scrotal) pain)",
            ),
        ),
    ),
    Rule(
        "ectopic",
        "possible ectopic pregnancy",
        (_p(r"pregnan\w*", r"missed (?:my )?period", r"positive pregnancy test"),),
        (
            _p(
                r"ectopic",
                r"(?:severe|sharp|one[- ]sided) (?:abdominal |pelvic |belly |tummy )?pain",
                r"shoulder[- ]tip pain",
                r"faint\w*",
                r"dizz\w*.{0,30}bleed\w*",
            ),
        ),
    ),
    Rule(
        "preeclampsia",
        "possible severe pre-eclampsia",
        (_p(r"pregnan\w*", r"postpartum", r"weeks pregnant", r"gave birth"),),
        (
            _p(
                r"(?:severe|bad|terrible) headache",
                r"(?:blurred|blurry|flashing|changes in) vision",
                r"seeing (?:spots|flashing)",
                r"seizure",
                r"blood pressure (?:of |is |was )?1[6-9]\d",
                r"1[6-9]\d ?/ ?1[1-9]\d",
                r"pre-?eclampsia",
                r"eclampsia",
                r"pain (?:under|below) (?:my |the )?ribs",
            ),
        ),
    ),
    Rule(
        "overdose",
        "possible poisoning or overdose",
        (
            _p(
                r"overdos\w*",
                r"took too many",
                r"swallowed (?:a |an |some )?(?:button )?(?:bleach|batter(?:y|ies)|poison|magnets?)",
                r"(?:drank|drunk|swallowed|ingested) (?:some |a little )?(?:bleach|antifreeze|drain cleaner|lye|weed ?killer|pesticide)",
                r"poison\w*",
                r"ingest\w* (?:a |some )?(?:bleach|battery|batteries|antifreeze)",
                r"(?:whole|entire) (?:bottle|pack) of",
                # a count of tablets already taken ("took 20 paracetamol", "swallowed about 30 of her pills")
                r"(?:took|taken|swallowed|ate|eaten) (?:about |around |maybe |like |over |at least )?(?:[1-9]\d|a dozen|dozens)"
                r" (?:of (?:my|his|her|their|the|your) )?(?:\w+ )?(?:tablets?|pills?|capsules?|paracetamol|acetaminophen|"
                r"tylenol|panadol|ibuprofen|aspirin|co-?codamol|codeine|iron|sleeping)\b",
            ),
        ),
    ),
    Rule(
        "dka",
        "possible diabetic ketoacidosis",
        (
            _p(
                r"\bdka\b",
                r"diabetic ketoacidosis",
                r"ketoacidosis",
                r"(?:diabet\w*|blood sugar|glucose).{0,80}(?:vomit\w*|fruity breath|ketones? (?:high|positive)|breathing (?:fast|deep)|confus\w*)",
            ),
        ),
    ),
    Rule(
        "hypoglycaemia",
        "severe low blood sugar",
        (
            _p(
                r"(?:low blood sugar|hypoglyc\w*).{0,60}(?:confus\w*|unconscious|seiz\w*|passed out|won'?t wake|drows\w*)",
                r"(?:confus\w*|unconscious|passed out|won'?t wake).{0,60}(?:low blood sugar|hypoglyc\w*|insulin)",
            ),
        ),
    ),
    Rule(
        "head_injury",
        "head injury with warning signs",
        (
            _p(
                r"head (?:injury|trauma)",
                r"hit (?:my|his|her|their) head",
                r"fell (?:and|on).{0,20}head",
                r"concussion",
                r"bang(?:ed)? (?:my|his|her) head",
            ),
        ),
        (
            _p(
                r"vomit\w*",
                r"unconscious",
                r"passed out",
                r"knocked out",
                r"confus\w*",
                r"seiz\w*",
                r"blood thinner",
                r"warfarin",
                r"anticoagula\w*",
                r"drows\w*",
                r"worsening headache",
                r"clear fluid",
                r"unequal pupils",
                r"weak\w*",
            ),
        ),
    ),
    Rule(
        "aortic_dissection",
        "possible aortic dissection",
        (
            _p(
                r"aortic dissection",
                r"tearing (?:chest |back )?pain",
                r"ripping (?:chest |back )?pain",
                r"(?:chest|back) pain .{0,30}(?:tearing|ripping)",
            ),
        ),
    ),
    Rule(
        "pulmonary_embolism",
        "possible pulmonary embolism",
        (
            _p(
                r"(?:sudden\w* )?short(?:ness)? of breath.{0,80}(?:leg swelling|swollen (?:calf|leg)|after (?:surgery|a flight)|coughing (?:up )?blood|chest pain)",
                r"(?:swollen|painful) (?:calf|leg).{0,80}(?:short(?:ness)? of breath|breathless|chest pain)",
                r"pulmonary embol\w*",
                r"short(?:ness)? of breath.{0,60}(?:calf|leg).{0,30}(?:swollen|swelling|painful)",
            ),
        ),
    ),
    Rule(
        "hypertensive_emergency",
        "very high blood pressure with symptoms",
        (
            _p(
                r"blood pressure (?:of |is |was |at )?(?:18\d|19\d|2\d\d)",
                r"(?:18\d|19\d|2\d\d) ?/ ?(?:1[2-9]\d)",
                r"hypertensive (?:emergency|crisis)",
            ),
        ),
    ),
)

MANIPULATION = re.compile(
    r"ignore (?:all |any |the |your )?(?:previous|prior|above|earlier|preceding) (?:instructions|prompts?|rules)|"
    r"disregard (?:all |your |the )?(?:previous |prior )?(?:instructions|rules|guidelines)|system prompt|jailbreak|"
    r"developer mode|\bdan mode\b|pretend (?:you are|to be|you're)|you are now (?:a|an|my)|act as (?:a|an|my) (?:unfiltered|unrestricted)|"
    r"without (?:any )?(?:warnings?|disclaimers?|safety)|no (?:warnings?|disclaimers?) please|reveal your (?:instructions|prompt)|"
    r"(?:how (?:to|do i|can i|would i)|steps to|recipe for|instructions for) (?:make|making|synthesi[sz]e|cook|manufacture|brew|extract|produce)\w* "
    r"(?:meth|methamphetamine|fentanyl|heroin|cocaine|crack|lsd|mdma|ricin|sarin|a bomb|explosives?|nerve agent|poison)|"
    r"(?:kill|poison|harm|hurt|sedate|drug) (?:someone|somebody|my (?:wife|husband|partner|boss|neighbou?r|mother|father|child)|him|her|a person|people)\b(?! (?:accidentally|by accident))|"
    r"(?:undetectable|untraceable) (?:poison|overdose)|"
    r"(?:get|buy|obtain|order) (?:oxycodone|opioids?|xanax|adderall|fentanyl|benzos?|ketamine|morphine|antibiotics?)\w* without (?:a )?prescription|"
    r"(?:fake|forge|forged|write me) (?:a )?(?:prescription|doctor'?s? note|sick note)|"
    r"(?:pass|cheat|beat|fool) (?:a |my )?(?:drug test|urine test|drug screen)|"
    r"(?:hide|conceal) (?:an? )?(?:overdose|poisoning|injur\w*) from|undetectable|"
    r"(?:pass|beat|cheat) (?:a |my |the )?(?:urine |hair |blood )?(?:drug|tox\w*) (?:test|screen)|doctor'?s note|sick note|"
    r"knock (?:out )?(?:my|him|her|someone)\b.{0,20}\bout\b|knock out (?:my|him|her|someone)|\bas dan\b|"
    r"(?:buy|order|get) .{0,30}(?:with )?no prescription|hidden instructions|(?:your|the) (?:configuration|api keys?)|"
    r"api keys?|secretly (?:sedate|drug|medicate|give)|"
    # taking over the assistant's role
    r"forget (?:that )?(?:you'?re|you are|your (?:role|rules|instructions))|from now on,? you'?(?:re| are)|"
    # falsifying records, prescriptions, claims
    r"(?:change|alter|backdate|forge|fake|falsify|make up|invent|fabricate) (?:the |a |some |my |his |her )?"
    r"(?:date|dates|symptoms?|results?|records?|reports?|prescriptions?|notes?|lab\w*|signatures?|diagnos\w*)|"
    r"so (?:that )?(?:the |my |his |her )?(?:insurer|insurance) (?:will )?(?:pay|cover)"
)
NON_MEDICAL = re.compile(
    r"\b(?:recipe|bake|baking|weather|forecast|stock|stocks|bitcoin|crypto|football|soccer|basketball|movie|film|song|lyrics|poem|"
    r"essay|homework|python|javascript|code|program|compile|sql|capital of|president of|translate|joke|horoscope|lottery|"
    r"car engine|oil change|oil in my car|rain|wifi|router|smartphone|puppy|leaking|tap|compound interest|savings|mortgage|tax(?:es)?|travel itinerary|hotel|restaurant|video game|minecraft|chess)\b"
)
MEDICAL_WORDS = re.compile(
    r"\b(?:pain|ache|aching|sore|fever|cough|rash|symptom\w*|disease\w*|disorder\w*|syndrome\w*|infect\w*|virus|viral|bacteri\w*|"
    r"cancer\w*|tumou?r\w*|diabet\w*|blood|heart|lung\w*|kidney\w*|liver|brain|bone\w*|skin|stomach|bowel\w*|bladder|"
    r"pregnan\w*|baby|infant|child\w*|dose\w*|dosage|mg|drug\w*|medicat\w*|medicine\w*|pill\w*|tablet\w*|treat\w*|therap\w*|"
    r"diagnos\w*|test\w*|scan|x-?ray|mri|ct|surgery|surgical|doctor|clinic\w*|hospital|patient\w*|nurse|vaccin\w*|allerg\w*|"
    r"breath\w*|headache\w*|migraine\w*|nause\w*|vomit\w*|diarrh\w*|constipat\w*|tired\w*|fatigue|dizz\w*|bleed\w*|swell\w*|"
    r"injur\w*|fractur\w*|sprain\w*|wound\w*|burn\w*|health\w*|medical|side effects?|prescri\w*|antibiotic\w*|insulin|"
    r"cholesterol|pressure|sugar|thyroid|hormone\w*|anxiety|depress\w*|sleep\w*|insomnia|alcohol|smok\w*|weight|obes\w*|"
    r"arthritis|asthma|copd|stroke|seizure\w*|epilep\w*|dementia|memory|eye\w*|vision|ear\w*|hearing|throat|teeth|tooth|"
    r"gene\w*|genetic|inherit\w*|chromosom\w*|syndrom\w*|itch\w*|lump\w*|mole\w*|urine|urinat\w*|period\w*|menstru\w*|"
    r"menopaus\w*|contracept\w*|sex\w*|std|sti|hiv|covid\w*|flu|cold|sinus\w*|mental|suicid\w*|overdos\w*|poison\w*|"
    r"anemi\w*|anaemi\w*|vitamin\w*|supplement\w*|diet|nutrition|exercise|screen\w*|prognos\w*|surviv\w*|recover\w*|"
    r"chemo\w*|radiat\w*|immun\w*|cardi\w*|neuro\w*|onco\w*|derma\w*|gastr\w*|hepat\w*|renal|pulmon\w*|ortho\w*|pediatr\w*|"
    r"paediatr\w*|psych\w*|ulcer\w*|hernia|gout|lupus|acne|eczema|psoriasis|shingles|sepsis|septic|anaphyla\w*|numb\w*|"
    r"weak\w*|palpitation\w*|nose\w*|nosebleed\w*|faint\w*|unconscious|wheez\w*|chest|abdom\w*|belly|tummy|back|neck|spine|spinal|joint\w*|muscle\w*)\b"
)


@dataclass
class RuleResult:
    status: str | None  # "urgent", "out_of_scope" or None (go on to retrieval)
    reasons: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    medical: bool = True


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """Rule patterns compiled once (re's own cache holds 512 and thrashes with every reader's patterns)."""
    return re.compile(pattern)


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in CLAUSE_SPLIT.split(text) if c and c.strip()]


def _affirmed(pattern: str, clause: str) -> bool:
    """True if the pattern occurs in the clause without a negation cue in the 5 words before it."""
    for m in _compiled(pattern).finditer(clause):
        before = clause[: m.start()].split()[-5:]
        inside = " ".join(m.group(0).split()[2:])  # a negation inside a long span ("sting ... no swelling")
        if not NEGATION.search(" ".join(before)) and not (len(m.group(0)) > 25 and NEGATION.search(inside)):
            return True
    return False


def _matches(pattern: str, text: str, clauses: list[str]) -> bool:
    # most patterns sit inside one clause; some span clauses ("...fever. She is confused")
    return any(_affirmed(pattern, c) for c in clauses) or (
        ".{0," in pattern and _affirmed(pattern, " ".join(c for c in clauses if not NEGATION.search(c)))
    )


def apply_rules(question: str) -> RuleResult:
    text = plain(question)
    clauses = _clauses(text)
    history = bool(HISTORY_CONTEXT.search(text))
    labels, reasons = [], []
    for rule in RULES:
        if not all(_matches(p, text, clauses) for p in rule.all_of):
            continue
        if rule.any_of and not any(_matches(p, text, clauses) for p in rule.any_of):
            continue
        if history and rule.name != "suicide":
            continue
        if rule.label not in labels:
            labels.append(rule.label)
            reasons.append(rule.name)
    # A request to harm others or to misuse the service is refused even if it names an emergency
    # ("poison"), but never when the asker may be at risk themselves.
    if MANIPULATION.search(text) and "suicide" not in reasons:
        return RuleResult("out_of_scope", ["manipulation"], medical=False)
    if reasons:
        return RuleResult("urgent", reasons, labels)
    medical = bool(MEDICAL_WORDS.search(text))
    if NON_MEDICAL.search(text) and not medical:
        return RuleResult("out_of_scope", ["non_medical"], medical=False)
    return RuleResult(None, medical=medical)


def urgent_notice(result: RuleResult, audience: Audience) -> str:
    what = "; ".join(result.labels) if result.labels else "a possible emergency"
    if "suicide" in result.reasons:
        if audience == Audience.PATIENT:
            return (
                "If you are thinking about ending your life or harming yourself, you deserve help right now: "
                "call or text 988 (Suicide & Crisis Lifeline, US), call your local emergency number (911, 112 or 999), "
                "or go to the nearest emergency department. If you can, stay with someone you trust."
            )
        return (
            "Suicidal intent or self-harm risk: assess immediate safety now (plan, means, intent), do not leave the "
            "person alone, remove means where possible, and arrange same-day emergency psychiatric assessment; "
            "in the US the 988 Suicide & Crisis Lifeline is available by call or text."
        )
    if audience == Audience.PATIENT:
        return (
            f"This may be an emergency ({what}). Call your local emergency number (911 in the US, 112 in Europe, "
            "999 in the UK) or go to the nearest emergency department now. Do not wait for an online answer, "
            "and do not drive yourself if you feel faint or unwell."
        )
    return (
        f"Time-critical presentation ({what}): assess and treat now under your local emergency protocol "
        "(ABCDE, senior help, emergency services). The summary below supports, and does not replace, "
        "immediate clinical assessment."
    )
