"""Seeded generator of a synthetic social-media NER set: short posts, six entity types,
most of them rare and short, with new surface forms at test time.

Modelled on the shape of WNUT-17 (emerging and rare entities in user-generated text),
not on its content: the types are person, location, corporation, product, creative-work
and group; posts carry @handles, #hashtags, links, emoticons, lower-case and shouted
text; most posts hold no entity; person and location are common, the other four rare;
and the dev and test posts (every 10th post from the 9th, and from the 10th, which is
how ``split_examples`` splits a CoNLL file) mostly mention names that never occur in
training. Every name is made up here or is an ordinary first name or place name.
``python -m assignment.ner.social`` rewrites data/social.conll byte for byte.
"""
import argparse
import random

TYPES = ["person", "location", "corporation", "product", "creative-work", "group"]

FIRST = ["jake", "emma", "liam", "sofia", "noah", "mia", "ethan", "ava", "lucas", "chloe", "mason", "zoe",
         "owen", "lily", "caleb", "nora", "isaac", "ruby", "leo", "hazel", "miles", "ivy", "felix", "cora",
         "theo", "jade", "reza", "amaya", "kenji", "dara", "tariq", "ines", "bram", "oona", "pavel", "yara"]
LAST = ["moreno", "tanaka", "okoye", "fischer", "brennan", "kowalski", "haddad", "lindgren", "ferreira",
        "nakamura", "oduya", "castell", "petrov", "quinlan", "vasquez", "achebe", "halloran", "stroud"]
PLACES = ["austin", "toronto", "leeds", "berlin", "lisbon", "nairobi", "melbourne", "denver", "oslo", "glasgow",
          "brooklyn", "seattle", "dublin", "cardiff", "portland", "manila", "lagos", "boston", "miami", "kyoto",
          "texas", "ohio", "vegas", "chicago", "paris", "madrid", "atlanta", "detroit", "jersey", "london"]
CORP_HEAD = ["zen", "blue", "kraft", "nova", "pixel", "bolt", "lumo", "quanta", "vex", "orbi", "tala", "brix",
             "fizz", "kora", "nimbo", "strato", "yumi", "grit", "halo", "juno"]
CORP_TAIL = ["ly", "bank", "air", "box", "mart", "soft", "tel", "net", "co", "works", "labs", "go"]
PRODUCT_HEAD = ["phone", "pad", "buds", "watch", "cam", "book", "drive", "station", "pods", "tab"]
PRODUCT_TAIL = ["x", "pro", "2", "mini", "max", "s9", "air", "one", "lite", "5"]
WORK_WORDS = ["midnight", "echoes", "paper", "hearts", "silver", "river", "ghost", "city", "summer", "wolves",
              "glass", "kingdom", "neon", "dreams", "broken", "tide", "wild", "empire", "velvet", "storm"]
GROUP_HEAD = ["the", "los", "young", "north", "black", "red"]
GROUP_TAIL = ["foxes", "lanterns", "rovers", "comets", "hollows", "saints", "wolves", "kings", "vandals", "tides"]

# Templates: {t} is an entity slot of type t. Many posts have none.
WITH_ENTITIES = [  # (template, weight): person and location common, the other four rare
    ("omg {person} is playing in {location} tonight", 4), ("just landed in {location} !!", 4),
    ("cant believe {person} said that lol", 4), ("{person} and {person} at the game", 3),
    ("happy birthday {person} ! ! miss u", 4), ("rt @{handle} : {person} spotted in {location}", 3),
    ("stuck at the airport in {location} again", 3), ("shoutout to {person} for the ride", 3),
    ("{person} new video is out", 3), ("weather in {location} is crazy today", 3),
    ("new {product} from {corporation} looks sick", 1), ("my {product} died again , thanks {corporation}", 1),
    ("finally got the {product}", 1), ("{corporation} customer service is the worst", 1),
    ("interview at {corporation} tomorrow wish me luck", 1), ("anyone else watching {creative-work} tonight ?", 1),
    ("reading {creative-work} for the 3rd time", 1), ("listening to {creative-work} by {group} on repeat", 1),
    ("{group} live in {location} next week", 1), ("who is going to see {group} ?", 1),
    # the context does not tell the type: only the name does
    ("love {any} so much", 4), ("{any} is trending again", 3), ("cant stop thinking about {any}", 3),
    ("omg {any} !!!", 3), ("is {any} overrated or is it just me", 2), ("{any} > everything", 2),
]
ANY_WEIGHTS = [5, 3, 1, 1, 1, 1]  # of TYPES in an {any} slot
WITHOUT_ENTITIES = [
    "cant sleep again", "monday mornings should be illegal", "who wants pizza", "this traffic tho",
    "best day ever", "so tired of this rain", "my phone battery is always dead", "lol same",
    "need coffee asap", "that game last night tho", "going to bed early for once", "why is everyone so loud",
    "new week new me", "just finished my shift", "cant wait for the weekend", "so proud of my little sister",
    # common words that are also parts of names elsewhere
    "the summer storm was wild", "midnight snacks are the best", "my phone is dead again", "broken glass everywhere",
    "the kings of procrastination over here", "halo on at my place", "who wants to go to the river",
    "love this city so much", "that storm tho", "going to the mart brb", "is the station open",
]
EXTRAS = [":)", ":(", "lol", "#tbt", "#blessed", "#fail", "!!!", "http://t.co/x{n}", "<3", "smh", "#{word}"]


def _pools(rng):
    """{type: (train_names, held_out_names)}: names as word lists, split 60/40."""
    made = {
        "person": [[f] for f in FIRST] + [[f, l] for f in FIRST[:12] for l in LAST[:6]],
        "location": [[p] for p in PLACES] + [["new", "york"], ["san", "diego"], ["las", "cruces"], ["st", "louis"]],
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


def make_post(rng, pools, held_out):
    """(words, tags) of one post; ``held_out``: draw names mostly from the unseen pools."""
    if rng.random() < 0.45:
        words = rng.choice(WITHOUT_ENTITIES).split()
        tags = ["O"] * len(words)
    else:
        template = rng.choices([t for t, _ in WITH_ENTITIES], [w for _, w in WITH_ENTITIES])[0]
        words, tags = [], []
        for piece in template.split():
            if piece.startswith("{") and piece.endswith("}") and piece[1:-1] in TYPES + ["any"]:
                kind = piece[1:-1] if piece != "{any}" else rng.choices(TYPES, ANY_WEIGHTS)[0]
                train_pool, new_pool = pools[kind]
                pool = new_pool if held_out and rng.random() < 0.7 else train_pool
                name = _style(rng, rng.choice(pool))
                words += name
                tags += [f"B-{kind}"] + [f"I-{kind}"] * (len(name) - 1)
            elif piece == "@{handle}":
                words.append("@" + rng.choice(FIRST) + rng.choice(["_", ""]) + str(rng.randrange(10, 99)))
                tags.append("O")
            else:
                words.append(piece)
                tags.append("O")
    if rng.random() < 0.5:
        extra = rng.choice(EXTRAS).format(n=rng.randrange(100, 999), word=rng.choice(WORK_WORDS))
        words.append(extra)
        tags.append("O")
    if rng.random() < 0.2:
        words.insert(0, "@" + rng.choice(LAST) + str(rng.randrange(1, 9)))
        tags.insert(0, "O")
    return words, tags


def generate(n=4000, seed=17):
    """``n`` posts as (words, tags); posts i % 10 in (8, 9) (dev, test) use unseen names."""
    rng = random.Random(seed)
    pools = _pools(rng)
    return [make_post(rng, pools, held_out=i % 10 in (8, 9)) for i in range(n)]


def write(path, n=4000, seed=17):
    """Write the posts as a CoNLL file: a token and its tag per line, a blank line between posts."""
    lines = []
    for words, tags in generate(n, seed):
        lines += [f"{w}\t{t}" for w, t in zip(words, tags)] + [""]
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="data/social.conll")
    parser.add_argument("-n", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    write(args.out, args.n, args.seed)
    print(f"wrote {args.n} posts to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
