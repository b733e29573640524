//! A drafter writes a circular in the console: the form names a mistake beside its field and
//! keeps what was typed; fixed, it is saved with its annex files per language; the preview
//! shows the six versions as recipients get them, and test copies of all six reach the
//! drafter. Whoever is no drafter is refused the form.

use circulars_core::domain::{Circular, Language};
use circulars_tests::http::{request, Reply};
use circulars_tests::{on_both_databases, workspace, Db, Harness, Setup};

/// The largest annex file of these stories' configuration.
const MAX_ANNEX_BYTES: usize = 4096;

/// A signed-in member of staff's browser: the session cookie and the gateway.
struct Browser<'a> {
    h: &'a Harness,
    cookie: String,
}

impl<'a> Browser<'a> {
    /// Signs in as `name` (an account made with `roles`).
    async fn sign_in(h: &'a Harness, name: &str, roles: &[&str]) -> Browser<'a> {
        let password = h.staff_account(name, roles);
        let body = format!("name={name}&password={}", percent(&password));
        let reply = request(
            "POST",
            &format!("{}/staff/sign-in", h.gateway_url()),
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        )
        .await;
        assert_eq!(reply.status, 303, "{}", reply.body);
        let cookie = reply
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
            .expect("a session cookie")
            .to_owned();
        Browser { h, cookie }
    }

    async fn get(&self, path: &str) -> Reply {
        let url = format!("{}{path}", self.h.gateway_url());
        request("GET", &url, &[("Cookie", &self.cookie)], b"").await
    }

    async fn post(&self, path: &str, content_type: &str, body: &[u8]) -> Reply {
        let url = format!("{}{path}", self.h.gateway_url());
        let headers = [
            ("Cookie", self.cookie.as_str()),
            ("Content-Type", content_type),
            ("Origin", &self.h.gateway_url()),
            ("Sec-Fetch-Site", "same-origin"),
        ];
        request("POST", &url, &headers, body).await
    }

    /// Posts the draft form `form` with `files` (field, file name, content) to `path`.
    async fn post_form(
        &self,
        path: &str,
        form: &[(String, String)],
        files: &[(&str, &str, &[u8])],
    ) -> Reply {
        let (content_type, body) = multipart(form, files);
        self.post(path, &content_type, &body).await
    }
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A `multipart/form-data` body of text fields and files.
fn multipart(fields: &[(String, String)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----drafting-boundary-7d1";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (field, file_name, content) in files {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(*content);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The sample circular TSB-36 as the draft form sends it, with the page's CSRF token.
fn sample_form(csrf: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(workspace().join("samples/circulars/tsb-36.toml")).unwrap();
    let c = Circular::from_toml("tsb-36.toml", &text).unwrap();
    let mut form: Vec<(String, String)> = [
        ("csrf", csrf.to_owned()),
        ("series", c.series.clone()),
        ("number", c.number.to_string()),
        ("reference", c.reference.clone()),
        ("date", c.date.to_string()),
        ("contact-name", c.contact.name.clone()),
        ("contact-email", c.contact.email.clone()),
        ("contact-tel", c.contact.tel.clone().unwrap_or_default()),
        ("signatory", c.signatory.clone().unwrap_or_default()),
        ("topic", String::new()),
        ("fallback-language", "en".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for category in &c.categories {
        form.push(("categories".into(), category.id().to_owned()));
    }
    for category in &c.copy {
        form.push(("copy".into(), category.id().to_owned()));
    }
    for language in Language::ALL {
        let t = &c.texts[&language];
        form.push((format!("subject-{language}"), t.subject.clone()));
        form.push((
            format!("reference-{language}"),
            t.reference.clone().unwrap_or_default(),
        ));
        form.push((format!("body-{language}"), t.body.clone()));
    }
    form
}

/// `form` with field `name` set to `value`.
fn with(mut form: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    for (n, v) in &mut form {
        if n == name {
            *v = value.to_owned();
        }
    }
    form
}

/// The CSRF token of the first form of `html`.
fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

/// A harness whose annex files are at most [`MAX_ANNEX_BYTES`], serving the gateway.
async fn drafting_harness(db: Db, approval_required: bool) -> Harness {
    let mut h = Harness::start_setup(Setup {
        approval_required,
        ..Setup::new(db)
    })
    .await;
    let config = h.dir().join("circulars.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!("\n[mail]\nmax_annex_bytes = {MAX_ANNEX_BYTES}\n"));
    std::fs::write(&config, text).unwrap();
    h.serve("gateway");
    h
}

async fn a_drafter_fixes_a_mistake_named_beside_its_field_and_saves_the_circular_with_its_annexes(
    db: Db,
) {
    let h = drafting_harness(db, true).await;
    let ana = Browser::sign_in(&h, "ana", &["drafter"]).await;

    let empty = ana.get("/staff/circulars/new").await;
    assert_eq!(empty.status, 200, "{}", empty.body);
    let html = &empty.body;
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    assert!(html.contains("<a href=\"#text-ar\">Arabic</a>"), "{html}");
    assert!(html.contains("id=\"subject-ar\" name=\"subject-ar\" type=\"text\" value=\"\" lang=\"ar\" dir=\"rtl\""), "{html}");
    assert!(
        html.contains("id=\"categories\" name=\"categories\" value=\"member-states\""),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
    let csrf = csrf_of(html);

    // The English subject forgotten, a script typed in the French one.
    let scripted = "<script>alert(1)</script> Appel à experts";
    let mistaken = with(
        with(sample_form(&csrf), "subject-en", ""),
        "subject-fr",
        scripted,
    );
    let refused = ana.post_form("/staff/circulars/new", &mistaken, &[]).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let html = &refused.body;
    assert!(html.contains("<title>Error: New circular"), "{html}");
    assert!(
        html.contains("<li><a href=\"#subject-en\">text.en.subject: is empty</a></li>"),
        "{html}"
    );
    assert!(
        html.contains("<p class=\"error-message\" id=\"subject-en-error\"><span class=\"visually-hidden\">Error:</span> text.en.subject: is empty</p>"),
        "{html}"
    );
    assert!(
        html.contains("aria-describedby=\"subject-en-error\" aria-invalid=\"true\""),
        "{html}"
    );
    assert!(
        !html.contains("<script>alert(1)"),
        "a script is shown as text: {html}"
    );
    assert!(
        html.contains("value=\"&#60;script&#62;alert(1)&#60;/script&#62; Appel à experts\"")
            || html.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt; Appel à experts\""),
        "{html}"
    );
    assert!(
        html.contains("value=\"TSB Events/FW\""),
        "what was typed is kept: {html}"
    );
    assert!(html.contains("value=\"member-states\" checked"), "{html}");
    assert!(h
        .store()
        .await
        .circular(&"TSB-36".parse().unwrap())
        .await
        .unwrap()
        .is_none());

    // Fixed, with an annex for every language, its French version, and a file named with a script.
    let fixed = with(mistaken, "subject-en", "Call for experts");
    let saved = ana
        .post_form(
            "/staff/circulars/new",
            &fixed,
            &[
                ("annex-all", "annex1.pdf", b"%PDF every language"),
                ("annex-fr", "annex1.fr.pdf", b"%PDF en francais"),
                ("annex-all", "<script>.txt", b"notes"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.header("location"), Some("/staff/circulars/TSB-36"));
    let store = h.store().await;
    let id = "TSB-36".parse().unwrap();
    let stored = store.existing_circular(&id).await.unwrap();
    assert_eq!(stored.circular.texts[&Language::Fr].subject, scripted);
    assert_eq!(stored.circular.annexes, ["annex1.pdf", "<script>.txt"]);
    assert_eq!(stored.life.drafted_by, "ana");
    let annexes = circulars_lifecycle::annexes::stored_annexes(&store, &id)
        .await
        .unwrap();
    let annex1: Vec<(Language, &str, &[u8])> = annexes
        .iter()
        .filter(|a| a.file_name == "annex1.pdf")
        .map(|a| (a.language, a.source.as_str(), a.content.as_slice()))
        .collect();
    assert_eq!(annex1.len(), 6, "{annex1:?}");
    for (language, source, content) in annex1 {
        if language == Language::Fr {
            assert_eq!(
                (source, content),
                ("annex1.fr.pdf", &b"%PDF en francais"[..])
            );
        } else {
            assert_eq!(
                (source, content),
                ("annex1.pdf", &b"%PDF every language"[..]),
                "{language}"
            );
        }
    }

    // Submitted, then edited: back to draft; the edit form shows what is stored, as text.
    h.circulars_ok(&["submit", "TSB-36", "--as", "ana"]);
    let edit = ana.get("/staff/circulars/TSB-36/edit").await;
    assert_eq!(edit.status, 200, "{}", edit.body);
    assert!(!edit.body.contains("<script>"), "{}", edit.body);
    assert!(
        edit.body.contains("value=\"annex1.pdf\" checked"),
        "{}",
        edit.body
    );
    assert!(
        edit.body.contains("annex1.pdf, annex1.fr.pdf"),
        "{}",
        edit.body
    );
    let csrf = csrf_of(&edit.body);
    let mut form = with(fixed, "csrf", &csrf);
    form.push(("annexes".into(), "annex1.pdf".into()));
    form.push(("annexes".into(), "<script>.txt".into()));

    // A file over the limit is named beside its language's field, with the limit.
    let big = vec![b'x'; MAX_ANNEX_BYTES + 1];
    let too_big = ana
        .post_form(
            "/staff/circulars/TSB-36/edit",
            &form,
            &[("annex-es", "annex1.pdf", &big)],
        )
        .await;
    assert_eq!(too_big.status, 422, "{}", too_big.body);
    assert!(
        too_big.body.contains(&format!(
            "id=\"annex-es-error\"><span class=\"visually-hidden\">Error:</span> annexes[1].es: annex1.es.pdf is {} bytes, over the limit of {MAX_ANNEX_BYTES} bytes (mail.max_annex_bytes)",
            MAX_ANNEX_BYTES + 1
        )),
        "{}",
        too_big.body
    );
    assert!(
        too_big.body.contains("The files you chose were not saved"),
        "{}",
        too_big.body
    );
    let resaved = ana
        .post_form(
            "/staff/circulars/TSB-36/edit",
            &with(form, "subject-en", "Call for experts (revised)"),
            &[],
        )
        .await;
    assert_eq!(resaved.status, 303, "{}", resaved.body);
    let stored = store.existing_circular(&id).await.unwrap();
    assert_eq!(stored.life.state.to_string(), "draft");
    assert_eq!(
        stored.circular.texts[&Language::En].subject,
        "Call for experts (revised)"
    );
    let kept = circulars_lifecycle::annexes::stored_annexes(&store, &id)
        .await
        .unwrap();
    assert_eq!(kept.len(), 12, "both annexes kept in six languages");

    // A form without its token is refused.
    let forged = ana
        .post_form(
            "/staff/circulars/TSB-36/edit",
            &with(sample_form("forged"), "csrf", "forged"),
            &[],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
}

async fn whoever_is_no_drafter_is_refused_the_form(db: Db) {
    let h = drafting_harness(db, true).await;
    let bob = Browser::sign_in(&h, "bob", &["approver", "operator"]).await;
    for path in ["/staff/circulars/new", "/staff/circulars/TSB-36/edit"] {
        let page = bob.get(path).await;
        assert_eq!(page.status, 403, "{path}: {}", page.body);
        assert!(
            page.body.contains("it needs the drafter role"),
            "{}",
            page.body
        );
    }
    let csrf = csrf_of(&bob.get("/staff/circulars/new").await.body);
    let posted = bob
        .post_form("/staff/circulars/new", &sample_form(&csrf), &[])
        .await;
    assert_eq!(posted.status, 403, "{}", posted.body);
    assert!(h
        .store()
        .await
        .circular(&"TSB-36".parse().unwrap())
        .await
        .unwrap()
        .is_none());
    let anonymous = request(
        "GET",
        &format!("{}/staff/circulars/new", h.gateway_url()),
        &[],
        b"",
    )
    .await;
    assert_eq!(anonymous.status, 401);
}

async fn the_preview_shows_six_versions_as_recipients_get_them_and_test_copies_arrive(db: Db) {
    let h = drafting_harness(db, false).await;
    h.draft_sample_circular();
    let ana = Browser::sign_in(&h, "ana", &["drafter"]).await;

    let page = ana.get("/staff/circulars/TSB-36/preview").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let policy = page.header("content-security-policy").unwrap();
    assert!(
        policy.contains("frame-src 'self'") && !policy.contains("script"),
        "{policy}"
    );
    assert_eq!(page.body.matches("<iframe ").count(), 6, "{}", page.body);
    assert_eq!(
        page.body.matches("sandbox=\"\"").count(),
        6,
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("src=\"/staff/circulars/TSB-36/preview/fr\" title=\"The version in French\""),
        "{}",
        page.body
    );

    let out = h.dir().join("cli-preview");
    let file = workspace().join("samples/circulars/tsb-36.toml");
    h.circulars_ok(&[
        "preview",
        &file.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]);
    for language in Language::ALL {
        let version = ana
            .get(&format!("/staff/circulars/TSB-36/preview/{language}"))
            .await;
        assert_eq!(version.status, 200, "{language}");
        let policy = version.header("content-security-policy").unwrap();
        assert!(
            policy.contains("frame-ancestors 'self'") && policy.ends_with("sandbox"),
            "{policy}"
        );
        assert_eq!(version.header("x-frame-options"), Some("SAMEORIGIN"));
        let cli = std::fs::read_to_string(out.join(format!("{language}.html"))).unwrap();
        assert_eq!(
            version.body, cli,
            "{language}: the recipient's rendering, as the CLI's preview"
        );
    }
    let unknown = ana.get("/staff/circulars/TSB-36/preview/de").await;
    assert_eq!(unknown.status, 404);

    let csrf = csrf_of(&page.body);
    let form = |to: &str| format!("csrf={csrf}&to={}", percent(to));
    let wrong = ana
        .post(
            "/staff/circulars/TSB-36/test-copies",
            "application/x-www-form-urlencoded",
            form("not an address").as_bytes(),
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("id=\"to-error\""), "{}", wrong.body);
    assert!(h.mails().is_empty());
    let sent = ana
        .post(
            "/staff/circulars/TSB-36/test-copies",
            "application/x-www-form-urlencoded",
            form("ana@itu.example").as_bytes(),
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert_eq!(
        sent.body
            .matches("sent to ana@itu.example through capture (250)")
            .count(),
        6,
        "{}",
        sent.body
    );
    let mails = h.mails();
    assert_eq!(mails.len(), 6);
    let mut languages: Vec<&str> = mails.iter().map(|m| m.language.as_str()).collect();
    languages.sort();
    assert_eq!(languages, ["ar", "en", "es", "fr", "ru", "zh"]);
    assert!(
        mails
            .iter()
            .all(|m| m.subject.starts_with("[TEST COPY] ")
                && m.recipient.contains("ana@itu.example")),
        "{mails:?}"
    );
}

on_both_databases!(
    a_drafter_fixes_a_mistake_named_beside_its_field_and_saves_the_circular_with_its_annexes,
    whoever_is_no_drafter_is_refused_the_form,
    the_preview_shows_six_versions_as_recipients_get_them_and_test_copies_arrive,
);
