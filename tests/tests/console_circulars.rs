//! The secretariat works on its circulars in the console, over plain HTTP as a browser would:
//! the list shows what is drafted and finds a circular by state or by words; a second person
//! approves it with the page's form and the history says who did what from where; its drafter
//! is told why they cannot approve it and is refused when they try; a form without its token
//! is refused; a `<script>` in a subject is shown as text; and an operator, shown the audience
//! with the number of recipients, issues it and watches the delivery page, reloaded, reach the
//! final counts.

use circulars_tests::http::{request, Reply};
use circulars_tests::{on_both_databases, workspace, Db, Harness, Setup};
use std::time::{Duration, Instant};

/// A member of staff signed in to the console: the gateway's address and their session.
struct Person {
    base: String,
    cookie: String,
}

impl Person {
    /// Adds an account `name` with `roles` and signs it in with the password printed.
    async fn signed_in(h: &Harness, name: &str, roles: &[&str]) -> Person {
        let password = h.staff_account(name, roles);
        let base = h.gateway_url();
        let body = form(&[("name", name), ("password", &password)]);
        let signed = request(
            "POST",
            &format!("{base}/staff/sign-in"),
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        )
        .await;
        assert_eq!(signed.status, 303, "{name} signs in: {}", signed.body);
        let cookie = signed.header("set-cookie").expect("a session cookie");
        Person {
            base,
            cookie: cookie.split(';').next().unwrap().to_owned(),
        }
    }

    /// Opens `path` (`/staff/circulars`).
    async fn open(&self, path: &str) -> Reply {
        let headers = [("Cookie", self.cookie.as_str())];
        request("GET", &format!("{}{path}", self.base), &headers, b"").await
    }

    /// Sends a form to `action` with `fields`, as the page's button does.
    async fn send(&self, action: &str, fields: &[(&str, &str)]) -> Reply {
        let headers = [
            ("Cookie", self.cookie.as_str()),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ];
        let body = form(fields);
        let url = format!("{}{action}", self.base);
        request("POST", &url, &headers, body.as_bytes()).await
    }

    /// Opens `page`, then presses its button that posts to `action`, with the form's CSRF
    /// token and `fields`.
    async fn press(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Reply {
        let shown = self.open(page).await;
        assert_eq!(shown.status, 200, "{page}: {}", shown.body);
        let token = form_token(&shown.body, action);
        let mut sent = vec![("csrf", token.as_str())];
        sent.extend_from_slice(fields);
        self.send(action, &sent).await
    }
}

/// `fields` as `application/x-www-form-urlencoded`.
fn form(fields: &[(&str, &str)]) -> String {
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        body.append_pair(name, value);
    }
    body.finish()
}

/// The CSRF token of the form that posts to `action` on a page, failing when there is none.
fn form_token(html: &str, action: &str) -> String {
    let start = html
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form posts to {action}:\n{html}"));
    let rest = &html[start..];
    let value = rest
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap_or_else(|| panic!("the form to {action} has no token"));
    value[..value.find('"').unwrap()].to_owned()
}

/// The rows of the page's first table with a `<tbody>`, as the text of their cells.
fn table_rows(html: &str) -> Vec<Vec<String>> {
    let Some(body) = html.split("<tbody>").nth(1) else {
        return Vec::new();
    };
    let body = &body[..body.find("</tbody>").unwrap()];
    body.split("<tr>").skip(1).map(cells_text).collect()
}

/// The text of each `<td>` or `<th>` of a row, its tags (a link, a time) left out.
fn cells_text(row: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut rest = row;
    while let Some(start) = rest.find('<') {
        let tag = &rest[start..];
        if tag.starts_with("<td") || tag.starts_with("<th") {
            let close = if tag.starts_with("<td") {
                "</td>"
            } else {
                "</th>"
            };
            let open_end = tag.find('>').unwrap() + 1;
            let end = tag.find(close).unwrap();
            cells.push(strip_tags(&tag[open_end..end]));
            rest = &tag[end + close.len()..];
        } else {
            rest = &tag[1..];
        }
    }
    cells
}

/// `html` without its tags, trimmed.
fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.trim().to_owned()
}

/// The ids in the list of circulars shown by `html`.
fn ids_listed(html: &str) -> Vec<String> {
    table_rows(html)
        .into_iter()
        .filter_map(|cells| cells.into_iter().next())
        .collect()
}

/// A harness with approval required and the sample directory, serving `services`.
async fn console(db: Db, services: &str) -> Harness {
    let mut h = Harness::start_setup(Setup {
        approval_required: true,
        ..Setup::new(db)
    })
    .await;
    h.import_sample_directory();
    h.serve(services);
    h
}

/// Drafts the sample TSB-36 as `by` with the CLI.
fn draft_sample(h: &Harness, by: &str) {
    let file = workspace().join("samples/circulars/tsb-36.toml");
    h.circulars_ok(&["draft", file.to_str().unwrap(), "--as", by]);
}

async fn drafts_are_listed_found_and_approved_by_a_second_person(db: Db) {
    let mut h = console(db, "gateway").await;
    let ana = Person::signed_in(&h, "ana", &["drafter", "approver"]).await;
    let bob = Person::signed_in(&h, "bob", &["approver"]).await;
    let olga = Person::signed_in(&h, "olga", &["operator"]).await;
    draft_sample(&h, "ana");
    // A second circular whose English subject carries a script.
    let scripted = h.write_sample_variant(37, None);
    let text = std::fs::read_to_string(&scripted).unwrap();
    let english = "subject = \"Invitation to participate";
    assert!(text.contains(english));
    let text = text.replacen(
        english,
        "subject = \"<script>alert('x')</script> Invitation to participate",
        1,
    );
    std::fs::write(&scripted, text).unwrap();
    h.circulars_ok(&["draft", scripted.to_str().unwrap(), "--as", "ana"]);

    let list = bob.open("/staff/circulars").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(
        ids_listed(&list.body),
        ["TSB-37", "TSB-36"],
        "{}",
        list.body
    );
    assert!(
        list.body
            .contains("Invitation to participate in the work of the ITU Expert Group"),
        "the English subject: {}",
        list.body
    );
    assert!(
        list.body.contains("&#60;script&#62;alert(") && !list.body.contains("<script>"),
        "the script is shown as text: {}",
        list.body
    );
    let page = bob.open("/staff/circulars/TSB-37").await;
    assert!(
        page.body.contains("&#60;script&#62;alert(") && !page.body.contains("<script>"),
        "{}",
        page.body
    );

    // The drafter submits TSB-36 with the page's form; the list finds it by state and words.
    let submitted = ana
        .press(
            "/staff/circulars/TSB-36",
            "/staff/circulars/TSB-36/submit",
            &[],
        )
        .await;
    assert_eq!(submitted.status, 303, "{}", submitted.body);
    assert_eq!(
        submitted.header("location"),
        Some("/staff/circulars/TSB-36")
    );
    let waiting = bob.open("/staff/circulars?state=submitted").await;
    assert_eq!(ids_listed(&waiting.body), ["TSB-36"], "{}", waiting.body);
    assert!(
        waiting
            .body
            .contains("Circulars in the state “Submitted for approval”"),
        "{}",
        waiting.body
    );
    let found = bob.open("/staff/circulars?q=tsb-37").await;
    assert_eq!(ids_listed(&found.body), ["TSB-37"], "{}", found.body);
    let french = bob
        .open("/staff/circulars?q=Groupe+d%27experts&state=draft")
        .await;
    assert_eq!(ids_listed(&french.body), ["TSB-37"], "{}", french.body);
    let none = bob.open("/staff/circulars?q=rapporteurs").await;
    assert!(ids_listed(&none.body).is_empty(), "{}", none.body);
    assert!(none.body.contains("No circular matches"), "{}", none.body);

    // The drafter, an approver too, is told why there is no approve button, and refused.
    let own = ana.open("/staff/circulars/TSB-36").await;
    assert!(
        own.body
            .contains("You drafted or last edited TSB-36: another approver must approve it."),
        "{}",
        own.body
    );
    assert!(!own.body.contains("id=\"step-approve\""), "{}", own.body);
    let token = form_token(&own.body, "/staff/circulars/TSB-36/send-back");
    let refused = ana
        .send(
            "/staff/circulars/TSB-36/approve",
            &[("csrf", &token), ("revision", "1")],
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("ana drafted or last edited TSB-36: another approver must approve it"),
        "in the lifecycle's words: {}",
        refused.body
    );
    // An operator does not approve; a form without its token does nothing.
    let token = form_token(&olga.open("/staff/circulars").await.body, "/staff/sign-out");
    let not_an_approver = olga
        .send(
            "/staff/circulars/TSB-36/approve",
            &[("csrf", &token), ("revision", "1")],
        )
        .await;
    assert_eq!(not_an_approver.status, 403, "{}", not_an_approver.body);
    assert!(
        not_an_approver.body.contains("it needs the approver role"),
        "{}",
        not_an_approver.body
    );
    let tokenless = bob
        .send("/staff/circulars/TSB-36/approve", &[("revision", "1")])
        .await;
    assert_eq!(tokenless.status, 403, "{}", tokenless.body);
    assert!(
        tokenless.body.contains("This form has expired"),
        "{}",
        tokenless.body
    );
    let still = bob.open("/staff/circulars/TSB-36").await;
    assert!(
        still.body.contains("<dd>Submitted for approval</dd>"),
        "{}",
        still.body
    );

    // A second person approves with the form; the history says who, how and from where.
    let approved = bob
        .press(
            "/staff/circulars/TSB-36",
            "/staff/circulars/TSB-36/approve",
            &[("revision", "1")],
        )
        .await;
    assert_eq!(approved.status, 303, "{}", approved.body);
    let page = bob.open("/staff/circulars/TSB-36").await;
    assert!(page.body.contains("<dd>Approved</dd>"), "{}", page.body);
    let history: Vec<Vec<String>> = table_rows(&page.body)
        .into_iter()
        .map(|cells| cells[1..4].to_vec())
        .collect();
    assert_eq!(
        history,
        [
            ["ana", "Command line", "Drafted"],
            ["ana", "Console", "Submitted for approval"],
            ["bob", "Console", "Approved"],
        ],
        "{}",
        page.body
    );
    h.stop_services();
}

async fn an_operator_sees_the_audience_issues_from_the_form_and_watches_delivery(db: Db) {
    let mut h = console(db, "all").await;
    let olga = Person::signed_in(&h, "olga", &["operator"]).await;
    h.staff_account("ana", &["drafter"]);
    h.staff_account("bob", &["approver"]);
    draft_sample(&h, "ana");
    h.circulars_ok(&["submit", "TSB-36", "--as", "ana"]);
    h.circulars_ok(&["approve", "TSB-36", "--as", "bob"]);
    let dry_run = h.circulars_ok(&["audience", "TSB-36"]);
    let recipients: u64 = dry_run
        .split("would go to ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{dry_run}"));
    assert!(recipients > 100, "{dry_run}");

    let circular = olga.open("/staff/circulars/TSB-36").await;
    assert!(
        circular
            .body
            .contains("href=\"/staff/circulars/TSB-36/issue\""),
        "{}",
        circular.body
    );
    let confirm = olga.open("/staff/circulars/TSB-36/issue").await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert!(
        confirm
            .body
            .contains(&format!("Issue to {recipients} recipients</button>")),
        "the button names the count of the directory's dry run: {}",
        confirm.body
    );
    assert!(
        confirm
            .body
            .contains("Recipients per category and language, if issued now"),
        "{}",
        confirm.body
    );
    assert!(
        confirm.body.contains("Addresses left out, per reason"),
        "{}",
        confirm.body
    );

    let tokenless = olga.send("/staff/circulars/TSB-36/issue", &[]).await;
    assert_eq!(tokenless.status, 403, "{}", tokenless.body);
    assert!(h.mails().is_empty(), "nothing is sent without the token");
    let issued = olga
        .press(
            "/staff/circulars/TSB-36/issue",
            "/staff/circulars/TSB-36/issue",
            &[],
        )
        .await;
    assert_eq!(issued.status, 303, "{}", issued.body);
    assert_eq!(
        issued.header("location"),
        Some("/staff/circulars/TSB-36/delivery")
    );

    let finished = format!("Finished: all {recipients} recipients have a final state.");
    let deadline = Instant::now() + Duration::from_secs(120);
    let delivery = loop {
        let page = olga.open("/staff/circulars/TSB-36/delivery").await;
        assert_eq!(page.status, 200, "{}", page.body);
        if page.body.contains(&finished) {
            break page;
        }
        assert!(Instant::now() < deadline, "never finished: {}", page.body);
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let per_state = table_rows(&delivery.body);
    assert_eq!(
        per_state,
        [["Sent".to_owned(), recipients.to_string()]],
        "{}",
        delivery.body
    );
    assert_eq!(h.mails().len() as u64, recipients);
    let page = olga.open("/staff/circulars/TSB-36").await;
    let issued_by: Vec<Vec<String>> = table_rows(&page.body)
        .into_iter()
        .filter(|cells| cells[3] == "Issued")
        .map(|cells| cells[1..3].to_vec())
        .collect();
    assert_eq!(issued_by, [["olga", "Console"]], "{}", page.body);
    h.stop_services();
}

on_both_databases!(
    drafts_are_listed_found_and_approved_by_a_second_person,
    an_operator_sees_the_audience_issues_from_the_form_and_watches_delivery,
);
