#!/usr/bin/env python3
"""check_pdf_words.py DOC.xml DOC.txt PDF.txt RENDERER.c: no word of a dossier is broken
across lines in its PDF without a hyphen (issue 14: "badreputati / on").

The words are the letter runs of the XML's text, of the text rendering and
of the PDF renderer's string literals (its headings and column titles).
PDF.txt is `pdftotext -layout` of the PDF: a letter run there that ends a
line or a table cell (two blanks or the line's end follow), is no word of
the document, but begins one, is a word the PDF cut without a hyphen.
Prints each and exits 1; exits 0 when there is none."""
import re
import sys
import xml.etree.ElementTree as ET


def words_of(text):
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


def main():
    xml_path, txt_path, pdf_path, src_path = sys.argv[1:5]
    vocab = set()
    for el in ET.parse(xml_path).iter():
        for t in (el.text, el.tail):
            if t:
                vocab |= words_of(t)
        for v in el.attrib.values():
            vocab |= words_of(v)
    with open(txt_path, encoding="utf-8") as f:
        vocab |= words_of(f.read())
    with open(src_path, encoding="utf-8") as f:
        code = re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)
        for lit in re.findall(r'"((?:[^"\\\n]|\\.)*)"', code):
            vocab |= words_of(lit)
    long_words = [w for w in vocab if len(w) >= 6]
    bad = []
    with open(pdf_path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            for m in re.finditer(r"(?<![A-Za-z])([A-Za-z]{3,})(?=  |\s*$)", line):
                w = m.group(1).lower()
                if w in vocab:
                    continue
                if any(v.startswith(w) and v != w for v in long_words):
                    bad.append(f"{pdf_path}:{n}: '{m.group(1)}' cut without a hyphen: {line.strip()[:100]}")
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
