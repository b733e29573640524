"""Mails read by an independent, strict checker: Python's email package.

For each file named on the command line, prints one JSON line with
- defects: what the strict policy (email.policy.strict, raise_on_defect=True) raises first,
  then every defect email.policy.default records in the MIME structure and in each header
  field of each part, any header value that is not 7-bit, and any text part that does not
  decode in its charset;
- wire: what breaks the wire form: a CR or LF not in a CRLF, a line over 998 characters;
- parts: the content type of each part, in order;
- from_name, from_address, subject, list_unsubscribe, list_unsubscribe_post: as
  email.policy.default decodes them;
- from_field: the whole From field as email.header.decode_header decodes it (which drops the
  whitespace between adjacent encoded words, RFC 2047 section 6.2, where email.policy.default
  keeps it in a display name in the Pythons without the fix of CPython gh-128110);
- from_words, subject_words: each RFC 2047 encoded word of From and Subject decoded on its own
  by email.header.decode_header, strictly (a word that cuts a character is a defect);
- encoded: each encoded word of From and Subject as written.
"""

import email
import email.policy
import json
import re
import sys
from email.header import decode_header, make_header

ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def encoded_words(value, defects):
    words = []
    for word in ENCODED_WORD.findall(value or ""):
        for data, charset in decode_header(word):
            try:
                words.append(data.decode(charset or "ascii"))
            except (LookupError, UnicodeDecodeError) as e:
                defects.append(f"encoded word {word}: {e}")
    return words


def text(value):
    """A decoded value as valid Unicode (8-bit bytes a header held come back replaced)."""
    if value is None:
        return None
    return str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def decoded_field(value, defects):
    try:
        return str(make_header(decode_header(value)))
    except (LookupError, UnicodeDecodeError) as e:
        defects.append(f"encoded word: {e}")
        return ""


def wire(raw):
    problems = []
    for m in re.finditer(rb"\r(?!\n)|(?<!\r)\n", raw):
        problems.append(f"a bare CR or LF at byte {m.start()}")
    for number, line in enumerate(raw.split(b"\r\n"), 1):
        if len(line) > 998:
            problems.append(f"line {number} has {len(line)} characters")
    return problems


def check(path):
    with open(path, "rb") as f:
        raw = f.read()
    report = {"file": path, "defects": [], "wire": wire(raw), "parts": []}
    defects = report["defects"]
    try:
        email.message_from_bytes(raw, policy=email.policy.strict)
    except Exception as e:  # raise_on_defect: the first defect of the structure
        defects.append(f"strict: {type(e).__name__}: {e}")
    # Read again without raising, to report every defect and the decoded fields.
    message = email.message_from_bytes(raw, policy=email.policy.default)
    for part in message.walk():
        report["parts"].append(part.get_content_type())
        defects.extend(repr(d) for d in part.defects)
        for name, value in part.raw_items():
            if not (name + value).isascii():
                defects.append(f"{name}: not 7-bit")
        for name, value in part.items():
            defects.extend(f"{name}: {d!r}" for d in value.defects)
        if part.get_content_maintype() == "text":
            if "\ufffd" in part.get_content():
                defects.append(f"{part.get_content_type()}: not {part.get_content_charset()}")
    raw_fields = dict(message.raw_items())
    sender = message["From"].addresses if message["From"] else ()
    if len(sender) != 1:
        defects.append(f"From holds {len(sender)} addresses")
    else:
        report["from_name"] = text(sender[0].display_name)
        report["from_address"] = text(sender[0].addr_spec)
    report["subject"] = text(message["Subject"])
    report["list_unsubscribe"] = text(message["List-Unsubscribe"])
    report["list_unsubscribe_post"] = text(message["List-Unsubscribe-Post"])
    report["from_field"] = text(decoded_field(raw_fields.get("From", ""), defects))
    report["from_words"] = encoded_words(raw_fields.get("From"), defects)
    report["subject_words"] = encoded_words(raw_fields.get("Subject"), defects)
    report["encoded"] = ENCODED_WORD.findall(
        raw_fields.get("From", "") + " " + raw_fields.get("Subject", "")
    )
    return report


for path in sys.argv[1:]:
    print(json.dumps(check(path)))
