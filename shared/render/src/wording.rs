//! Checks of the wording files `locales/<lang>/circular.ftl` as a set: every file parses, every
//! message and term exists in all six languages with the same variables (and the same checks
//! for another set of files, [`check_set`]), no circular message is empty but those of
//! [`MAY_BE_EMPTY`], and the messages marked `# unverified` are listed for a language reviewer
//! (`docs/WORDING-REVIEW.md`). That each addressee category's wording comes from its language's
//! sources is checked by `tests/category_wording.rs` against `../shared/reference/wording.md`.

use circulars_core::domain::Language;
use circulars_core::input::line_of;
use fluent_syntax::ast;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// One message or term of a wording file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    /// The id; terms keep their leading `-`.
    pub id: String,
    /// The 1-based line where it is defined.
    pub line: usize,
    /// The variables it uses (`date`, `count`, …), in any of its variants.
    pub variables: BTreeSet<String>,
    /// Whether a `# unverified` comment marks it for review.
    pub unverified: bool,
    /// Its source, as written after `=` (continuation lines joined with " ⏎ ").
    pub source: String,
    /// Whether its value prints nothing (`{ "" }`, say).
    pub empty: bool,
}

/// The circular messages that may print nothing: the addressee label, which languages whose
/// letters have none (en, fr, ru: wording.md §5, §10) leave empty, `addressees-label = { "" }`;
/// the layout then leaves the label out.
pub const MAY_BE_EMPTY: [&str; 1] = ["addressees-label"];

/// Reads the messages and terms of one file, or its syntax errors as `file:line: what`.
pub fn read(file: &str, text: &str) -> Result<Vec<Wording>, Vec<String>> {
    let resource = match fluent_syntax::parser::parse(text) {
        Ok(r) => r,
        Err((_, errors)) => {
            return Err(errors
                .iter()
                .map(|e| {
                    let at = e.slice.as_ref().map_or(e.pos.start, |s| s.start);
                    format!("{file}:{}: {}", line_of(text, at), e.kind)
                })
                .collect())
        }
    };
    let mut out = Vec::new();
    for entry in &resource.body {
        let (id, patterns, comment, value): (String, Vec<&ast::Pattern<&str>>, _, _) = match entry {
            ast::Entry::Message(m) => (
                m.id.name.to_owned(),
                m.value
                    .iter()
                    .chain(m.attributes.iter().map(|a| &a.value))
                    .collect(),
                &m.comment,
                m.value.as_ref(),
            ),
            ast::Entry::Term(t) => (
                format!("-{}", t.id.name),
                std::iter::once(&t.value)
                    .chain(t.attributes.iter().map(|a| &a.value))
                    .collect(),
                &t.comment,
                Some(&t.value),
            ),
            _ => continue,
        };
        let mut variables = BTreeSet::new();
        for p in patterns {
            pattern_variables(p, &mut variables);
        }
        let unverified = comment
            .as_ref()
            .is_some_and(|c| c.content.iter().any(|l| l.trim() == "unverified"));
        let (line, source) = locate(text, &id);
        out.push(Wording {
            id,
            line,
            variables,
            unverified,
            source,
            empty: value.is_none_or(prints_nothing),
        });
    }
    Ok(out)
}

/// Checks the six files together (and that none of their messages is empty but those of
/// [`MAY_BE_EMPTY`]); on success returns each language's wording.
pub fn check(
    sources: &[(Language, &str, &str)],
) -> Result<BTreeMap<Language, Vec<Wording>>, Vec<String>> {
    let all = check_set(&Language::ALL, "circular.ftl", sources)?;
    let problems: Vec<String> = all
        .iter()
        .flat_map(|(language, wording)| {
            wording
                .iter()
                .filter(|w| w.empty && !MAY_BE_EMPTY.contains(&w.id.as_str()))
                .map(move |w| {
                    format!(
                        "locales/{language}/circular.ftl:{}: message {} is empty (only {} may be)",
                        w.line,
                        w.id,
                        MAY_BE_EMPTY.join(", ")
                    )
                })
        })
        .collect();
    if problems.is_empty() {
        Ok(all)
    } else {
        Err(problems)
    }
}

/// Checks the files `locales/<lang>/<file_name>` of `languages` together (each present and
/// parsed, every message and term in all of them with the same variables): the circular's six
/// files, or another set such as the staff console's English and French.
pub fn check_set(
    languages: &[Language],
    file_name: &str,
    sources: &[(Language, &str, &str)],
) -> Result<BTreeMap<Language, Vec<Wording>>, Vec<String>> {
    let mut problems = Vec::new();
    let mut all = BTreeMap::new();
    let mut files = BTreeMap::new();
    for &language in languages {
        match sources.iter().find(|(l, _, _)| *l == language) {
            None => problems.push(format!("locales/{language}/{file_name}: missing")),
            Some((_, file, text)) => {
                files.insert(language, *file);
                match read(file, text) {
                    Ok(w) => {
                        all.insert(language, w);
                    }
                    Err(errors) => problems.extend(errors),
                }
            }
        }
    }
    // Every id in every language, with the same variables as where it is first defined.
    let mut reference: BTreeMap<&str, (Language, &Wording)> = BTreeMap::new();
    for (language, wording) in &all {
        for w in wording {
            reference.entry(w.id.as_str()).or_insert((*language, w));
        }
    }
    for (id, (ref_language, ref_wording)) in &reference {
        let ref_file = files[ref_language];
        for (language, wording) in &all {
            let file = files[language];
            match wording.iter().find(|w| w.id == *id) {
                None => problems.push(format!(
                    "{file}: message {id} is missing (it is defined at {ref_file}:{})",
                    ref_wording.line
                )),
                Some(w) if w.variables != ref_wording.variables => problems.push(format!(
                    "{file}:{}: message {id} uses {} but {ref_file}:{} uses {}",
                    w.line,
                    show(&w.variables),
                    ref_wording.line,
                    show(&ref_wording.variables)
                )),
                Some(_) => {}
            }
        }
    }
    if problems.is_empty() {
        Ok(all)
    } else {
        Err(problems)
    }
}

/// The review list: every message marked `# unverified`, per language, as Markdown.
pub fn review_document(all: &BTreeMap<Language, Vec<Wording>>) -> String {
    let mut doc = String::from(
        "# Wording to review\n\n\
         Generated from `locales/<lang>/circular.ftl` by the composer's test \
         `wording::tests::the_review_list_is_current`; do not edit by hand. Each row is a message \
         marked `# unverified`: `../shared/reference/wording.md` has no sourced phrase for it. A \
         reviewer of the language checks the wording, corrects the FTL file if needed and removes \
         the mark; the test then updates this list.\n",
    );
    for (language, wording) in all {
        let marked: Vec<&Wording> = wording.iter().filter(|w| w.unverified).collect();
        let _ = write!(doc, "\n## {language} ({} to review)\n\n", marked.len());
        if marked.is_empty() {
            doc.push_str("Nothing to review.\n");
            continue;
        }
        doc.push_str("| message | line | wording |\n|---|---|---|\n");
        for w in marked {
            let _ = writeln!(
                doc,
                "| `{}` | {} | {} |",
                w.id,
                w.line,
                w.source.replace('|', "\\|")
            );
        }
    }
    doc
}

fn show(variables: &BTreeSet<String>) -> String {
    if variables.is_empty() {
        "no variables".into()
    } else {
        variables
            .iter()
            .map(|v| format!("${v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The line of `id = …` and its source text.
fn locate(text: &str, id: &str) -> (usize, String) {
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if let Some(rest) = line.strip_prefix(id) {
            if let Some(value) = rest.trim_start().strip_prefix('=') {
                let mut source = vec![value.trim().to_owned()];
                for next in &lines[i + 1..] {
                    if next.starts_with([' ', '\t', '}']) || next.starts_with("   ") {
                        source.push(next.trim().to_owned());
                    } else {
                        break;
                    }
                }
                source.retain(|s| !s.is_empty());
                return (i + 1, source.join(" ⏎ "));
            }
        }
    }
    (0, String::new())
}

/// Whether a pattern prints nothing: no text, or only empty string literals (`{ "" }`).
fn prints_nothing(pattern: &ast::Pattern<&str>) -> bool {
    pattern.elements.iter().all(|element| match element {
        ast::PatternElement::TextElement { value } => value.is_empty(),
        ast::PatternElement::Placeable {
            expression: ast::Expression::Inline(ast::InlineExpression::StringLiteral { value }),
        } => value.is_empty(),
        ast::PatternElement::Placeable { .. } => false,
    })
}

fn pattern_variables(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, out);
        }
    }
}

fn expression_variables(expression: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, out);
            for v in variants {
                pattern_variables(&v.value, out);
            }
        }
        ast::Expression::Inline(inline) => inline_variables(inline, out),
    }
}

fn inline_variables(inline: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_owned());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            arguments_variables(arguments, out)
        }
        ast::InlineExpression::TermReference {
            arguments: Some(arguments),
            ..
        } => arguments_variables(arguments, out),
        ast::InlineExpression::Placeable { expression } => expression_variables(expression, out),
        _ => {}
    }
}

fn arguments_variables(arguments: &ast::CallArguments<&str>, out: &mut BTreeSet<String>) {
    for a in &arguments.positional {
        inline_variables(a, out);
    }
    for a in &arguments.named {
        inline_variables(&a.value, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::SOURCES;

    fn sources_with(
        language: Language,
        text: &'static str,
    ) -> Vec<(Language, &'static str, &'static str)> {
        SOURCES
            .iter()
            .map(|(l, f, t)| {
                if *l == language {
                    (*l, *f, text)
                } else {
                    (*l, *f, *t)
                }
            })
            .collect()
    }

    #[test]
    fn the_six_files_agree() {
        let all = check(&SOURCES).unwrap();
        let ids: Vec<BTreeSet<&str>> = all
            .values()
            .map(|w| w.iter().map(|w| w.id.as_str()).collect())
            .collect();
        assert!(ids.windows(2).all(|p| p[0] == p[1]));
        let en = &all[&Language::En];
        let date = en.iter().find(|w| w.id == "date-line").unwrap();
        assert_eq!(date.variables, BTreeSet::from(["date".to_owned()]));
        let annexes = en.iter().find(|w| w.id == "annexes").unwrap();
        assert_eq!(
            annexes.variables,
            BTreeSet::from(["count".to_owned()]),
            "variables inside select variants count"
        );
    }

    #[test]
    fn a_missing_message_names_the_file_and_where_it_is_defined() {
        let fr = SOURCES[3].2.replace("salutation = Madame, Monsieur,\n", "");
        let leaked: &'static str = Box::leak(fr.into_boxed_str());
        let errors = check(&sources_with(Language::Fr, leaked)).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("locales/fr/circular.ftl: message salutation is missing (it is defined at locales/ar/circular.ftl:"), "{errors:?}");
    }

    #[test]
    fn different_variables_name_both_files_and_lines() {
        let es = SOURCES[5].2.replace("{ DATE($date) }", "{ DATE($fecha) }");
        let leaked: &'static str = Box::leak(es.into_boxed_str());
        let errors = check(&sources_with(Language::Es, leaked)).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("locales/es/circular.ftl:8: message date-line uses $fecha but locales/ar/circular.ftl:"), "{errors:?}");
    }

    #[test]
    fn only_the_addressee_label_may_be_empty() {
        let all = check(&SOURCES).unwrap();
        let label = |language: Language| {
            all[&language]
                .iter()
                .find(|w| w.id == "addressees-label")
                .unwrap()
                .empty
        };
        assert!(label(Language::En) && label(Language::Fr) && label(Language::Ru));
        assert!(!label(Language::Zh) && !label(Language::Ar) && !label(Language::Es));
        let en = SOURCES[2]
            .2
            .replace("salutation = Dear Sir/Madam,", "salutation = { \"\" }");
        let leaked: &'static str = Box::leak(en.into_boxed_str());
        let errors = check(&sources_with(Language::En, leaked)).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("locales/en/circular.ftl:")
                && errors[0]
                    .ends_with(": message salutation is empty (only addressees-label may be)"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_syntax_error_names_the_file_and_line() {
        let errors = check(&sources_with(
            Language::Ru,
            "organisation = X\nbureau = { $x\n",
        ))
        .unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("locales/ru/circular.ftl:2: ")),
            "{errors:?}"
        );
    }

    #[test]
    fn the_review_list_is_current() {
        let doc = review_document(&check(&SOURCES).unwrap());
        assert!(
            doc.contains("| `sender-name` |"),
            "unverified messages are listed"
        );
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/WORDING-REVIEW.md");
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != doc {
            std::fs::write(&path, &doc).unwrap();
            panic!("docs/WORDING-REVIEW.md was out of date and has been rewritten: review and commit it");
        }
    }
}
