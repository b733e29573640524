//! Staff preview a circular before issuing it: six complete messages, one per language, that
//! read like the originals. Golden files in `tests/golden/` hold the expected HTML, text and
//! headers; `UPDATE_GOLDEN=1 cargo test -p circulars-tests --test preview` rewrites them after a
//! deliberate change (review the diff before committing it). Each .eml, previewed or sent as a
//! test copy, is also read by a strict independent checker (Python's `email` package), which
//! must find it valid and decode each language's From name and Subject whole.

use circulars_core::domain::{Circular, Language};
use circulars_render::render::render;
use circulars_render::templates::Templates;
use circulars_tests::python_email::{read_mails, PythonReading};
use circulars_tests::{circulars_binary, on_both_databases, workspace, Db, Harness};
use mail_parser::{MessageParser, MimeHeaders};
use std::path::{Path, PathBuf};
use std::process::Command;

const HEADERS: [&str; 11] = [
    "From",
    "Reply-To",
    "To",
    "Subject",
    "Message-ID",
    "Content-Language",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
];

fn golden(name: &str, actual: &str) {
    let path = workspace().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .map_or(expected.lines().count().min(actual.lines().count()), |i| i);
        panic!(
            "{name} differs from tests/golden/{name} at line {}:\n  expected: {:?}\n  actual:   {:?}",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

/// The headers that identify the message, in a stable form (the boundary and Date vary).
fn header_summary(raw: &[u8]) -> String {
    let message = MessageParser::default().parse(raw).unwrap();
    let mut out = String::new();
    for name in HEADERS {
        let value = message
            .header_raw(name)
            .unwrap_or_else(|| panic!("no {name} header"));
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        let value = match value.find("boundary=") {
            Some(at) => value[..at].trim_end_matches([' ', ';']).to_owned(),
            None => value,
        };
        out.push_str(&format!("{name}: {value}\n"));
    }
    out
}

/// Each language's From display name and Subject, as rendered from the sample.
fn sender_and_subject(language: &str) -> (String, String) {
    let file = workspace().join("samples/circulars/tsb-36.toml");
    let circular =
        Circular::from_toml("tsb-36.toml", &std::fs::read_to_string(file).unwrap()).unwrap();
    let templates = Templates::embedded().unwrap();
    let rendition = render(&templates, &circular, language.parse::<Language>().unwrap()).unwrap();
    (rendition.sender_name, rendition.subject)
}

/// `text` with each run of whitespace made one space.
fn collapsed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks that the strict checker found the mail of `language` valid and read its From name
/// and Subject (after `prefix`) back whole: equal to what was rendered, every encoded word
/// whole characters, and, where words are separated by spaces, every encoded word whole words.
fn assert_read_whole(reading: &PythonReading, language: &str, prefix: &str) {
    reading.assert_valid();
    let (sender, subject) = sender_and_subject(language);
    let subject = format!("{prefix}{subject}");
    assert_eq!(reading.subject, subject, "{language}: Subject");
    assert_eq!(
        reading.from_field,
        format!("{sender} <{}>", reading.from_address),
        "{language}: From as RFC 2047 decodes it"
    );
    // email.policy.default keeps the space between two encoded words of a display name
    // (CPython gh-128110): it shows a double space where they meet, but no word cut in two.
    assert_eq!(
        collapsed(&reading.from_name),
        sender,
        "{language}: the From name as email.policy.default decodes it"
    );
    for (words, text) in [
        (&reading.from_words, &sender),
        (&reading.subject_words, &subject),
    ] {
        if text.is_ascii() {
            continue;
        }
        assert_eq!(&words.concat(), text, "{language}: encoded words");
        if language == "zh" {
            continue;
        }
        for pair in words.windows(2) {
            assert!(
                pair[0].ends_with(' ') || pair[1].starts_with(' '),
                "{language}: encoded words meet inside a word: {pair:?}"
            );
        }
    }
}

#[test]
fn the_preview_writes_six_complete_messages_that_match_the_golden_files() {
    let out = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let run = Command::new(circulars_binary())
        .arg("preview")
        .arg(workspace().join("samples/circulars/tsb-36.toml"))
        .arg("--out")
        .arg(out.path())
        .current_dir(cwd.path())
        .env_remove("CIRCULARS_CONFIG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("public development key"),
        "says it uses the development key: {stderr}"
    );
    assert!(out.path().join("index.html").is_file());

    let languages = ["ar", "zh", "en", "fr", "ru", "es"];
    let files: Vec<PathBuf> = languages
        .iter()
        .map(|language| out.path().join(format!("{language}.eml")))
        .collect();
    let files: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    for (reading, language) in read_mails(&files).iter().zip(languages) {
        assert_read_whole(reading, language, "");
        assert_eq!(
            reading.parts,
            ["multipart/alternative", "text/plain", "text/html"],
            "{language}"
        );
    }

    for language in languages {
        let read = |ext: &str| std::fs::read(out.path().join(format!("{language}.{ext}"))).unwrap();
        let html = String::from_utf8(read("html")).unwrap();
        let text = String::from_utf8(read("txt")).unwrap();
        golden(&format!("{language}.html"), &html);
        golden(&format!("{language}.txt"), &text);
        let eml = read("eml");
        golden(&format!("{language}.headers"), &header_summary(&eml));

        // The .eml parses back into the same two parts, with a Date.
        let message = MessageParser::default().parse(&eml).unwrap();
        assert!(message.date().is_some(), "{language}: Date");
        assert_eq!(
            message.content_type().map(|c| c.subtype()),
            Some(Some("alternative")),
            "{language}"
        );
        assert_eq!(
            message
                .body_text(0)
                .unwrap()
                .replace("\r\n", "\n")
                .trim_end(),
            text.trim_end(),
            "{language}: text part"
        );
        assert_eq!(
            message
                .body_html(0)
                .unwrap()
                .replace("\r\n", "\n")
                .trim_end(),
            html.trim_end(),
            "{language}: html part"
        );
        assert!(
            !message
                .subject()
                .unwrap()
                .contains(['\u{2068}', '\u{2069}']),
            "{language}: no isolation marks in the subject"
        );
    }
}

async fn a_test_copy_of_the_six_versions_goes_to_one_address_through_the_relay(db: Db) {
    let h = Harness::start(db).await;
    let file = workspace().join("samples/circulars/tsb-36.toml");
    let out = h.circulars_ok(&[
        "preview",
        file.to_str().unwrap(),
        "--send-to",
        "reviewer@itu.example",
    ]);
    assert_eq!(out.lines().count(), 6, "{out}");
    let mails = h.mails();
    assert_eq!(mails.len(), 6);
    let mut languages: Vec<&str> = mails.iter().map(|m| m.language.as_str()).collect();
    languages.sort();
    assert_eq!(languages, ["ar", "en", "es", "fr", "ru", "zh"]);
    for mail in &mails {
        assert_eq!(mail.recipient, "reviewer@itu.example");
        assert!(mail.subject.starts_with("[TEST COPY] "), "{}", mail.subject);
    }
    // The mails as the relay delivered them, read by the strict checker in the order of mails().
    let mut files: Vec<PathBuf> = std::fs::read_dir(h.smtp().out_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    let files: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    for (reading, mail) in read_mails(&files).iter().zip(&mails) {
        assert_read_whole(reading, &mail.language, "[TEST COPY] ");
    }
}

on_both_databases!(a_test_copy_of_the_six_versions_goes_to_one_address_through_the_relay,);

#[test]
fn the_strict_checker_finds_what_breaks_a_mail() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.eml");
    // A bare LF, an 8-bit Subject, a From cut inside a character, no closing boundary.
    std::fs::write(
        &broken,
        b"From: =?utf-8?b?0JE=?= =?utf-8?b?0Q==?= <a@itu.example>\r\nSubject: Caf\xc3\xa9\r\n\
          List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\
          Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n\
          --b\r\nContent-Type: text/plain\r\n\r\nhi\n"
            .as_slice(),
    )
    .unwrap();
    let [reading] = <[PythonReading; 1]>::try_from(read_mails(&[broken.as_path()])).unwrap();
    let found = format!("{:?} {:?}", reading.defects, reading.wire);
    for defect in [
        "CloseBoundaryNotFoundDefect",
        "bare CR or LF",
        "Subject: not 7-bit",
    ] {
        assert!(found.contains(defect), "{defect} in {found}");
    }
    assert!(
        reading
            .defects
            .iter()
            .any(|d| d.starts_with("encoded word")),
        "{found}"
    );
    let checked = std::panic::catch_unwind(|| reading.assert_valid());
    assert!(checked.is_err(), "a broken mail is not valid");
}
