"""Word lists and phrase builders for the demo-data generator.

Everything here is plain data plus small helpers that take an explicit
``random.Random`` so that output is deterministic for a given seed.
All names and numbers are fictional (NANP 555 range, Ofcom drama ranges).
"""

from __future__ import annotations

import random

FIRST_NAMES: tuple[str, ...] = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Sophia", "Elijah", "Isabella", "James",
    "Mia", "Lucas", "Amelia", "Mason", "Harper", "Ethan", "Evelyn", "Logan", "Abigail", "Jacob",
    "Chloe", "Jack", "Grace", "Harry", "Poppy", "George", "Freya", "Alfie", "Isla", "Arthur",
    "Priya", "Arjun", "Mei", "Wei", "Yuki", "Hiro", "Fatima", "Omar", "Sofía", "Mateo",
    "Zoë", "Chiara", "Dmitri", "Anya", "Siobhán", "Niamh", "Kwame", "Ama", "Lars", "Ingrid",
)  # fmt: skip

SURNAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson",
    "Taylor", "Anderson", "Thomas", "Moore", "Martin", "Lee", "Thompson", "White", "Harris",
    "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Evans", "Roberts", "Hughes",
    "Patel", "Khan", "Chen", "Nakamura", "Okafor", "Mensah", "O'Brien", "Murphy", "Kowalski",
    "Novak", "Rossi", "Müller", "Dubois", "Fernández", "Ivanova", "Svensson", "Nguyen",
)  # fmt: skip

US_AREA_CODES: tuple[str, ...] = (
    "214", "469", "972", "212", "646", "415", "312", "617", "206", "305", "404", "512", "720",
)  # fmt: skip

DOMAINS_US: tuple[str, ...] = (
    "software.tango-networks",
    "acme-legal.extend-us",
    "northwind.extend-us",
)
DOMAINS_UK: tuple[str, ...] = (
    "harbour-law.extend-uk",
    "contoso.extend-uk",
)

EMOJI: tuple[str, ...] = (
    "😀", "😂", "🙏", "👍", "❤️", "🎉", "😅", "🤔", "🙌", "😎", "🥳", "😬", "🔥", "✅", "🚗", "☕",
    "🍕", "🏖️", "👀", "💯", "👍🏽", "👨‍👩‍👧", "🇬🇧", "🇺🇸", "🤷‍♀️", "😴",
)  # fmt: skip

SHORT_PHRASES: tuple[str, ...] = (
    "ok",
    "OK see you then",
    "On my way",
    "Running 10 mins late, sorry!",
    "Can you call me when you get a sec?",
    "Thanks!",
    "lol",
    "Yes",
    "No worries",
    "Sounds good",
    "Where are you?",
    "Just landed",
    "Did you get my email?",
    "Meeting moved to 3pm",
    "Call me",
    "Happy birthday!!",
    "Got it, thanks",
    "Can't talk now, in a meeting",
    "What time works for you tomorrow?",
    "I'll be there at 7",
    "Parking is a nightmare here",
    "Do you want anything from the shop?",
    "Sent you the file",
    "Haha yes",
    "Brilliant, cheers",
    "Let me check and get back to you",
    "Are we still on for Friday?",
    "Be there in 5",
    "Traffic is terrible on the M25",
    "Who's bringing the charger?",
)

TEMPLATES: tuple[str, ...] = (
    "Hi {name}, are we still on for {day}?",
    "Hey {name}! Just checking in — how did the {thing} go?",
    "Can you send me the {thing} before {time}?",
    "I left the {thing} at reception, ask for {name}",
    "{name} said the {thing} is ready, pick up after {time}",
    "Reminder: {thing} on {day} at {time}",
    "Don't forget the {thing}! {emoji}",
    "Got the {thing}, thanks {name} {emoji}",
    "Meet at the café on {street} at {time}?",
    "Invoice #{num} for the {thing} is attached to my email, total ${amount}",
    'He literally said "{quote}" and walked out',
    'Quote of the day: "{quote}"',
    "Price is £{amount}, or ${amount} if they ship to the US, okay?",
    "Code for the gate is {num}, then second door on the left",
    "Bring: {thing}, {thing2}, and snacks",
    "{name}, {name2} and I are heading to {street}, join us?",
)

THINGS: tuple[str, ...] = (
    "contract", "keys", "slides", "report", "deposit", "dentist appointment", "quote", "parcel",
    "spreadsheet", "visa paperwork", "school run", "interview", "deposition", "site visit",
    "board pack", "passport", "tickets", "laptop", "survey", "boiler service",
)  # fmt: skip

DAYS: tuple[str, ...] = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "tomorrow",
    "the 14th", "next week",
)  # fmt: skip

STREETS: tuple[str, ...] = (
    "Elm St", "Main Street", "High Street", "Baker Street", "5th Ave", "Market St",
    "Commerce St", "Deansgate", "Bold Street", "Ocean Drive",
)  # fmt: skip

QUOTES: tuple[str, ...] = (
    "I'll think about it",
    "that's not my problem",
    "see you in court",
    "it's fine, it's all fine",
    "we'll cross that bridge, when we get to it",
    "no comment",
)

NON_LATIN: tuple[str, ...] = (
    "你好！明天下午三点开会，别忘了带文件。",
    "谢谢你的帮助 🙏",
    "こんにちは、今日は遅れます。すみません！",
    "お誕生日おめでとう 🎂",
    "안녕하세요, 내일 봐요!",
    "Привет! Ты где? Позвони мне, пожалуйста.",
    "Спасибо, всё получил 👍",
    "مرحبا، هل أنت في المكتب اليوم؟",
    "شكرا جزيلا",
    "שלום, אני בדרך",
    "Καλημέρα! Τα λέμε στις 5.",
    "नमस्ते, मैं दस मिनट में पहुँच रहा हूँ",
    "สวัสดีครับ พรุ่งนี้เจอกันนะ",
    "Cześć! Zadzwoń do mnie jak będziesz mógł.",
    "Olá! Já chegaste? Estou à porta.",
    "Ça marche, à demain 😘",
    "Grüße aus München! Wir sind gut angekommen.",
)

LONG_SENTENCES: tuple[str, ...] = (
    "So I spoke to the landlord this morning and he says the repairs won't start until the "
    "insurance assessor has been round, which could be another two weeks.",
    "Meanwhile the damp in the back bedroom is getting worse and I've had to move everything "
    "into the living room, which, as you can imagine, is not ideal.",
    "I've kept copies of every email and photo, dated, in case we need them later.",
    "Can you remind me what the notice period was in the original tenancy agreement?",
    "Also, the kids' school called about the trip on the 21st — they need the consent form "
    "and £15 by Friday, otherwise they can't go.",
    "I know it's a lot to ask, but could you drop the form off on your way past?",
    "The meeting with the client went fine in the end; they want a revised quote with the "
    "extra phase broken out, and they asked whether we can start in October.",
    "I said we'd confirm by Wednesday.",
    "Let me know what you think, no rush, and thanks again for everything this week ❤️",
)

SUBJECTS: tuple[str, ...] = (
    "Photos",
    "Re: weekend 🏖️",
    "Contact",
    "Voice note",
    "Site pictures",
    "Receipt",
    "Fwd: this made me laugh 😂",
    "Party!",
    "Damage to the car",
    "Our new place",
)

ALPHA_SENDERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "AMAZON",
        (
            "Your package with Bluetooth Speaker will be delivered today between 10:00 and "
            "14:00. Track: https://amzn.example/t/{code}",
            "Amazon: Your one-time password is {otp}. Don't share it with anyone.",
        ),
    ),
    (
        "Amazon",
        (
            "Delivered: your package was left at the front door. Photo: "
            "https://amzn.example/p/{code}",
        ),
    ),
    (
        "HSBC",
        (
            "HSBC: Your verification code is {otp}. We will NEVER call you to ask for this code.",
            "HSBC: A payment of £{amount} to TESCO STORES was declined. If this wasn't you, "
            "call the number on the back of your card.",
        ),
    ),
    (
        "DPD",
        (
            "DPD: Your parcel {code} from ASOS will be delivered on {day} between 11:23 and "
            "12:23. Manage: dpd.example/{code}",
            "DPD: Your driver Sam is 3 stops away. Your parcel will be with you at approx 14:05.",
        ),
    ),
)

SHORT_CODES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "72345",
        (
            "Your verification code is {otp}",
            "PharmaPlus: Your prescription is ready for pickup. Reply STOP to opt out.",
        ),
    ),
    (
        "262966",
        (
            "Reminder: your appointment is on {day} at 9:30 AM. Reply C to confirm, R to "
            "reschedule. Msg&data rates may apply.",
            "Alert: Your card ending 4242 was charged ${amount}. Reply HELP for help, STOP to end.",
        ),
    ),
)
SHORT_CODE_REPLIES: tuple[str, ...] = ("C", "STOP", "YES", "HELP")


def random_name(rng: random.Random) -> str:
    """A fictional "First Last" name."""
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        name=rng.choice(FIRST_NAMES),
        name2=rng.choice(FIRST_NAMES),
        day=rng.choice(DAYS),
        time=f"{rng.randint(7, 21)}:{rng.choice(('00', '15', '30', '45'))}",
        thing=rng.choice(THINGS),
        thing2=rng.choice(THINGS),
        street=rng.choice(STREETS),
        quote=rng.choice(QUOTES),
        num=rng.randint(1000, 99999),
        amount=f"{rng.randint(5, 950)}.{rng.randint(0, 99):02d}",
        emoji=rng.choice(EMOJI),
        code=f"{rng.getrandbits(40):010X}",
        otp=f"{rng.randint(0, 999999):06d}",
    )


def service_text(template: str, rng: random.Random) -> str:
    """Fill an alphanumeric-sender or short-code template."""
    return _fill(template, rng)


def long_text(rng: random.Random) -> str:
    """A > 500 character message, sometimes with paragraph breaks."""
    sentences = list(LONG_SENTENCES)
    rng.shuffle(sentences)
    out = ""
    for s in sentences:
        sep = "" if not out else ("\n\n" if rng.random() < 0.3 else " ")
        out += sep + s
        if len(out) > 520 and rng.random() < 0.5:
            break
    return out


def multiline_text(rng: random.Random) -> str:
    """A short list-like message with line breaks."""
    items = rng.sample(THINGS, rng.randint(2, 5))
    head = rng.choice(("Shopping list:", "To do:", "Don't forget", "For Saturday:"))
    return head + "\n" + "\n".join(f"- {i}" for i in items)


def chat_text(rng: random.Random) -> str:
    """One realistic person-to-person message."""
    r = rng.random()
    if r < 0.30:
        text = rng.choice(SHORT_PHRASES)
    elif r < 0.70:
        text = _fill(rng.choice(TEMPLATES), rng)
    elif r < 0.78:
        text = rng.choice(NON_LATIN)
    elif r < 0.84:
        text = multiline_text(rng)
    elif r < 0.88:
        text = long_text(rng)
    elif r < 0.94:
        text = " ".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 3)))
    else:
        text = f"{rng.choice(SHORT_PHRASES)}, {_fill(rng.choice(TEMPLATES), rng).lower()}"
    if rng.random() < 0.15 and not text.endswith(tuple(EMOJI)):
        text += " " + rng.choice(EMOJI)
    return text
