//! The draft form's page rendered without a server: in French, with problems, every control
//! wired to its label, hint and error, every summary line linking to a control, and what was
//! typed shown as text.

use super::draft_form::DraftForm;
use super::page::{Choices, DraftPage, Problems};
use crate::console::form::Choice;
use crate::console::{PageContext, Staff, Words};
use askama::Template;
use axum::http::HeaderMap;
use circulars_core::domain::{AccountName, Actor, Roles, Via};
use circulars_core::input::Problem;
use std::sync::Arc;

fn drafter_in(language: &str) -> Staff {
    let words = Arc::new(Words::embedded().unwrap());
    let uri = format!("/staff/circulars/new?lang={language}")
        .parse()
        .unwrap();
    Staff {
        page: PageContext::new(words, &uri, &HeaderMap::new()),
        actor: Actor::account(
            AccountName::parse("ana").unwrap(),
            Roles::parse_list("drafter").unwrap(),
            Via::Page,
        ),
        csrf: "token".into(),
    }
}

fn problem(field: &str, message: &str) -> Problem {
    Problem {
        line: None,
        column: None,
        field: field.into(),
        message: message.into(),
    }
}

/// The values of attribute `name` in `html`.
fn attributes<'h>(html: &'h str, name: &str) -> Vec<&'h str> {
    let marker = format!(" {name}=\"");
    html.match_indices(&marker)
        .filter_map(|(at, _)| html[at + marker.len()..].split('"').next())
        .collect()
}

#[test]
fn the_form_in_french_wires_every_problem_to_its_control_and_shows_typed_text_as_text() {
    let staff = drafter_in("fr");
    let mut form = DraftForm::new_circular(chrono::NaiveDate::from_ymd_opt(2025, 3, 12).unwrap());
    form.texts[3].subject = "<script>alert(1)</script>".into();
    form.categories = vec!["academia".into()];
    let choices = Choices {
        categories: vec![Choice {
            value: "academia".into(),
            label: "Academia (academia)".into(),
        }],
        ..Choices::default()
    };
    let problems = Problems::of(&[
        problem("text.en.subject", "is empty"),
        problem("contact.email", "must be an e-mail address"),
        problem(
            "annexes[1].fr",
            "annex1.fr.pdf is 11 bytes, over the limit of 10 bytes (mail.max_annex_bytes)",
        ),
        problem("copy", "'academia' is also an addressee category"),
        problem("colour", "unknown field"),
    ]);
    let page = DraftPage::new(
        &staff,
        staff.layout("draft-new-title"),
        "/staff/circulars/new".into(),
        &form,
        &choices,
        &problems,
    );
    let html = page.render().unwrap();
    assert!(html.contains("<html lang=\"fr\" dir=\"ltr\">"), "{html}");
    assert!(
        html.contains("<title>Erreur\u{a0}: Nouvelle circulaire"),
        "{html}"
    );
    assert!(html.contains(">Objet (anglais)</label>"), "{html}");
    assert!(html.contains("lang=\"ar\" dir=\"rtl\""), "{html}");
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("value=\"academia\" checked"), "{html}");
    for line in [
        "text.en.subject: is empty",
        "contact.email: must be an e-mail address",
        "annexes[1].fr: annex1.fr.pdf is 11 bytes",
        "copy: &#39;academia&#39; is also an addressee category",
        "colour: unknown field",
    ] {
        assert!(html.contains(line), "{line}: {html}");
    }
    let ids = attributes(&html, "id");
    for described in attributes(&html, "aria-describedby") {
        for id in described.split(' ') {
            assert!(ids.contains(&id), "aria-describedby names a missing {id}");
        }
    }
    for target in attributes(&html, "href")
        .into_iter()
        .filter_map(|h| h.strip_prefix('#'))
    {
        assert!(ids.contains(&target), "a link to a missing #{target}");
    }
    for label_for in attributes(&html, "for") {
        assert!(
            ids.contains(&label_for),
            "a label for a missing {label_for}"
        );
    }
    let summary = &html[html.find("error-summary-list").unwrap()..];
    let order: Vec<usize> = [
        "#contact-email",
        "#copy",
        "#subject-en",
        "#annex-fr",
        "#series",
    ]
    .iter()
    .map(|t| summary.find(&format!("href=\"{t}\"")).unwrap_or(usize::MAX))
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "the page's order: {order:?}"
    );
}
