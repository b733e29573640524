//! Files from outside that are wrong are refused with an error naming the file, the line or
//! field, and what is wrong; nothing of a refused file is stored.

use circulars_tests::{workspace, Harness};

fn sample_circular_text() -> String {
    std::fs::read_to_string(workspace().join("samples/circulars/tsb-36.toml")).unwrap()
}

#[tokio::test]
async fn a_circular_missing_a_languages_subject_is_refused_and_not_stored() {
    let h = Harness::start().await;
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

#[tokio::test]
async fn a_circular_naming_an_unknown_category_is_refused_with_its_line() {
    let h = Harness::start().await;
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

#[tokio::test]
async fn a_directory_file_with_an_invalid_address_is_refused_whole() {
    let h = Harness::start().await;
    let file = h.dir().join("members.csv");
    std::fs::write(
        &file,
        "address,name,language,addressee,categories,status\n\
         amina@example.org,Amina Diallo,fr,Administration of Freedonia,member-states,active\n\
         li.wei(at)example.com,Li Wei,zh,Administration of Sylvania,member-states,active\n\
         vera@example.net,Vera Novak,ru,Administration of Latveria,member-states,active\n",
    )
    .unwrap();

    let out = h.circulars(&["directory", "import", file.to_str().unwrap()]);
    assert!(!out.success);
    assert!(
        out.stderr
            .contains("members.csv:3: address: 'li.wei(at)example.com' is not an e-mail address"),
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

#[tokio::test]
async fn a_body_with_a_script_tag_is_refused_and_nothing_is_stored() {
    let h = Harness::start().await;
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

#[tokio::test]
async fn annexes_that_are_missing_too_big_or_in_an_unknown_language_are_refused() {
    let h = Harness::start().await;
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
