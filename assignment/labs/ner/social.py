"""Seeded generator of a synthetic social-media NER set: short posts, six entity types,
most of them rare and short, with new surface forms at test time.

Modelled on the shape of WNUT-17 (emerging and rare entities in user-generated text),
not on its content: the types are person, location, corporation, product, creative-work
and group; posts carry @handles, #hashtags, emoticons, slang, lower-case and shouted
text; most posts hold no entity; person and location are common, the other four rare;
and the dev and test posts (every 10th post from the 9th, and from the 10th, which is
how ``split_examples`` splits a CoNLL file) mostly mention names that never occur in
training. Every name is made up here or is an ordinary first name or place name.
``python -m assignment ner social`` rewrites data/social.conll byte for byte.
"""
import random

TYPES = ["person", "location", "corporation", "product", "creative-work", "group"]

FIRST = ["jake", "emma", "liam", "sofia", "noah", "mia", "ethan", "ava", "lucas", "chloe", "mason", "zoe",
         "owen", "lily", "caleb", "nora", "isaac", "ruby", "leo", "hazel", "miles", "ivy", "felix", "cora",
         "theo", "jade", "reza", "amaya", "kenji", "dara", "tariq", "ines", "bram", "oona", "pavel", "yara",
         # also ordinary words, which posts use in lower case
         "will", "hope", "grace", "mark", "jack", "summer", "april", "dawn", "bill", "rose", "faith", "chase"]
LAST = ["moreno", "tanaka", "okoye", "fischer", "brennan", "kowalski", "haddad", "lindgren", "ferreira",
        "nakamura", "oduya", "castell", "petrov", "quinlan", "vasquez", "achebe", "halloran", "stroud"]
PLACES = ["austin", "toronto", "leeds", "berlin", "lisbon", "nairobi", "melbourne", "denver", "oslo", "glasgow",
          "brooklyn", "seattle", "dublin", "cardiff", "portland", "manila", "lagos", "boston", "miami", "kyoto",
          "texas", "ohio", "vegas", "chicago", "paris", "madrid", "atlanta", "detroit", "jersey", "london",
          "reading", "nice", "bath", "mobile", "orange", "phoenix", "split", "college station"]
CORP_HEAD = ["zen", "blue", "kraft", "nova", "pixel", "bolt", "lumo", "quanta", "vex", "orbi", "tala", "brix",
             "fizz", "kora", "nimbo", "strato", "yumi", "grit", "halo", "juno"]
CORP_TAIL = ["ly", "bank", "air", "box", "mart", "soft", "tel", "net", "co", "works", "labs", "go"]
PRODUCT_HEAD = ["phone", "pad", "buds", "watch", "cam", "book", "drive", "station", "pods", "tab"]
PRODUCT_TAIL = ["x", "pro", "2", "mini", "max", "s9", "air", "one", "lite", "5"]
WORK_WORDS = ["midnight", "echoes", "paper", "hearts", "silver", "river", "ghost", "city", "summer", "wolves",
              "glass", "kingdom", "neon", "dreams", "broken", "tide", "wild", "empire", "velvet", "storm"]
GROUP_HEAD = ["the", "los", "young", "north", "black", "red"]
GROUP_TAIL = ["foxes", "lanterns", "rovers", "comets", "hollows", "saints", "wolves", "kings", "vandals", "tides"]

# How often each type is picked for an entity slot: person and location common, four rare.
TYPE_WEIGHTS = [10, 6, 1.2, 1.0, 1.0, 1.0]
# Phrases around one entity ({x}); the context hints at the type, or not at all (ANY).
CONTEXT = {
    "person": ["{x} just posted", "with {x}", "talked to {x} today", "miss you {x}", "{x} and me", "ask {x}",
               "happy birthday {x}", "{x} said what", "shoutout to {x}", "{x} retweeted this"],
    "location": ["in {x}", "back to {x}", "from {x}", "{x} weather", "flight to {x}", "moving to {x}",
                 "stuck in {x}", "greetings from {x}"],
    "corporation": ["thanks {x}", "{x} support", "applied at {x}", "{x} stock", "working for {x}", "{x} app is down"],
    "product": ["my new {x}", "{x} update", "the {x} camera", "got a {x}", "{x} battery", "selling my {x}"],
    "creative-work": ["watching {x}", "{x} trailer", "reading {x}", "{x} season 2", "finished {x}", "{x} soundtrack"],
    "group": ["{x} concert", "saw {x} live", "{x} fans", "{x} won again", "tickets for {x}", "with {x} tonight"],
}
ANY = ["love {x}", "{x} tonight", "omg {x}", "{x} is trending", "cant wait for {x}", "{x} !!!", "{x} tho",
       "is {x} overrated", "{x} > everything", "rt @{h} : {x}", "all about {x}", "{x} again"]
FILLER = ["lol", "tbh", "so", "today", "again", "ugh", "!!", "#tbt", ":)", ":(", "smh", "<3", "brb", "idk",
          "same", "omg", "yesss", "cant sleep", "this is fine", "so tired", "who wants pizza", "best day ever",
          "need coffee", "monday again", "this traffic tho", "new week new me", "lol same", "why tho",
          # the ambiguous words, as ordinary words
          "i will be there", "hope so", "the bill came", "summer is coming", "reading a book", "nice one",
          "taking a bath", "my mobile died", "orange juice", "mark my words", "by the grace of coffee",
          "chase your dreams", "split the bill", "broken glass everywhere", "the storm tho", "wild night",
          "midnight snacks", "going to the river", "city lights", "paper hearts everywhere"]


def _pools(rng):
    """{type: (train_names, held_out_names)}: names as word lists, split 60/40."""
    made = {
        "person": [[f] for f in FIRST] + [[f, l] for f in FIRST[:12] for l in LAST[:6]],
        "location": [p.split() for p in PLACES] + [["new", "york"], ["san", "diego"], ["las", "cruces"], ["st", "louis"]],
        "corporation": [[h + t] for h in CORP_HEAD for t in CORP_TAIL[:4]],
        "product": [[h + t] for h in CORP_HEAD[:8] for t in PRODUCT_HEAD[:3]] + [[h, t] for h in CORP_HEAD[8:14]
                                                                                  for t in PRODUCT_TAIL[:4]],
        "creative-work": [[a, b] for a in WORK_WORDS[:10] for b in WORK_WORDS[10:]] + [
            ["the", a, "of", b] for a in WORK_WORDS[:4] for b in WORK_WORDS[16:]],
        "group": [[h, t] for h in GROUP_HEAD for t in GROUP_TAIL],
    }
    pools = {}
    for kind, names in made.items():
        names = sorted({tuple(n) for n in names})
        rng.shuffle(names)
        cut = int(len(names) * 0.6)
        pools[kind] = ([list(n) for n in names[:cut]], [list(n) for n in names[cut:]])
    return pools


def _style(rng, words):
    """Surface noise of user posts: Title Case, SHOUTING or left as typed (lower case)."""
    roll = rng.random()
    if roll < 0.35:
        return [w.capitalize() for w in words]
    if roll < 0.42:
        return [w.upper() for w in words]
    return list(words)


def _fill(rng, template):
    """Words of a filler or context phrase; '{h}' becomes an @handle."""
    return [("@" + rng.choice(FIRST) + rng.choice(["_", ""]) + str(rng.randrange(10, 99))) if w == "@{h}" else w
            for w in template.split()]


def make_post(rng, pools, held_out):
    """(words, tags) of one post: filler phrases and, in about half the posts, one or two
    entities in a context phrase; ``held_out``: names mostly from the unseen pools."""
    chunks = [(_fill(rng, rng.choice(FILLER)), None) for _ in range(rng.choice([0, 1, 1, 2]))]
    n_entities = rng.choices([0, 1, 2], [0.5, 0.4, 0.1])[0]
    for _ in range(n_entities):
        kind = rng.choices(TYPES, TYPE_WEIGHTS)[0]
        context = rng.choice(ANY) if rng.random() < 0.4 else rng.choice(CONTEXT[kind])
        train_pool, new_pool = pools[kind]
        name = _style(rng, rng.choice(new_pool if held_out and rng.random() < 0.8 else train_pool))
        chunks.insert(rng.randrange(len(chunks) + 1), (context, (kind, name)))
    if not chunks:
        chunks = [(_fill(rng, rng.choice(FILLER)), None)]
    words, tags = [], []
    for chunk, entity in chunks:
        if entity is None:
            words += chunk
            tags += ["O"] * len(chunk)
            continue
        kind, name = entity
        for piece in chunk.split():
            if piece == "{x}":
                words += name
                tags += [f"B-{kind}"] + [f"I-{kind}"] * (len(name) - 1)
            else:
                filled = _fill(rng, piece)
                words += filled
                tags += ["O"] * len(filled)
    if rng.random() < 0.2:
        words.insert(0, "@" + rng.choice(LAST) + str(rng.randrange(1, 9)))
        tags.insert(0, "O")
    return words, tags


def generate(n=3000, seed=17):
    """``n`` posts as (words, tags); posts i % 10 in (8, 9) (dev, test) use unseen names."""
    rng = random.Random(seed)
    pools = _pools(rng)
    return [make_post(rng, pools, held_out=i % 10 in (8, 9)) for i in range(n)]


def write(path, n=3000, seed=17):
    """Write the posts as a CoNLL file: a token and its tag per line, a blank line between posts."""
    lines = []
    for words, tags in generate(n, seed):
        lines += [f"{w}\t{t}" for w, t in zip(words, tags)] + [""]
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("\n".join(lines))
