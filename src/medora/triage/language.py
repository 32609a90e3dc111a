"""Questions not in English: detect the language, flag obvious emergencies, and say so in that language.

Medora's library and rules are English. A question in another language is never refused and never met
with silence: it gets a short note, in that language where we have one, that Medora cannot read it
reliably, and always the emergency line. A small emergency vocabulary for the commonest languages
(Spanish, French, Portuguese, German, Hindi/Urdu in Latin script, Chinese, Arabic, Russian) flags the
obvious emergencies; it runs on every question, so mixed-language messages are caught too.

Language identification is py3langid (a maintained fork of langid.py, offline, about 0.1 ms a question
once loaded); it loads lazily, only for questions that do not already read as English.

Usage example::

    detect("mi hijo se tragó una pila de botón")          # Language(code='es', name='Spanish')
    emergency_terms("mi hijo se tragó una pila de botón")  # ['button battery or poison swallowed']
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

_LANGS = [
    "en",
    "es",
    "fr",
    "pt",
    "de",
    "it",
    "nl",
    "pl",
    "ru",
    "uk",
    "tr",
    "ar",
    "fa",
    "ur",
    "hi",
    "bn",
    "zh",
    "ja",
    "ko",
    "vi",
    "tl",
    "id",
    "sw",
    "ro",
]
NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "pt": "Portuguese", "de": "German", "it": "Italian",
    "nl": "Dutch", "pl": "Polish", "ru": "Russian", "uk": "Ukrainian", "tr": "Turkish", "ar": "Arabic",
    "fa": "Persian", "ur": "Urdu", "hi": "Hindi", "hi-Latn": "Hindi or Urdu (Latin script)", "bn": "Bengali",
    "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "vi": "Vietnamese", "tl": "Tagalog", "id": "Indonesian",
    "sw": "Swahili", "ro": "Romanian",
}  # fmt: skip
ENGLISH_WORDS = frozenset(
    "a an the i my me he she his her him they their we our you your it is are was were be been am do does did "
    "have has had can could should would will what how why when which who where and or but not no with without "
    "of in on at to for from after before about this that these those there pain hurts hurt take taking took "
    "doctor medicine mg dose day days week weeks year years old ago since yesterday today tonight now please "
    "help just really very much many some any if so also still since normal high low blood test".split()
)
HINGLISH = re.compile(
    r"\b(?:hai|hain|nahi|nahin|mein|mujhe|mera|meri|mere|ko|ka|ki|ke|bahut|bohot|raha|rahi|rahe|ho|kya|aur|"
    r"kuch|abhi|dard|saans|bukhar|khoon|behosh|pet|sir|sar|seene|chhati|dawai|dawa|beta|beti|bachcha|bacche|"
    r"papa|mummy|ammi|abbu|nana|nani|dada|dadi|jaldi|kaise|kyun|kab|lag|gaya|gayi|liya|diya)\b"
)

# Obvious emergencies in the commonest languages (written for Medora; deliberately short and broad).
_EMERGENCY: dict[str, tuple[str, ...]] = {
    "chest pain": (
        r"dolor (?:fuerte |muy fuerte |intenso )?(?:en el |del |de )pecho",
        r"douleur(?:s)? (?:forte |intense )?(?:à la|dans la|de) poitrine",
        r"douleur thoracique",
        r"dor (?:forte )?no peito",
        r"brustschmerz",
        r"schmerzen in der brust",
        r"(?:seene|sine|chhati|chaati) (?:mein|me|mai) (?:bahut |bohot |tez )?dard",
        r"胸(?:口|部)?(?:很|好|非常|剧烈)?(?:痛|疼)",
        r"ألم (?:شديد )?(?:في|ب)(?:ال)?صدر",
        r"боль в груди",
    ),
    "cannot breathe": (
        r"no (?:puede|puedo|podía) respirar",
        r"no respira",
        r"ne (?:respire|respirait) (?:plus|pas)",
        r"n'arrive (?:pas|plus) à respirer",
        r"não (?:consegue|consigo) respirar",
        r"não (?:está )?respira",
        r"(?:bekommt|kriegt|habe) keine luft",
        r"atmet nicht",
        r"saans (?:nahi|nahin|nai) (?:aa|le|ho)",
        r"saans lene (?:mein|me) (?:bahut )?(?:dikkat|taklif|pareshani)",
        r"(?:喘不过气|不能呼吸|无法呼吸|呼吸困难|没有呼吸)",
        r"(?:لا|ما) (?:يستطيع|أستطيع|تستطيع|يقدر) (?:ال)?تنفس",
        r"ضيق (?:شديد )?في (?:ال)?تنفس",
        r"не (?:может )?дыш",
        r"labios (?:azules|morados)",
        r"lèvres bleues",
        r"lábios (?:roxos|azuis)",
        r"blaue lippen",
        r"嘴唇发紫",
    ),
    "unconscious or not waking": (
        r"inconsciente",
        r"no (?:se )?despierta",
        r"desmay(?:ó|o|ado|ada)",
        r"inconscient",
        r"ne se réveille pas",
        r"perdu connaissance",
        r"não acorda",
        r"desmai(?:ou|ado|ada)",
        r"bewusstlos",
        r"nicht ansprechbar",
        r"wacht nicht (?:mehr )?auf",
        r"behosh",
        r"hosh (?:nahi|nahin|mein nahi)",
        r"(?:昏迷|叫不醒|失去意识|晕倒)",
        r"فاقد (?:لل)?وعي",
        r"إغماء",
        r"لا يستيقظ",
        r"без сознания",
    ),
    "seizure": (
        r"convulsi(?:ón|on|ones|ona|onando)",
        r"convulsion",
        r"convuls(?:ão|ões|ionando)",
        r"krampfanfall",
        r"krampft",
        r"daura (?:pad|aa)",
        r"(?:抽搐|癫痫发作)",
        r"تشنج",
        r"судорог",
    ),
    "heavy bleeding": (
        r"sangr(?:ado|a|ando) (?:mucho|abundante|sin parar|muchísimo)",
        r"saigne (?:beaucoup|abondamment|sans arrêt)",
        r"hémorragie",
        r"sangr(?:amento|ando) (?:muito|forte|intenso)",
        r"hemorragia",
        r"blutet (?:stark|sehr)",
        r"starke blutung",
        r"khoon (?:bahut |bohot )?(?:bah|nikal|ja)",
        r"(?:大出血|流血不止)",
        r"نزيف",
        r"кровотечени",
    ),
    "button battery or poison swallowed": (
        r"(?:se )?trag(?:ó|o) (?:una |un )?(?:pila|batería|veneno|lejía|cloro|pastillas|imán)",
        r"pila de botón",
        r"envenen",
        r"(?:a |il a |elle a )?avalé (?:une |du |de l'|des )?(?:pile|poison|eau de javel|médicaments|aimant)",
        r"pile bouton",
        r"engoli(?:u|r) (?:uma |um )?(?:pilha|bateria|veneno|água sanitária|remédios)",
        r"envenen",
        r"knopfzelle",
        r"batterie verschluckt",
        r"verschluckt",
        r"vergiftung",
        r"(?:battery|batri|zeher|zahar|jahar) (?:nigal|kha|pi)",
        r"nigal (?:liya|li|gaya|gayi)",
        r"吞了",
        r"中毒",
        r"ابتلع",
        r"تسمم",
        r"отравлени",
        r"sobredosis",
        r"surdose",
        r"überdosis",
        r"过量",
    ),
    "stroke signs": (
        r"cara (?:caída|torcida|chueca)",
        r"no puede hablar",
        r"derrame (?:cerebral)?",
        r"\bictus\b",
        r"visage (?:paralysé|tordu)",
        r"\bavc\b",
        r"boca torta",
        r"schlaganfall",
        r"gesicht hängt",
        r"lakwa",
        r"脸歪",
        r"中风",
        r"سكتة دماغية",
        r"инсульт",
    ),
    "heart attack": (
        r"infarto",
        r"ataque (?:al corazón|cardíaco|cardiaco)",
        r"crise cardiaque",
        r"infarctus",
        r"herzinfarkt",
        r"dil ka daura",
        r"(?:心脏病发作|心梗)",
        r"نوبة قلبية",
        r"جلطة",
        r"инфаркт",
    ),
    "fever with non-fading spots": (
        r"fiebre .{0,60}manchas",
        r"fièvre .{0,60}(?:taches|boutons)",
        r"febre .{0,60}manchas",
        r"fieber .{0,60}flecken",
        r"manchas (?:roxas|moradas)",
        r"taches violettes",
    ),
}
_SELF_HARM = (
    r"suicid",
    r"quiero morir(?:me)?",
    r"matarme",
    r"quitarme la vida",
    r"me tuer",
    r"veux mourir",
    r"en finir",
    r"me matar",
    r"quero morrer",
    r"umbringen",
    r"sterben will",
    r"nicht mehr leben",
    r"marna chaht[ai]",
    r"khudkushi",
    r"aatmahatya",
    r"自杀",
    r"想死",
    r"انتحار",
    r"أريد أن أموت",
    r"أقتل نفسي",
    r"покончить с собой",
    r"хочу умереть",
)
EMERGENCY = {label: re.compile("|".join(alts)) for label, alts in _EMERGENCY.items()}
SELF_HARM = re.compile("|".join(_SELF_HARM))

NOTICES = {
    "en": "Medora cannot yet read questions in {lang} reliably. If this is an emergency, call your local emergency number now (112 in Europe, 911 in the US, 999 in the UK).",
    "es": "Medora todavía no puede leer bien preguntas en español. Si es una emergencia, llame ahora al número de emergencias (112 en Europa, 911 en EE. UU. y gran parte de América Latina).",
    "fr": "Medora ne sait pas encore lire correctement les questions en français. En cas d'urgence, appelez maintenant le numéro d'urgence (112 en Europe, 15 en France).",
    "pt": "O Medora ainda não consegue ler bem perguntas em português. Se for uma emergência, ligue agora para o número de emergência (112 na Europa, 192 no Brasil).",
    "de": "Medora kann Fragen auf Deutsch noch nicht zuverlässig lesen. Wenn es ein Notfall ist, rufen Sie jetzt den Notruf 112 an.",
    "hi-Latn": "Medora abhi is bhasha ke sawal theek se nahi padh sakta. Agar yeh emergency hai, to abhi emergency number par call karein (India mein 112, Pakistan mein 1122).",
    "zh": "Medora 目前还无法可靠地理解中文问题。如果是紧急情况，请立即拨打当地急救电话（中国大陆 120，欧洲 112，美国 911）。",
    "ar": "لا يستطيع Medora بعدُ قراءة الأسئلة باللغة العربية بدقة. إذا كانت هذه حالة طارئة، اتصل الآن برقم الطوارئ المحلي (112 أو 911 أو 999).",
}


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1, or 'hi-Latn' for Hindi/Urdu written in Latin letters
    name: str

    @property
    def english(self) -> bool:
        return self.code == "en"


ENGLISH = Language("en", "English")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _identifier():  # noqa: ANN202 (py3langid has no types)
    from py3langid.langid import _load_identifier

    with _lock:
        return _load_identifier(norm_probs=True, langs=_LANGS)


def detect(text: str) -> Language:
    """The question's language; English unless another language is clear (short or numeric text stays English)."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    if not words:
        return ENGLISH
    non_latin = sum(1 for ch in text if ch.isalpha() and ord(ch) > 0x24F)
    if not non_latin:
        english = sum(w in ENGLISH_WORDS for w in words)
        if len(HINGLISH.findall(text.lower())) >= 3 and english / len(words) < 0.3:
            return Language("hi-Latn", NAMES["hi-Latn"])
        if english / len(words) >= 0.25 or len(words) < 3:
            return ENGLISH
    code, prob = _identifier().classify(text)
    if code == "en" or (prob < 0.5 and not non_latin):
        return ENGLISH
    return Language(code, NAMES.get(code, code))


def emergency_terms(text: str) -> list[str]:
    t = text.lower()
    return [label for label, rx in EMERGENCY.items() if rx.search(t)]


def self_harm(text: str) -> bool:
    return bool(SELF_HARM.search(text.lower()))


def notice(language: Language) -> str:
    """'We cannot read this reliably; if it is an emergency call now', in that language and in English."""
    english = NOTICES["en"].format(lang=language.name)
    local = NOTICES.get(language.code)
    return f"{local} {english}" if local else english
