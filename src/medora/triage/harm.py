"""Harm and misuse: requests Medora refuses, each with a short reason the reader sees.

Classes: harming or covertly medicating another person, concealing harm, lethal amounts for someone
else, forged prescriptions or records, diverting or extracting controlled drugs (or obtaining them without
a prescription), making weapons or drugs, and attempts to take over the assistant's role. A clinician
framing ("as a nurse...") does not change a harm request. A person at risk of harming themselves is never
refused: that is the crisis notice (rules.SELF_HARM), checked before this reader.

Usage example::

    harm("how can I put something in my husband's tea so he sleeps without knowing")   # 'covert'
"""

from __future__ import annotations

import re

from medora.text import plain

OTHER = (
    r"(?:my |our |the |his |her |a |an |this )?(?:wife|husband|partner|boyfriend|girlfriend|ex|spouse|boss|coworker|"
    r"co-worker|colleague|neighbou?r|roommate|room-mate|flatmate|mother|mom|mum|father|dad|stepdad|stepmom|"
    r"mother-in-law|father-in-law|grandma|grandpa|grandmother|grandfather|son|daughter|child|kid|baby|brother|"
    r"sister|teacher|classmate|friend|patient|resident|client|elderly (?:patient|resident|man|woman)|"
    r"old (?:man|woman|lady)|guy|girl|woman|man|adult|human|person|someone|somebody|people|him|her|them)"
)
INTENT = (
    r"(?:how (?:can|do|could|would|should|to) (?:i|we|you|one|someone)?|(?:i|we) (?:want|need|plan|am going|'m going|wanna|gonna|intend)"
    r" to|ways? to|best way to|easiest way to|quickest way to|help me|what (?:would|can|could) (?:i|we) use to|tell me how to|"
    r"what (?:should|could) i (?:give|use|put) to|is there a way to)"
)
GIVE = re.compile(
    r"\b(?:give|giving|gave|put|putting|slip|slipping|sneak|sneaking|mix|mixing|crush|crushing|dissolve|add|adding|spike|"
    r"spiking|dose|dosing|medicate|sedate|feed|administer|get (?:him|her|them) to (?:take|swallow|drink))\b"
)
COVERT = re.compile(
    r"without (?:\w+ ){0,3}(?:knowing|noticing|knowledge|consent|permission|finding out|tasting|realizing|realising|telling)|"
    r"secretly|covertly|on the sly|behind (?:his|her|their) backs?|can'?t taste|won'?t (?:taste|notice)|tasteless|"
    r"so (?:that )?(?:he|she|they) (?:doesn'?t|don'?t|won'?t|can'?t|wouldn'?t|cannot|will not|does not) (?:notice|know|taste|tell|find out|realise|realize)"
)
TARGET = re.compile(rf"\b{OTHER}\b")
OWN_MEDICINE = re.compile(
    r"\b(?:prescribed|(?:his|her|their) (?:own )?(?:medicine|medication|meds|antibiotics?|tablets|pills|dose)|"
    r"won'?t take (?:his|her|their)|refuses? (?:to take )?(?:his|her|their)|hates the taste|picky)\b"
)
_P = {
    "harm_other": (
        rf"{INTENT}.{{0,40}}(?:kill|poison|murder|hurt|harm|injure|incapacitate|paraly[sz]e|knock out|overdose) {OTHER}\b"
        r"(?! (?:accidentally|by accident))",
        rf"{INTENT}.{{0,30}}make {OTHER} (?:\w+ )?(?:sick|ill|vomit|throw up|pass out|unconscious|have a heart attack|have a seizure)",
        r"\b(?:kill|murder|poison) (?:my |our |this |that )(?:wife|husband|partner|boss|coworker|neighbou?r|roommate|mother|"
        r"mom|mum|father|dad|stepdad|stepmom|baby|son|daughter|brother|sister|ex|boyfriend|girlfriend)\b",
        r"(?:knock|put) (?:him|her|them|someone|somebody) (?:out|to sleep) (?:for good|permanently|forever)",
        r"(?:drug|roofie|spike) (?:a |her |his |their |someone'?s? )?(?:drink|date)\b",
        r"(?:date rape|roofies?|rohypnol) (?:drug )?(?:to|for|in|into)",
        rf"{INTENT}.{{0,30}}(?:smother|suffocate|strangle|choke) {OTHER}",
        r"make (?:it|his|her|their) death (?:look|seem)",
        r"(?:weaponi[sz]e|make a weapon|nerve agent|(?:make|produce|extract|culture|grow|get) (?:ricin|sarin|anthrax|botulinum toxin))",
    ),
    "concealment": (
        r"(?:undetectable|untraceable|leaves? no trace|without (?:a )?trace|wouldn'?t show up|won'?t show up|doesn'?t show up|"
        r"not show up|can'?t be detected|cannot be detected|hard to detect|avoid detection|escape detection)"
        r".{0,60}(?:poison|drug|overdose|autopsy|tox\w*|screen|test|death|kill|sedat\w*|insulin|potassium|injection)?",
        r"(?:show up|be found|be detected|detectable) (?:on|in|by) (?:an? |the )?(?:autopsy|post-?mortem|tox(?:icology)? (?:screen|report)|coroner)",
        r"(?:look like|seem like|pass (?:it )?off as|disguise (?:it )?as) (?:an? )?(?:accident|natural (?:causes|death)|heart attack|suicide|sids)",
        r"(?:hide|conceal|cover up) (?:the )?(?:bruises?|injur\w*|poisoning|overdose|evidence|marks?) (?:from|so)",
    ),
    "lethal_other": (
        rf"(?:lethal|fatal|deadly|killing) (?:dose|amount|quantity|level).{{0,60}}(?:for|to kill|to give|in) {OTHER}",
        rf"how (?:much|many) .{{0,60}}(?:would|to|will|could) (?:kill|be fatal for|be lethal (?:to|for)|stop the heart of) {OTHER}",
        r"how (?:much|many) .{0,60}(?:give|slip|put) .{0,40}(?:kill|die|never wake|not wake)",
        r"(?:dose|amount|how much|how many).{0,60}(?:stop|arrest) (?:the |a |my |his |her |their )?(?:\w+(?:'s)? )?heart",
    ),
    "forgery": (
        r"(?:forge|fake|falsify|fabricate|counterfeit|doctor|alter|backdate|back-date|change|edit|photoshop|tamper with|write (?:myself|me))"
        r" (?:a |an |the |my |his |her |some |this )?(?:prescription|script|rx|sick note|doctor'?s? note|medical (?:certificate|note|record|report|letter)|"
        r"fit note|lab (?:results?|report)|test results?|records?|chart|vaccin\w* (?:card|record|certificate)|covid (?:test|pass)|"
        r"signature|date on|dose on|quantity on|disability (?:form|claim)|insurance claim|mar\b|medication administration record)",
        r"(?:make|create|write|print|generate) (?:me )?(?:a |an )?(?:fake|forged|false|fraudulent|bogus|realistic[- ]looking) "
        r"(?:prescription|script|note|certificate|record|report|result|letter|id)",
        r"(?:prescription pad|dea number|npi number).{0,60}(?:use|borrow|steal|copy|fill)",
        r"(?:so (?:that )?)?(?:the |my )?(?:insurer|insurance|employer|school|court) (?:will )?(?:pay|cover|believe|accept).{0,40}(?:fake|false|didn'?t|never|made up)",
        r"(?:change|alter|edit|backdate) .{0,30}(?:records?|chart|notes?|results?|documentation) (?:so|to hide|to cover|after)",
        r"(?:doctor'?s note|sick note|medical excuse) (?:without|for (?:a day|work|school) (?:when|but) (?:i'?m|i am) not sick)",
    ),
    "diversion": (
        r"(?:steal|divert|pocket|skim|swipe|take home|keep|sell|resell|trade) .{0,40}(?:opioids?|oxy\w*|fentanyl|morphine|dilaudid|"
        r"hydromorphone|hydrocodone|vicodin|percocet|codeine|ketamine|benzos?|xanax|alprazolam|valium|adderall|ritalin|"
        r"controlled (?:drugs?|substances?)|narcotics?|patients'? (?:meds|medications?|pills))",
        r"(?:extract|isolate|separate|pull out|get the) .{0,40}(?:oxycodone|hydrocodone|codeine|fentanyl|morphine|opioid|dxm|"
        r"pseudoephedrine|amphetamine|buprenorphine|the active (?:drug|ingredient)) (?:from|out of)",
        r"cold water extraction|(?:shake and bake|cook) (?:meth|crack)|(?:turn|convert) .{0,30}into (?:meth|heroin|crack|morphine)",
        r"(?:get|buy|obtain|order|score|purchase|acquire|source) .{0,50}(?:oxy\w*|opioids?|fentanyl|morphine|xanax|alprazolam|"
        r"benzos?|valium|diazepam|adderall|ritalin|ketamine|tramadol|codeine|percocet|vicodin|hydrocodone|dilaudid|"
        r"lean|promethazine with codeine|steroids?|ozempic|semaglutide|antibiotics?|controlled (?:drugs?|substances?))\w*"
        r" .{0,30}(?:without (?:a |any )?(?:prescription|script|rx|doctor)|no (?:prescription|script|rx)|online without|off the street|"
        r"dark ?web|from a dealer)",
        r"(?:without (?:a |any )?(?:prescription|script|rx)).{0,40}(?:get|buy|obtain|order) .{0,30}(?:oxy\w*|opioids?|fentanyl|xanax|"
        r"benzos?|adderall|ketamine|tramadol|codeine|morphine)",
        r"(?:fool|trick|con|convince|lie to|manipulate) (?:my |the |a )?(?:doctor|gp|physician|pharmacist|prescriber|er|clinic)"
        r" .{0,60}(?:prescri\w*|give me|into giving|script|opioid|oxy|xanax|adderall|benzo|pain ?killers?)",
        r"(?:what (?:to|should i) say|which symptoms (?:to|should i) (?:fake|claim|describe)) .{0,60}(?:get|to be prescribed|prescription)"
        r" .{0,30}(?:oxy\w*|opioid|xanax|adderall|benzo|pain ?killers?|ketamine|ritalin|valium)",
        r"(?:how|ways?) to (?:make|synthesi[sz]e|cook|manufacture|brew|produce) (?:meth|methamphetamine|fentanyl|heroin|cocaine|crack|lsd|"
        r"mdma|ghb|dmt|ricin|sarin|a bomb|explosives?|nerve agent|poison)",
        r"(?:pass|cheat|beat|fool|trick) (?:a |my |the )?(?:urine |hair |blood |saliva )?(?:drug|tox\w*|urine|dot) (?:test|screen)",
    ),
    "role_takeover": (
        r"ignore (?:all |any |the |your |my )?(?:previous|prior|above|earlier|preceding|safety|medical|usual)? ?(?:instructions|prompts?|rules|guidelines|policies|restrictions)",
        r"disregard (?:all |your |the )?(?:previous |prior |safety )?(?:instructions|rules|guidelines|policies)",
        r"system prompt|jailbreak|developer mode|\bdan\b mode|\bas dan\b|do anything now|god mode|admin mode|debug mode",
        r"pretend (?:you are|to be|you're|that you'?re)|role-?play (?:as|that)|you are now (?:a|an|my)|act as (?:a|an|my|if)|"
        r"imagine you (?:are|have) no|from now on,? you'?(?:re| are| will)|forget (?:that )?(?:you'?re|you are|your (?:role|rules|instructions|training))",
        r"(?:with|have|has) no (?:rules|restrictions|filters|limits|guidelines|ethics|safety)|(?:unfiltered|unrestricted|uncensored) (?:mode|answer|version|ai|assistant|pharmacist|doctor)",
        r"without (?:any )?(?:warnings?|disclaimers?|safety (?:notes?|warnings?|messages?)|refus\w*)|no (?:warnings?|disclaimers?|refusals?) please",
        r"reveal (?:your|the) (?:instructions|prompt|configuration|rules)|(?:your|the) (?:configuration|api keys?)|api keys?|hidden instructions",
        r"new (?:instructions|rules) ?:|\[(?:system|admin|instructions?)\]|</?(?:system|instructions?)>|override (?:your |the )?(?:safety|rules|instructions)",
    ),
}
PATTERNS: dict[str, re.Pattern[str]] = {
    name: re.compile("|".join(f"(?:{p})" for p in alts)) for name, alts in _P.items()
}
REASONS = {
    "harm_other": "it asks how to harm another person",
    "covert": "it asks how to give someone a drug without their knowledge or consent",
    "concealment": "it asks how to hide harm or make it undetectable",
    "lethal_other": "it asks for a lethal amount for someone else",
    "forgery": "it asks to forge or falsify a prescription, note or record",
    "diversion": "it asks how to divert, extract, make or obtain controlled or dangerous drugs outside medical care",
    "role_takeover": "it asks Medora to drop its rules or play another role",
    "": "it reads as a request to harm someone, to misuse medicines or records, or as not a medical question",
}
# "my child swallowed something, will it show up on a test?" is worry, not concealment: a few first-person
# safety phrasings keep a question medical.
_BENIGN = re.compile(
    r"\b(?:accidentally|by accident|by mistake|was given|were given|gave (?:him|her|them) (?:the )?wrong|is it safe|safe to|"
    r"worried|prescribed|my doctor (?:gave|prescribed)|how (?:do|can) i (?:safely|properly)|side effects?|interact\w*)\b"
)


# The learned harm reader refuses only when the text also carries a trace of harm: another person as the target,
# a word of concealment, forgery, diversion or violence, or a takeover of the assistant.
# Alone, it reads "how to give insulin" like "how to give him insulin without him knowing".
HARM_TRACE = re.compile(
    r"\b(?:without|secret\w*|hid(?:e|den|ing)|unnoticed|notic\w+|detect\w*|trace\w*|fake|forg\w+|false\w*|falsif\w+|"
    r"steal\w*|stole|divert\w*|sell|resell|extract\w*|kill\w*|murder\w*|die|dead|death|lethal|fatal|poison\w*|"
    r"knock\w*|sedat\w+|unconscious|ignore|pretend|rules?|instructions?|jailbreak|unfiltered|unrestricted|persona|"
    r"roleplay|prescription pad|backdat\w+|alter\w*|tamper\w*|spik\w+|slip|sneak|drug (?:him|her|them)|"
    r"revenge|punish\w*|hurt|harm|get rid of|teach (?:him|her|them) a lesson|wouldn'?t know|won'?t know)\b"
)


def has_harm_trace(text: str) -> bool:
    t = plain(text)
    return bool(HARM_TRACE.search(t) or TARGET.search(t))


def covert(text: str) -> bool:
    """Giving another person something without their knowledge (a parent hiding a child's own medicine is not)."""
    return bool(GIVE.search(text) and COVERT.search(text) and TARGET.search(text) and not OWN_MEDICINE.search(text))


def harm(question: str) -> str | None:
    """The harm class a request falls in (see REASONS), or None."""
    text = plain(question)
    if covert(text):
        return "covert"
    for name, rx in PATTERNS.items():
        m = rx.search(text)
        if not m:
            continue
        if name in {"concealment", "lethal_other"} and _BENIGN.search(text):
            continue
        if name == "harm_other" and _BENIGN.search(text) and not re.search(r"\b(?:kill|poison|murder|smother)\b", text):
            continue
        return name
    return None


def reason(kind: str) -> str:
    return f"Medora cannot help with this request because {REASONS.get(kind, 'it asks for something harmful')}."
