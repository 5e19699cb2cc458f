"""Seeded generator of synthetic resumes in the course's annotation format.

Every name, company and college is made up from word lists here (no real person's
data). Resumes vary their section order and headings, use bullets or comma lists,
multi-word skills, dates, noise lines, entities broken across lines, spans with
whitespace at their edges, labels as a name or a list, and a few nested spans.
``python -m assignment ner synth`` rewrites data/resumes.jsonl byte for byte.
"""
import json
import random

FIRST = ["Aarav", "Mira", "Tomas", "Leena", "Kofi", "Sana", "Ravi", "Elin", "Jonah", "Priya", "Mateo",
         "Aiko", "Nadia", "Omar", "Keira", "Vikram", "Lucia", "Dev", "Ingrid", "Tariq", "Anika", "Felix",
         "Meera", "Hugo", "Zara", "Arjun", "Noor", "Emil", "Divya", "Yusuf", "Clara", "Rohan", "Amara",
         "Kiran", "Soren", "Ishita", "Luca", "Fatima", "Nikhil", "Maya"]
LAST = ["Varkey", "Okafor", "Lindqvist", "Raghavan", "Mensah", "Castell", "Iyer", "Brandt", "Quill",
        "Deshpande", "Halvorsen", "Tanaka", "Moreau", "Banerjee", "Achterberg", "Kulkarni", "Ferraz",
        "Nakashima", "Oyelaran", "Pillai", "Stroud", "Venkatesh", "Marchetti", "Sorensen", "Chaudhary",
        "Elwood", "Rasmussen", "Thakur", "Delacroix", "Menon"]
PLACES = ["Pune", "Bengaluru", "Hyderabad", "Chennai", "Mumbai", "New Delhi", "Kochi", "Jaipur",
          "Austin", "Toronto", "Leeds", "Berlin", "Lisbon", "Nairobi", "Melbourne", "Gurgaon", "Noida",
          "Kolkata", "Ahmedabad", "Coimbatore"]
CO_HEAD = ["North", "Blue", "Iron", "Silver", "Bright", "Cedar", "Quantum", "Lumen", "Harbor", "Vertex",
           "Summit", "Orbit", "Maple", "Crimson", "Nimbus", "Granite"]
CO_TAIL = ["wind", "peak", "stone", "field", "gate", "bridge", "light", "works", "line", "path"]
CO_KIND = ["Analytics", "Systems", "Technologies", "Labs", "Solutions", "Pvt Ltd", "Consulting",
           "Software", "Infotech", "Networks"]
COLLEGE = ["{p} Institute of Technology", "University of {p}", "{p} College of Engineering",
           "National Institute of Technology, {p}", "{p} School of Management",
           "Government Engineering College, {p}", "{p} Institute of Science"]
DEGREES = ["B.Tech in Computer Science", "Bachelor of Engineering", "M.Sc. Statistics", "MBA",
           "Master of Computer Applications", "B.Com", "Bachelor of Science in Physics", "M.Tech",
           "BCA", "B.E. in Electronics and Communication", "Master of Business Administration", "Diploma in IT"]
TITLES = ["Software Engineer", "Senior Software Engineer", "Data Analyst", "Project Manager",
          "QA Engineer", "Business Analyst", "DevOps Engineer", "Technical Lead", "Data Scientist",
          "System Administrator", "Consultant", "Sales Executive", "HR Manager", "Java Developer",
          "Network Engineer", "Associate Consultant", "Team Lead", "Product Manager"]
SKILLS = ["Python", "Java", "C++", "SQL Server", "machine learning", "Microsoft Excel",
          "project management", "Apache Spark", "REST APIs", "Node.js", "Docker", "Kubernetes",
          "data visualization", "Tableau", "Power BI", "Agile methodologies", "unit testing", "AWS",
          "Linux", "Git", "TensorFlow", "C#", "Oracle", "customer relationship management", "SAP ABAP",
          "Selenium", "JavaScript", "HTML", "Hadoop", "stakeholder management", "Jenkins", "MongoDB"]
BULLETS = ["Worked closely with the client team to gather requirements",
           "Handled daily stand-up meetings and sprint planning",
           "Prepared weekly status reports for the management",
           "Reduced the processing time of the monthly batch jobs",
           "Mentored two junior members of the team",
           "Responsible for end to end delivery of the module",
           "Coordinated with the onsite team across time zones",
           "Designed the database schema for the billing module",
           "Fixed production issues within the agreed service levels",
           "Automated the regression suite for the release cycle",
           "Interacted with vendors for license renewals",
           "Documented the deployment process for the operations team"]
NOISE = ["Willing to relocate: Anywhere", "Languages known: English, Hindi", "Hobbies: reading, chess and cycling",
         "Declaration: I hereby declare that the above information is true.", "Availability: 30 days notice",
         "Passport: available", "References available on request", "Marital status: Single"]
HEADINGS = {
    "summary": ["SUMMARY", "Profile", "Career Objective", "PROFESSIONAL SUMMARY"],
    "experience": ["WORK EXPERIENCE", "Professional Experience", "Employment History", "Experience:"],
    "education": ["EDUCATION", "Education Details", "Academic Qualifications", "Education:"],
    "skills": ["SKILLS", "Technical Skills", "Key Skills:", "SKILL SET"],
    "other": ["ADDITIONAL INFORMATION", "Personal Details", "Other Information"],
}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


class ResumeBuilder:
    """Appends text and records the annotated character spans as it goes."""

    def __init__(self, rng):
        self.rng, self.parts, self.length, self.spans = rng, [], 0, []

    def add(self, text, label=None, pad=""):
        """Append ``text`` (+ ``pad``); label it, sometimes with the pad inside the span's
        points, as the course's annotators often did."""
        start = self.length
        self.parts.append(text + pad)
        self.length += len(text) + len(pad)
        if label:
            end = start + len(text) - 1  # inclusive
            if pad and self.rng.random() < 0.3:
                end += len(pad)
            self.spans.append((start, end, label))
        return start

    def line(self, *pieces):
        """Append (text, label) pieces then a newline."""
        for text, label in pieces:
            self.add(text, label)
        self.add("\n")

    def text(self):
        return "".join(self.parts)


def _company(rng):
    return f"{rng.choice(CO_HEAD)}{rng.choice(CO_TAIL)} {rng.choice(CO_KIND)}"


def _maybe_break(rng, text, chance=0.12):
    """Break a multi-word entity across two lines now and then."""
    words = text.split(" ")
    if len(words) > 1 and rng.random() < chance:
        cut = rng.randrange(1, len(words))
        return " ".join(words[:cut]) + "\n" + " ".join(words[cut:])
    return text


def _header(b, rng, person):
    b.add(person["name"], "Name", pad="\n")
    title = _maybe_break(rng, person["titles"][0])
    if rng.random() < 0.5:
        b.line((title, "Designation"), (" - ", None), (person["companies"][0], "Companies worked at"))
    else:
        b.line((title, "Designation"))
    b.line((person["city"], "Location"), (rng.choice([", ", " | ", " - "]), None),
           (person["email"], "Email Address"))
    if rng.random() < 0.5:
        b.line((f"Indeed: indeed.com/r/{person['name'].split()[0]}-{rng.randrange(1000, 9999)}", None))
    b.add("\n")


def _summary(b, rng, person):
    b.line((rng.choice(HEADINGS["summary"]), None))
    b.add(rng.choice(["Result-oriented ", "Motivated ", "Experienced ", ""]))
    b.add(person["titles"][0], "Designation")
    b.add(" with ")
    b.add(person["years"], "Years of Experience")
    b.add(rng.choice([" of experience in ", " of work experience across ", " in "]))
    b.add(person["skills"][0], "Skills")
    b.add(" and ")
    b.add(person["skills"][1], "Skills")
    b.add(".\n\n")


def _experience(b, rng, person):
    b.line((rng.choice(HEADINGS["experience"]), None))
    year = person["grad_year"] + 1
    for index, (title, company) in enumerate(zip(person["titles"], person["companies"])):
        start_month, start_year = rng.choice(MONTHS), year + rng.randrange(0, 2)
        end = "Present" if index == 0 else f"{rng.choice(MONTHS)} {start_year + rng.randrange(1, 4)}"
        style = rng.randrange(3)
        if style == 0:
            b.line((_maybe_break(rng, title), "Designation"))
            b.line((company, "Companies worked at"), (" - ", None), (rng.choice(PLACES), "Location"))
        elif style == 1:
            b.line((title, "Designation"), (" at ", None), (_maybe_break(rng, company), "Companies worked at"))
        else:
            b.line((company, "Companies worked at"), (", ", None), (rng.choice(PLACES), "Location"))
            b.line((title, "Designation"))
        b.line((f"{start_month} {start_year} to {end}", None))
        bullet = rng.choice(["• ", "- ", "* ", ""])
        for sentence in rng.sample(BULLETS, rng.randrange(1, 4)):
            b.line((bullet + sentence, None))
        b.add("\n")


def _education(b, rng, person):
    b.line((rng.choice(HEADINGS["education"]), None))
    college, city = person["college"]
    style = rng.randrange(3)
    if style == 0:
        b.line((person["degree"], "Degree"))
        b.line((college, "College Name"))
        b.line((str(person["grad_year"]), "Graduation Year"))
    elif style == 1:
        b.line((person["degree"], "Degree"), (" from ", None), (_maybe_break(rng, college), "College Name"),
               (" in ", None), (str(person["grad_year"]), "Graduation Year"))
    else:
        b.line((person["degree"], "Degree"), (" | ", None))
        start = b.add(college, "College Name")
        if city and rng.random() < 0.5:
            # nested span: the city inside the college's name is also tagged Location
            at = start + college.rindex(city)
            b.spans.append((at, at + len(city) - 1, "Location"))
        b.line((f" ({person['grad_year'] - 4} - ", None), (str(person["grad_year"]), "Graduation Year"), (")", None))
    b.add("\n")


def _skills(b, rng, person):
    b.line((rng.choice(HEADINGS["skills"]), None))
    skills = person["skills"]
    if rng.random() < 0.5:
        bullet = rng.choice(["• ", "- ", "* "])
        for skill in skills:
            b.line((bullet, None), (skill, "Skills"))
    else:
        for index, skill in enumerate(skills):
            b.add(skill, "Skills")
            if index < len(skills) - 1:
                b.add(",")
                b.add(" ", None)
        b.add("\n")
    b.add("\n")


def _other(b, rng, person):
    b.line((rng.choice(HEADINGS["other"]), None))
    for sentence in rng.sample(NOISE, rng.randrange(2, 4)):
        b.line((sentence, None))
    b.add("\n")


def _person(rng):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    n_jobs = rng.randrange(1, 4)
    city = rng.choice(PLACES)
    college_city = rng.choice(PLACES)
    college = rng.choice(COLLEGE).format(p=college_city)
    years = rng.randrange(1, 16)
    return {
        "name": f"{first} {last}",
        "email": f"{first.lower()}.{last.lower()}{rng.randrange(1, 99)}@{rng.choice(['mail.example', 'example.org', 'inbox.example'])}.com",
        "city": city,
        "titles": rng.sample(TITLES, n_jobs),
        "companies": [_company(rng) for _ in range(n_jobs)],
        "years": rng.choice([f"{years} years", f"{years}+ years", f"{years} years {rng.randrange(1, 12)} months"]),
        "skills": rng.sample(SKILLS, rng.randrange(3, 9)),
        "degree": rng.choice(DEGREES),
        "college": (college, college_city),
        "grad_year": rng.randrange(2000, 2021),
    }


def make_resume(rng):
    """One resume: (text, [(start, end_inclusive, label), ...])."""
    person = _person(rng)
    b = ResumeBuilder(rng)
    _header(b, rng, person)
    sections = [_summary, _experience, _education, _skills]
    rng.shuffle(sections)
    if rng.random() < 0.6:
        sections.insert(rng.randrange(len(sections) + 1), _other)
    for section in sections:
        section(b, rng, person)
    return b.text().rstrip() + "\n", b.spans


def generate(n=300, seed=13):
    """``n`` annotation records; every 10th to dev (index % 10 == 8) and test (== 9)."""
    rng = random.Random(seed)
    records = []
    for index in range(n):
        text, spans = make_resume(rng)
        annotation = []
        for start, end, label in sorted(spans, key=lambda s: -s[0]):  # course files list spans last-first
            labels = [label] if rng.random() < 0.7 else label
            if label == "Skills" and rng.random() < 0.03:
                labels = ["Degree", "Skills"]  # two labels on one span: label priority keeps Skills
            annotation.append({"label": labels, "points": [{"start": start, "end": end, "text": text[start : end + 1]}]})
        split = {8: "dev", 9: "test"}.get(index % 10, "train")
        records.append({"id": f"resume-{index:04d}", "split": split, "content": text,
                        "annotation": annotation, "extras": None})
    return records


def write(path, n=300, seed=13):
    """Write the records as UTF-8 JSON lines (same bytes for the same n and seed)."""
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for record in generate(n, seed):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
