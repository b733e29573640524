//! The console's routes and templates together: what a browser gets, headers and HTML.

use super::sign_in::{Attempt, SignInPage};
use super::*;
use askama::Template;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use tower::ServiceExt;

fn state() -> ConsoleState {
    ConsoleState {
        words: Arc::new(Words::embedded().unwrap()),
        cookies: CookiePolicy::new(true),
        origins: SameOrigin::new("https://circulars.example"),
    }
}

async fn send(request: Request<Body>) -> (Response, String) {
    let response = public_routes(state()).oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    (
        Response::from_parts(parts, Body::empty()),
        String::from_utf8(bytes.to_vec()).unwrap(),
    )
}

fn get(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::get(uri);
    for (n, v) in headers {
        request = request.header(*n, *v);
    }
    request.body(Body::empty()).unwrap()
}

fn header<'r>(response: &'r Response, name: &str) -> &'r str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} header"))
}

/// Every value of attribute `name` in `html` (double-quoted, as the templates write them).
fn attribute_values<'h>(html: &'h str, name: &str) -> Vec<&'h str> {
    let needle = format!(" {name}=\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// Checks that every `for`, `aria-describedby` and summary link names an element's `id`.
fn assert_wired(html: &str) {
    let ids = attribute_values(html, "id");
    let mut references: Vec<&str> = attribute_values(html, "for");
    for described in attribute_values(html, "aria-describedby") {
        references.extend(described.split(' '));
    }
    references.extend(
        attribute_values(html, "href")
            .into_iter()
            .filter_map(|h| h.strip_prefix('#')),
    );
    assert!(!references.is_empty());
    for reference in references {
        assert!(
            ids.iter().filter(|id| **id == reference).count() == 1,
            "{reference} names no single element in {html}"
        );
    }
}

#[tokio::test]
async fn the_console_s_home_is_the_sign_in_form_with_every_header() {
    for path in ["/staff", "/staff/sign-in"] {
        let (response, html) = send(get(path, &[])).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(&response, "content-type"),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            header(&response, "content-security-policy"),
            security::CONTENT_SECURITY_POLICY_VALUE
        );
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        assert_eq!(header(&response, "referrer-policy"), "same-origin");
        assert_eq!(header(&response, "cache-control"), "no-store");
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">"),
            "{html}"
        );
        assert!(html.contains("<title>Sign in – Circulars staff console</title>"));
        assert!(html.contains("<form method=\"post\" action=\"/staff/sign-in\""));
        assert!(html.contains("<label class=\"label\" for=\"name\">Account name</label>"));
        assert!(html.contains("autocomplete=\"username\""), "{html}");
        assert!(
            html.contains("type=\"password\" autocomplete=\"current-password\""),
            "{html}"
        );
        assert!(html.contains("aria-describedby=\"name-hint\""), "{html}");
        for landmark in ["<header", "<nav", "<main", "<footer"] {
            assert!(html.contains(landmark), "{landmark}");
        }
        assert!(html.contains("<a class=\"skip-link\" href=\"#main-content\">"));
        assert!(!html.contains("<script"), "no script");
        assert!(!html.contains("style="), "no inline style");
        assert!(!html.contains("error-summary\""), "no errors yet");
        assert!(!html.contains("Sign out"), "nobody is signed in");
        assert_wired(&html);
    }
}

#[tokio::test]
async fn the_switch_s_choice_is_shown_and_remembered_and_the_browser_s_is_followed() {
    let (response, html) = send(get("/staff?lang=fr", &[])).await;
    assert!(html.contains("<html lang=\"fr\" dir=\"ltr\">"), "{html}");
    assert!(html.contains(">Nom de compte</label>"), "{html}");
    assert_eq!(
        header(&response, "set-cookie"),
        "lang=fr; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000; Secure"
    );
    assert!(
        html.contains("<a href=\"/staff?lang=en\" lang=\"en\" hreflang=\"en\">English</a>"),
        "{html}"
    );
    let (response, html) = send(get("/staff", &[("cookie", "lang=fr")])).await;
    assert!(html.contains("<html lang=\"fr\""));
    assert!(response.headers().get("set-cookie").is_none());
    let (_, html) = send(get(
        "/staff/sign-in",
        &[("accept-language", "fr-CH, en;q=0.5")],
    ))
    .await;
    assert!(
        html.contains("<title>Se connecter – Console des circulaires</title>"),
        "{html}"
    );
}

#[tokio::test]
async fn a_post_from_another_site_is_refused_with_a_page_saying_why() {
    let post = |headers: &[(&str, &str)]| {
        let mut request = Request::post("/staff/sign-in");
        for (n, v) in headers {
            request = request.header(*n, *v);
        }
        request.body(Body::from("name=a&password=b")).unwrap()
    };
    let (response, html) = send(post(&[
        ("origin", "https://evil.example"),
        ("host", "circulars.example"),
        ("cookie", "lang=fr"),
    ]))
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(header(&response, "cache-control"), "no-store");
    assert!(html.contains("<h1>Requête refusée</h1>"), "{html}");
    assert!(html.contains("envoyé depuis un autre site"), "{html}");
    let (response, _) = send(post(&[("sec-fetch-site", "cross-site")])).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // From the console itself the request goes through: to no handler yet (the accounts
    // library's sign-in comes next), but past the cross-site layer.
    let (response, _) = send(post(&[
        ("origin", "https://circulars.example"),
        ("sec-fetch-site", "same-origin"),
    ]))
    .await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        header(&response, "content-security-policy"),
        security::CONTENT_SECURITY_POLICY_VALUE,
        "every answer carries the headers"
    );
}

#[tokio::test]
async fn the_stylesheet_is_served_from_the_binary() {
    let (response, css) = send(get("/staff/static/console.css", &[])).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), "text/css; charset=utf-8");
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    assert_eq!(css, assets::STYLESHEET);
    assert!(css.contains(":focus-visible"));
}

fn context(lang: &str) -> PageContext {
    PageContext::new(
        Arc::new(Words::embedded().unwrap()),
        &format!("/staff/sign-in?lang={lang}").parse().unwrap(),
        &Default::default(),
    )
}

#[test]
fn errors_are_said_twice_and_every_field_is_wired() {
    let attempt = Attempt {
        name: "ana".into(),
        name_error: None,
        password_error: Some("Enter your password".into()),
        refusal: Some("Wrong account name or password".into()),
    };
    let html = SignInPage::new(&context("en"), &attempt).render().unwrap();
    assert!(html.contains("<title>Error: Sign in – Circulars staff console</title>"));
    let summary_at = html.find("class=\"error-summary\"").expect("a summary");
    assert!(
        summary_at < html.find("<h1>").unwrap(),
        "the summary comes first"
    );
    assert!(html.contains("role=\"alert\" tabindex=\"-1\" autofocus"));
    assert!(html.contains("<li><a href=\"#password\">Enter your password</a></li>"));
    assert!(html.contains("<li><a href=\"#name\">Wrong account name or password</a></li>"));
    assert!(html.contains(
        "<p class=\"error-message\" id=\"password-error\"><span class=\"visually-hidden\">Error:</span> Enter your password</p>"
    ));
    assert!(html.contains("aria-describedby=\"password-error\" aria-invalid=\"true\""));
    assert!(html.contains("value=\"ana\""), "the name is kept");
    assert_wired(&html);
}

#[test]
fn a_script_in_a_value_is_shown_as_text() {
    let script = "<script>alert(\"x\")</script>";
    let attempt = Attempt {
        name: format!("\">{script}"),
        name_error: Some(script.into()),
        password_error: None,
        refusal: None,
    };
    let page = context("fr");
    let mut sign_in = SignInPage::new(&page, &attempt);
    sign_in.layout = sign_in.layout.signed_in(
        circulars_core::domain::AccountName::parse("ana").unwrap(),
        format!("\"{script}"),
    );
    let html = sign_in.render().unwrap();
    assert!(!html.contains("<script"), "{html}");
    assert!(
        html.contains("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;"),
        "{html}"
    );
    assert!(
        html.contains("value=\"&#34;&#62;&#60;script&#62;"),
        "{html}"
    );
    assert!(html.contains("Connecté·e en tant que ana"), "{html}");
    assert!(html.contains("<form method=\"post\" action=\"/staff/sign-out\">"));
}

/// A page of every kind of field, to see the macros draw them.
#[derive(Template)]
#[template(
    source = "{% import \"fields.html\" as fields %}{% for f in fields %}{{ fields::field(layout, f) }}{% endfor %}{{ fields::csrf(token) }}",
    ext = "html"
)]
struct EveryField {
    layout: Layout,
    fields: Vec<Field>,
    token: String,
}

#[test]
fn text_areas_and_selects_are_wired_as_inputs_are() {
    let choices = vec![
        Choice {
            value: "en".into(),
            label: "English".into(),
        },
        Choice {
            value: "fr".into(),
            label: "Français".into(),
        },
    ];
    let page = EveryField {
        layout: context("en").layout("sign-in-title"),
        fields: vec![
            Field::textarea("body", "Body".into(), 12)
                .with_hint("Markdown".into())
                .with_value("a < b"),
            Field::select("language", "Language".into(), choices)
                .with_value("fr")
                .with_error(Some("Choose a language".into())),
        ],
        token: "tok<en>".into(),
    };
    let html = page.render().unwrap();
    assert!(html.contains(
        "<textarea class=\"textarea\" id=\"body\" name=\"body\" rows=\"12\" aria-describedby=\"body-hint\">a &#60; b</textarea>"
    ), "{html}");
    assert!(
        html.contains("<option value=\"fr\" selected>Français</option>"),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"en\">English</option>"),
        "{html}"
    );
    assert!(html.contains("aria-describedby=\"language-error\" aria-invalid=\"true\""));
    assert!(html.contains("<input type=\"hidden\" name=\"csrf\" value=\"tok&#60;en&#62;\">"));
    assert_wired(&html);
}
