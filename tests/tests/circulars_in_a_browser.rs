//! The sample circular as recipients see it: `circulars preview` writes the six versions, and a
//! real headless Chromium shows each, in a browser window and as webmail shows the Arabic one.
//! What is checked is read from the page's layout (where each character shows, each element's
//! computed direction), not from its markup, by `circulars_in_a_browser/reading_order.js`:
//!
//! - the contact's telephone, fax and e-mail read left to right wherever they show: each
//!   character of `+41 22 730 5572` shows right of the one before it (a right-to-left paragraph
//!   would show `5572 730 22 41+`), and each value's cell is on the far side of its label;
//! - every element whose own text is of the language's script reads in the language's
//!   direction, the first line (the letterhead) named on its own; `lang` and `dir` stay on
//!   `<html>` too;
//! - for Arabic, the same in two copies as webmail shows them: the `<html>` element's attributes
//!   stripped, and only the body's content inside an English (left-to-right) page, as Gmail
//!   does, so that the direction must come from the body's own containers;
//! - the plain-text part in three `<pre>` views: one that picks each paragraph's direction from
//!   its first strong character, as a viewer applying the bidi algorithm per paragraph does
//!   (`unicode-bidi: plaintext`, no direction set: the nearest CSS gives to a plain-text mail
//!   reader), where each line but the signature separator must start on the side the language
//!   reads from (the line's last line box touches that edge), and two with the direction fixed
//!   (left to right, right to left), as viewers that apply none do, where the values must still
//!   read left to right.
//!
//! All problems are gathered and listed together. Screenshots go to the test's output folder;
//! with `CIRCULARS_SCREENSHOTS=docs/screenshots` (a folder, relative to the workspace) each
//! language's is also written there as `<lang>.png`, and the Arabic one with the `<html>`
//! attributes stripped as `ar-webmail.png`: the README shows them.

use circulars_tests::browser::Browser;
use circulars_tests::{circulars_binary, workspace};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The six languages, in the order the README shows them.
const LANGUAGES: [&str; 6] = ["ar", "zh", "en", "fr", "ru", "es"];
/// The page area the screenshots show (CSS pixels): about a mail reader's reading pane.
const VIEWPORT: (u32, u32) = (820, 1500);
/// The page-side checks.
const READING_ORDER: &str = include_str!("circulars_in_a_browser/reading_order.js");

/// The sample circular's contact values (telephone, fax, e-mail), from its file.
fn contact_values(sample: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(sample).unwrap();
    let file: toml::Table = toml::from_str(&text).unwrap();
    let contact = file["contact"].as_table().expect("a [contact] table");
    ["tel", "fax", "email"]
        .iter()
        .map(|key| {
            contact[*key]
                .as_str()
                .unwrap_or_else(|| panic!("contact.{key}"))
                .to_owned()
        })
        .collect()
}

/// The direction a language reads in, and a regular expression for its script's letters.
fn script_of(language: &str) -> (&'static str, &'static str) {
    match language {
        "ar" => ("rtl", r"\p{Script=Arabic}"),
        _ => ("ltr", r"\p{L}"),
    }
}

/// `html` with the `<html>` start tag's attributes removed, as webmail that keeps the element
/// but not its attributes shows it.
fn without_html_attributes(html: &str) -> String {
    let start = html.find("<html").expect("an <html> start tag");
    let end = start + html[start..].find('>').expect("the <html> tag ends");
    format!("{}<html>{}", &html[..start], &html[end + 1..])
}

/// The content of `html`'s `<body>` alone (its attributes, the `<head>` and `<html>` gone) in
/// an English, left-to-right page, as Gmail shows a message.
fn body_only_in_webmail(html: &str) -> String {
    let open = html.find("<body").expect("a <body> start tag");
    let start = open + html[open..].find('>').expect("the <body> tag ends") + 1;
    let end = html.rfind("</body>").expect("a </body> end tag");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Inbox</title></head>\n\
         <body><div class=\"message\">{}</div></body></html>\n",
        &html[start..end]
    )
}

/// A page holding the plain text `text` in three views: the direction picked per paragraph,
/// fixed left to right, fixed right to left.
fn plain_text_views(text: &str) -> String {
    let text = text
        .replace("\r\n", "\n")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let style = "white-space:pre-wrap;border:1px solid #ccc;padding:8px;margin:8px 0";
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Plain text</title></head><body>\n\
         <pre data-view=\"direction per paragraph\" data-per-paragraph style=\"unicode-bidi:plaintext;{style}\">{text}</pre>\n\
         <pre data-view=\"left to right throughout\" dir=\"ltr\" style=\"{style}\">{text}</pre>\n\
         <pre data-view=\"right to left throughout\" dir=\"rtl\" style=\"{style}\">{text}</pre>\n\
         </body></html>\n"
    )
}

/// A `file://` URL for `path`.
fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Where `CIRCULARS_SCREENSHOTS` asks for the README's screenshots, if it does.
fn published_screenshots() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("CIRCULARS_SCREENSHOTS")?);
    Some(if dir.is_absolute() {
        dir
    } else {
        workspace().join(dir)
    })
}

/// Copies `shot` to `<CIRCULARS_SCREENSHOTS>/<name>.png` when that is set.
fn publish(shot: &Path, name: &str) {
    if let Some(dir) = published_screenshots() {
        std::fs::create_dir_all(&dir).unwrap();
        let to = dir.join(format!("{name}.png"));
        std::fs::copy(shot, &to).unwrap();
        println!("published: {}", to.display());
    }
}

/// Resizes the window so that the page area is [`VIEWPORT`] (the window's frame taking what it
/// takes).
async fn size_viewport(browser: &Browser) {
    let client = browser.client();
    let wanted = [i64::from(VIEWPORT.0), i64::from(VIEWPORT.1)];
    let mut window = wanted;
    for _ in 0..3 {
        let [width, height] = window.map(|n| u32::try_from(n).expect("a window size"));
        client
            .set_window_size(width, height)
            .await
            .expect("the window is resized");
        let inner = client
            .execute("return [innerWidth, innerHeight];", vec![])
            .await
            .expect("the script runs");
        let inner = [0, 1].map(|i| inner[i].as_i64().expect("a size"));
        if inner == wanted {
            return;
        }
        window = [0, 1].map(|i| window[i] + wanted[i] - inner[i]);
    }
    panic!("the page area cannot be made {wanted:?}");
}

/// Saves a screenshot of the open page as `step`, its scroll bar hidden, and returns its path.
async fn screenshot(browser: &mut Browser, step: &str) -> PathBuf {
    browser
        .client()
        .execute(
            "document.documentElement.style.scrollbarWidth = 'none';",
            vec![],
        )
        .await
        .expect("the script runs");
    browser.screenshot(step).await
}

/// Runs the page-side `check` (`letter` or `plain`) on the open page for `language`, and adds
/// what it finds to `problems`, each prefixed with `view`.
async fn check(
    browser: &Browser,
    check: &str,
    language: &str,
    values: &[String],
    view: &str,
    problems: &mut Vec<String>,
) {
    let (direction, letters) = script_of(language);
    let found = browser
        .client()
        .execute(
            READING_ORDER,
            vec![
                json!(check),
                json!(values),
                json!(direction),
                json!(letters),
            ],
        )
        .await
        .unwrap_or_else(|e| panic!("{view}: the checks do not run: {e}"));
    let found = found.as_array().expect("a list of problems");
    problems.extend(
        found
            .iter()
            .map(|p| format!("{view}: {}", p.as_str().unwrap_or_default())),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_language_reads_in_its_direction_in_a_browser_and_arabic_keeps_its_numbers_left_to_right_in_webmail(
) {
    let sample = workspace().join("samples/circulars/tsb-36.toml");
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(circulars_binary())
        .arg("preview")
        .arg(&sample)
        .arg("--out")
        .arg(out.path())
        .current_dir(out.path())
        .env_remove("CIRCULARS_CONFIG")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let values = contact_values(&sample);
    let mut problems = Vec::new();

    let mut browser = Browser::start().await;
    size_viewport(&browser).await;
    for language in LANGUAGES {
        let (direction, _) = script_of(language);
        let html = out.path().join(format!("{language}.html"));
        browser.goto(&file_url(&html)).await;
        let view = format!("{language}, as previewed");
        let root = browser
            .client()
            .execute(
                "return [document.documentElement.lang, document.documentElement.dir];",
                vec![],
            )
            .await
            .expect("the script runs");
        if root != json!([language, direction]) {
            problems.push(format!("{view}: <html> has lang and dir {root}"));
        }
        check(&browser, "letter", language, &values, &view, &mut problems).await;
        let shot = screenshot(&mut browser, language).await;
        publish(&shot, language);

        let text = std::fs::read_to_string(out.path().join(format!("{language}.txt"))).unwrap();
        let page = out.path().join(format!("{language}-plain-text.html"));
        std::fs::write(&page, plain_text_views(&text)).unwrap();
        browser.goto(&file_url(&page)).await;
        let view = format!("{language}, plain text");
        check(&browser, "plain", language, &values, &view, &mut problems).await;
        screenshot(&mut browser, &format!("{language} plain text")).await;
    }

    let arabic = std::fs::read_to_string(out.path().join("ar.html")).unwrap();
    let webmail = [
        (
            "ar-webmail",
            "<html> attributes stripped",
            without_html_attributes(&arabic),
        ),
        (
            "ar-body-only",
            "body only, in an English page",
            body_only_in_webmail(&arabic),
        ),
    ];
    for (name, view, page) in webmail {
        let file = out.path().join(format!("{name}.html"));
        std::fs::write(&file, page).unwrap();
        browser.goto(&file_url(&file)).await;
        let view = format!("ar, {view}");
        check(&browser, "letter", "ar", &values, &view, &mut problems).await;
        let shot = screenshot(&mut browser, name).await;
        if name == "ar-webmail" {
            publish(&shot, name);
        }
    }
    browser.close().await;

    assert!(
        problems.is_empty(),
        "the circulars do not read as they should ({} problems):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
