//! Files from outside that are wrong are refused with an error naming the file, the line or
//! field, and what is wrong; nothing of a refused file is stored.

use circulars_tests::{on_both_databases, workspace, Db, Harness, DIRECTORY_HEADER as HEADER};

fn sample_circular_text() -> String {
    std::fs::read_to_string(workspace().join("samples/circulars/tsb-36.toml")).unwrap()
}

async fn a_circular_missing_a_languages_subject_is_refused_and_not_stored(db: Db) {
    let h = Harness::start(db).await;
    let text = sample_circular_text();
    let start = text.find("[text.ru]").unwrap();
    let subject_line = start + text[start..].find("subject = ").unwrap();
    let end = subject_line + text[subject_line..].find('\n').unwrap() + 1;
    let broken = format!("{}{}", &text[..subject_line], &text[end..]);
    let file = h.dir().join("tsb-36-broken.toml");
    std::fs::write(&file, broken).unwrap();

    let out = h.circulars(&["draft", file.to_str().unwrap()]);
    assert!(!out.success);
    assert!(
        out.stderr
            .contains("tsb-36-broken.toml refused, nothing stored"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(": text.ru.subject: missing"),
        "{}",
        out.stderr
    );
    let status = h.circulars(&["status", "TSB-36"]);
    assert!(
        !status.success && status.stderr.contains("no circular TSB-36"),
        "{}",
        status.stderr
    );
}

async fn a_circular_naming_an_unknown_category_is_refused_with_its_line(db: Db) {
    let h = Harness::start(db).await;
    let text = sample_circular_text().replace("\"united-nations\"", "\"united-nation\"");
    let line = text
        .lines()
        .position(|l| l.contains("united-nation\""))
        .unwrap()
        + 1;
    let file = h.dir().join("tsb-36.toml");
    std::fs::write(&file, text).unwrap();

    let out = h.circulars(&["draft", file.to_str().unwrap()]);
    assert!(!out.success);
    let expected = format!("tsb-36.toml:{line}: categories: unknown category 'united-nation'");
    assert!(
        out.stderr.contains(&expected),
        "expected {expected:?} in:\n{}",
        out.stderr
    );
}

async fn a_directory_file_with_an_invalid_address_is_refused_whole(db: Db) {
    let h = Harness::start(db).await;
    let file = h.dir().join("members.csv");
    std::fs::write(
        &file,
        "addressee,addressee_name,addressee_language,categories,address,name,language,role,status,topics\n\
         adm-freedonia,Administration of Freedonia,,member-states,amina@example.org,Amina Diallo,fr,,active,\n\
         adm-sylvania,Administration of Sylvania,,member-states,li.wei(at)example.com,Li Wei,zh,,active,\n\
         adm-latveria,Administration of Latveria,,member-states,vera@example.net,Vera Novak,ru,,active,\n",
    )
    .unwrap();

    let out = h.circulars(&["directory", "import", file.to_str().unwrap()]);
    assert!(!out.success);
    assert!(
        out.stderr
            .contains("members.csv:3:5: address: 'li.wei(at)example.com' is not an e-mail address"),
        "{}",
        out.stderr
    );
    let store = h.store().await;
    assert_eq!(
        store.directory_size().await.unwrap(),
        0,
        "the two good rows were not stored either"
    );
}

async fn a_body_with_a_script_tag_is_refused_and_nothing_is_stored(db: Db) {
    let h = Harness::start(db).await;
    let text = sample_circular_text();
    let start = text.find("[text.es]").unwrap();
    let body = start + text[start..].find("body = \"\"\"\n").unwrap() + "body = \"\"\"\n".len();
    let broken = format!(
        "{}Primer párrafo.\n\n<script>alert(1)</script>\n\n{}",
        &text[..body],
        &text[body..]
    );
    let file = h.dir().join("tsb-36.toml");
    std::fs::write(&file, broken).unwrap();

    let out = h.circulars(&["draft", file.to_str().unwrap()]);
    assert!(!out.success);
    assert!(
        out.stderr.contains("tsb-36.toml: text.es.body: line 3: raw HTML is not allowed in a circular body: <script>"),
        "{}",
        out.stderr
    );
    let status = h.circulars(&["status", "TSB-36"]);
    assert!(
        status.stderr.contains("no circular TSB-36"),
        "{}",
        status.stderr
    );
}

async fn annexes_that_are_missing_too_big_or_in_an_unknown_language_are_refused(db: Db) {
    let h = Harness::start(db).await;
    let text = sample_circular_text().replace(
        "signatory = \"Seizo Onoe\"",
        "signatory = \"Seizo Onoe\"\nannexes = [\"annex1.pdf\", \"annex2.pdf\"]",
    );
    let file = h.dir().join("tsb-36.toml");
    std::fs::write(&file, text).unwrap();
    std::fs::write(h.dir().join("annex1.pdf"), vec![b'%'; 11 * 1024 * 1024]).unwrap();
    std::fs::write(h.dir().join("annex2.de.pdf"), b"%PDF-1.4").unwrap();

    let out = h.circulars(&["draft", file.to_str().unwrap()]);
    assert!(!out.success);
    for expected in [
        "annexes[1]: annex1.pdf is 11534336 bytes, over the limit of 10485760 bytes (mail.max_annex_bytes)",
        "annexes[2]: annex2.de.pdf: 'de' is not one of the six languages",
        "annexes[2]: no file for ar: looked for annex2.ar.pdf and annex2.pdf",
    ] {
        assert!(out.stderr.contains(expected), "missing {expected:?} in:\n{}", out.stderr);
    }
    let status = h.circulars(&["status", "TSB-36"]);
    assert!(
        status.stderr.contains("no circular TSB-36"),
        "{}",
        status.stderr
    );
}

/// A good row of addressee `adm-x` for `address`.
fn row(address: &str) -> String {
    format!("adm-x,Administration of X,,member-states,{address},Ana Lima,,,active,\n")
}

async fn every_kind_of_broken_directory_file_is_refused_naming_where_and_nothing_is_stored(db: Db) {
    let h = Harness::start(db).await;
    let good = h.dir().join("good.csv");
    std::fs::write(&good, format!("{HEADER}{}", row("ana@example.org"))).unwrap();
    h.circulars_ok(&["directory", "import", good.to_str().unwrap()]);
    let store = h.store().await;
    let trail = store.audit_trail("ana@example.org").await.unwrap();

    let h2 = |s: &str| format!("{HEADER}{s}");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "a quote inside an unquoted field",
            h2("adm-x,Administration of \"X\",,member-states,ben@example.org,Ben,,,active,\n").into_bytes(),
            "quote.csv:2:2: addressee_name: ",
        ),
        (
            "a quoted field that runs to the end of the file",
            h2(&format!("{}adm-x,Administration of X,,member-states,ben@example.org,\"Ben,,,active,\n", row("cy@example.org"))).into_bytes(),
            "unterminated.csv:3:6: name: the quoted field opened on this line is never closed",
        ),
        (
            "a row with nine fields",
            h2("adm-x,Administration of X,,member-states,ben@example.org,Ben,,active,\n").into_bytes(),
            "columns.csv:2:10: row: has 9 fields, expected 10",
        ),
        (
            "text that is not UTF-8",
            [HEADER.as_bytes(), b"adm-x,Administration of X,,member-states,ben@example.org,Jos\xE9,,,active,\n"].concat(),
            "latin1.csv:2:6: name: is not UTF-8 (byte 0xE9 after 'Jos')",
        ),
        (
            "a UTF-16 byte order mark",
            [&b"\xFF\xFE"[..], HEADER.as_bytes()].concat(),
            "utf16.csv:1:1: file: is UTF-16",
        ),
        ("an empty file", Vec::new(), "empty.csv:1:1: file: holds no rows"),
        (
            "an invalid address",
            h2(&row("ben(at)example.org")).into_bytes(),
            "address.csv:2:5: address: ",
        ),
        (
            "an unknown language",
            h2("adm-x,Administration of X,,member-states,ben@example.org,Ben,de,,active,\n").into_bytes(),
            "language.csv:2:7: language: ",
        ),
        (
            "an unknown category",
            h2("adm-x,Administration of X,,member-state,ben@example.org,Ben,,,active,\n").into_bytes(),
            "category.csv:2:4: categories: unknown category 'member-state'",
        ),
        (
            "the same contact twice",
            h2(&format!("{}{}", row("ben@example.org"), row("ben@example.org"))).into_bytes(),
            "twice.csv:3:5: address: ben@example.org is already listed for addressee 'adm-x' on line 2",
        ),
    ];
    for (what, bytes, expected) in cases {
        let name = expected.split(':').next().unwrap();
        let file = h.dir().join(name);
        std::fs::write(&file, bytes).unwrap();
        // Run from the folder, so the error names the file as the user typed it.
        let out = h.circulars_in(h.dir(), &["directory", "import", name]);
        assert!(!out.success, "{what}: accepted");
        assert!(
            out.stderr
                .contains(&format!("{name} refused, nothing stored")),
            "{what}: {}",
            out.stderr
        );
        assert!(
            out.stderr.lines().any(|l| l.trim().starts_with(expected)),
            "{what}: expected a line starting {expected:?} in:\n{}",
            out.stderr
        );
        assert_eq!(
            store.directory_size().await.unwrap(),
            1,
            "{what}: stored something"
        );
        assert_eq!(
            store.audit_trail("ana@example.org").await.unwrap(),
            trail,
            "{what}"
        );
        assert!(
            store
                .audit_trail("ben@example.org")
                .await
                .unwrap()
                .is_empty(),
            "{what}"
        );
    }

    // A UTF-8 byte order mark, as Excel writes it, is not part of the header: the file is read.
    let bom = h.dir().join("bom.csv");
    std::fs::write(
        &bom,
        [&b"\xEF\xBB\xBF"[..], h2(&row("ben@example.org")).as_bytes()].concat(),
    )
    .unwrap();
    h.circulars_ok(&["directory", "import", bom.to_str().unwrap()]);
    assert_eq!(store.directory_size().await.unwrap(), 2);
}

on_both_databases!(
    every_kind_of_broken_directory_file_is_refused_naming_where_and_nothing_is_stored,
    a_circular_missing_a_languages_subject_is_refused_and_not_stored,
    a_circular_naming_an_unknown_category_is_refused_with_its_line,
    a_directory_file_with_an_invalid_address_is_refused_whole,
    a_body_with_a_script_tag_is_refused_and_nothing_is_stored,
    annexes_that_are_missing_too_big_or_in_an_unknown_language_are_refused,
);
