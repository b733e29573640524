//! The six versions of a circular address the same people, each in its own language's sourced
//! words: every `locales/<lang>/circular.ftl` defines the same `category-*` messages, in the
//! order of the standard list, and each is either a phrase of its language's cell in
//! `../shared/reference/wording.md` or marked `# unverified`.
//!
//! How a message counts as sourced: its text (after the list's own opening word, see
//! [`openers`]) occurs in the category's row of §6 in its language's column, or in one of §10's
//! rows for its language, between word boundaries, and not inside a "not found (… (unverified))"
//! alternative. §10 is not arranged by category, so there the check proves only that the phrase
//! is quoted from a source of the language; which category it names was read by hand. A message
//! marked `# unverified` must not be found (a stale mark hides a sourced phrase from the review
//! list). No-break spaces count as spaces, and a line may start with a capital where the cell
//! continues a sentence ("… et aux établissements universitaires …").
//!
//! `wording.md` lives beside the workspace, not in it: without it the test is skipped with a
//! printed reason, except under `CI`, where it fails.

use circulars_core::domain::{Language, STANDARD_CATEGORIES};
use circulars_render::templates::SOURCES;
use circulars_render::wording::{read, Wording};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Each standard category's rows in wording.md §6 (by the row's first cell).
const ROWS: [(&str, &[&str]); 14] = [
    ("member-states", &["Member States / their Administrations"]),
    ("palestine", &["State of Palestine (Res. 99)"]),
    ("sector-members", &["Sector Members"]),
    ("associates", &["Associates", "(combined line)"]),
    ("academia", &["Academia", "(combined line)"]),
    ("permanent-missions", &["Permanent missions"]),
    (
        "international-organizations",
        &["International/regional organisations"],
    ),
    (
        "satellite-organizations",
        &["Intergovernmental satellite organisations"],
    ),
    ("united-nations", &["United Nations"]),
    ("specialized-agencies", &["Specialized agencies + IAEA"]),
    ("study-group-chairs", &["Study Group (Vice-)Chairmen"]),
    ("director-bdt", &["Director of BDT (copy)"]),
    ("director-br", &["Director of BR (copy)"]),
    ("secretary-general", &["Secretary-General (copy)"]),
];

/// What a language's list lines may start with before the cell's phrase: English TSB lines
/// start "To …" / "To the …" (§5, §6 [3]); French lines "Aux …" / "À …" (§5 [1]), and "Au …"
/// before a masculine title. The other languages put the cell's phrase as it stands.
fn openers(language: Language) -> &'static [&'static str] {
    match language {
        Language::En => &["To the ", "To "],
        Language::Fr => &["Aux ", "Au ", "À "],
        _ => &[],
    }
}

/// `<workspace>/../shared/reference/wording.md`.
fn wording_md() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/wording.md")
}

/// The body rows of the Markdown table that follows `heading`, as trimmed cells.
fn table(md: &str, heading: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let start = md
        .find(heading)
        .unwrap_or_else(|| panic!("wording.md has no section {heading:?}"));
    let cells = |line: &str| -> Vec<String> {
        let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
        inner.split('|').map(|c| c.trim().to_owned()).collect()
    };
    let mut rows = md[start..]
        .lines()
        .skip(1)
        .skip_while(|l| !l.trim_start().starts_with('|'))
        .take_while(|l| l.trim_start().starts_with('|'));
    let header = cells(rows.next().unwrap_or_default());
    let body = rows.skip(1).map(cells).collect();
    (header, body)
}

/// The sourced alternatives of a cell: its `;`-separated parts but "not found" and anything
/// marked unverified.
fn sourced(cell: &str) -> Vec<String> {
    cell.split("; ")
        .filter(|part| !part.starts_with("not found") && !part.contains("unverified"))
        .map(normalise)
        .collect()
}

fn normalise(text: &str) -> String {
    text.replace(['\u{00A0}', '\u{202F}'], " ")
}

/// A character that continues a word: letters, digits and the hyphen of "МСЭ-Т" or "ITU-T";
/// Han characters do not, Chinese having no spaces between words.
fn continues_word(c: char) -> bool {
    (c.is_alphanumeric() || c == '-') && !('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Whether `phrase` occurs in `text` with no word going on at either end.
fn occurs(phrase: &str, text: &str) -> bool {
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        !before.is_some_and(continues_word) && !after.is_some_and(continues_word)
    })
}

/// The ways a message's text may appear in a cell: as it stands or after an opener, each also
/// with its first letter in lower case.
fn candidates(language: Language, text: &str) -> Vec<String> {
    let mut forms = vec![text.to_owned()];
    forms.extend(
        openers(language)
            .iter()
            .filter_map(|o| text.strip_prefix(o).map(str::to_owned)),
    );
    let lower: Vec<String> = forms
        .iter()
        .filter_map(|f| {
            let mut chars = f.chars();
            let first = chars.next()?;
            first
                .is_uppercase()
                .then(|| first.to_lowercase().chain(chars).collect())
        })
        .collect();
    forms.extend(lower);
    forms
}

/// The wording files' `category-*` messages, per language, in file order.
fn categories() -> BTreeMap<Language, (&'static str, Vec<Wording>)> {
    SOURCES
        .iter()
        .map(|(language, file, text)| {
            let wording = read(file, text).unwrap_or_else(|e| panic!("{e:?}"));
            let categories = wording
                .into_iter()
                .filter(|w| w.id.starts_with("category-"))
                .collect();
            (*language, (*file, categories))
        })
        .collect()
}

#[test]
fn every_language_names_the_same_categories_in_the_standard_order() {
    let standard: Vec<String> = STANDARD_CATEGORIES
        .iter()
        .map(|c| format!("category-{c}"))
        .collect();
    for (language, (file, wording)) in categories() {
        let ids: Vec<&str> = wording.iter().map(|w| w.id.as_str()).collect();
        assert_eq!(ids, standard, "{file} ({language})");
    }
    let mapped: Vec<&str> = ROWS.iter().map(|(c, _)| *c).collect();
    assert_eq!(
        mapped, STANDARD_CATEGORIES,
        "every category has its wording.md rows"
    );
}

#[test]
fn every_category_is_worded_from_its_own_language_cell_or_marked_unverified() {
    let path = wording_md();
    let md = match std::fs::read_to_string(&path) {
        Ok(md) => md,
        Err(e) if std::env::var_os("CI").is_some() => panic!(
            "{}: {e}: the category check needs ../shared/reference/wording.md beside the workspace",
            path.display()
        ),
        Err(e) => {
            eprintln!(
                "skipped: {}: {e} (the check of category wording against its sources needs \
                 ../shared/reference/wording.md beside the workspace; under CI it fails instead)",
                path.display()
            );
            return;
        }
    };
    let (header, rows6) = table(&md, "## 6. Addressee categories");
    let column = |language: Language| {
        header
            .iter()
            .position(|h| h == language.code())
            .unwrap_or_else(|| panic!("§6 has no column {language}: {header:?}"))
    };
    let (_, rows10) = table(&md, "## 10. ");
    let mut problems = Vec::new();
    for (language, (file, wording)) in categories() {
        let review: Vec<String> = rows10
            .iter()
            .filter(|r| r.first().map(String::as_str) == Some(language.code()))
            .filter_map(|r| r.get(1).map(|c| normalise(c)))
            .collect();
        for w in wording {
            let id = &w.id["category-".len()..];
            let (_, labels) = ROWS
                .iter()
                .find(|(c, _)| *c == id)
                .unwrap_or_else(|| panic!("{file}:{}: {id} is no standard category", w.line));
            let cells: Vec<String> = labels
                .iter()
                .flat_map(|label| {
                    let row = rows6
                        .iter()
                        .find(|r| r.first() == Some(&label.to_string()))
                        .unwrap_or_else(|| panic!("wording.md §6 has no row {label:?}"));
                    sourced(&row[column(language)])
                })
                .chain(review.iter().cloned())
                .collect();
            let text = normalise(&w.source);
            let found = candidates(language, &text)
                .iter()
                .any(|c| cells.iter().any(|cell| occurs(c, cell)));
            match (found, w.unverified) {
                (false, false) => problems.push(format!(
                    "{file}:{}: {} = {text:?} is in neither wording.md §6 ({}) nor §10 for {language}: \
                     correct it or mark it `# unverified`",
                    w.line,
                    w.id,
                    labels.join(", ")
                )),
                (true, true) => problems.push(format!(
                    "{file}:{}: {} = {text:?} is sourced in wording.md: remove its `# unverified`",
                    w.line, w.id
                )),
                _ => {}
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn a_phrase_counts_only_between_word_boundaries_and_outside_unverified_guesses() {
    assert!(occurs(
        "Членам МСЭ",
        "`Академическим организациям – Членам МСЭ`"
    ));
    assert!(!occurs(
        "Ассоциированным членам МСЭ",
        "–Ассоциированным членам МСЭ-Т"
    ));
    assert!(occurs("国际电联各成员国", "– 国际电联各成员国主管部门，"));
    assert!(!occurs("States", "Member Statesmen"));
    assert_eq!(
        sourced("not found (الأمم المتحدة (unverified))"),
        Vec::<String>::new()
    );
    assert_eq!(sourced("A [1]; not found (B (unverified))"), ["A [1]"]);
    assert!(
        candidates(Language::Fr, "Aux établissements").contains(&"aux établissements".to_owned())
    );
    assert!(
        candidates(Language::En, "To the United Nations").contains(&"United Nations".to_owned())
    );
}
